"""Key figures in the 公众号 article: uploaded through WeChat's `media/uploadimg` (the fake
enforces its token, types and 1 MB), fitted when WeChat would refuse them as stored, kept per
account so a re-run uploads nothing, and shown as `<img>` + caption in the draft's HTML."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from bot.wechat.api import ApiError, WeChatApi
from bot.wechat.draft import create_draft
from bot.wechat.images import MAX_BYTES, fit_image
from core.config import Settings
from domain.types import IssueStatus
from storage.db import Database
from storage.queries.fulltext import NewFigure, save_figure
from storage.queries.papers import get_paper
from tests.conftest import make_settings
from tests.e2e.publish_helpers import make_issue
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi, check_article_html

UPLOAD = "cgi-bin/media/uploadimg"


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        yield server


def settings_for(fake: FakeWeChatApi, db: Database) -> Settings:
    return make_settings(
        database_url=db.url, wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET,
        wechat_api_base_url=fake.base_url, wechat_thumb_media_id="THUMB",
    )  # fmt: skip


def image(fmt: str, size: tuple[int, int] = (320, 200), *, noise: bool = False) -> bytes:
    if noise:  # incompressible: a PNG of 800×800 noise is about 1.9 MB
        picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        picture = Image.new("RGBA" if fmt in ("PNG", "WEBP") else "RGB", size, (0, 90, 90, 200))
    out = io.BytesIO()
    picture.save(out, format=fmt)
    return out.getvalue()


async def add_figure(db: Database, arxiv_id: str, data: bytes, mime_type: str) -> None:
    async with db.session() as session:
        paper = await get_paper(session, arxiv_id=arxiv_id)
        assert paper is not None
        figure = NewFigure(
            "Figure 1", f"Overview of <{arxiv_id}> & friends", mime_type, 320, 200,
            f"https://arxiv.org/html/{arxiv_id}v1/x1.png", data,
        )  # fmt: skip
        await save_figure(session, paper_id=paper.id, paper_version=1, figure=figure)


def uploads(fake: FakeWeChatApi) -> int:
    return fake.state.calls.count(UPLOAD)


async def test_figures_are_uploaded_once_and_shown_in_the_article(
    fake: FakeWeChatApi, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ids = await make_issue(db, status=IssueStatus.APPROVED)
    plain = image("PNG")
    await add_figure(db, ids[0], plain, "image/png")  # taken as is
    await add_figure(db, ids[1], image("WEBP"), "image/webp")  # re-encoded as JPEG
    await add_figure(db, ids[2], image("PNG", (800, 800), noise=True), "image/png")  # > 1 MB
    await add_figure(db, ids[3], b"RIFF not a webp at all", "image/webp")  # cannot be fitted
    settings = settings_for(fake, db)

    with caplog.at_level(logging.WARNING, logger="bot.wechat.draft"):
        line = await create_draft(settings, db, number=1)

    assert line is not None and "WeChat draft created" in line
    content = fake.state.drafts[0]["content"]
    assert check_article_html(content) == []  # images only from uploadimg, nothing stripped
    assert check_article_html('<img src="https://digest.example/figures/x.png"/>')  # refused
    urls = list(fake.state.images)
    assert uploads(fake) == 3 and all(f'<img src="{url}"' in content for url in urls)
    assert fake.state.images[urls[0]] == plain
    for data in fake.state.images.values():
        assert len(data) <= MAX_BYTES
        assert Image.open(io.BytesIO(data)).format in ("PNG", "JPEG")
    assert f"Figure 1: Overview of &lt;{ids[0]}&gt; &amp; friends" in content
    assert "<img" not in content.split(">4. ")[-1]  # the paper whose figure could not be fitted
    assert any("left out of the 公众号 article" in r.getMessage() for r in caplog.records)

    again = await create_draft(settings, db, number=1)

    assert again is not None and "WeChat draft created" in again
    assert uploads(fake) == 3  # nothing uploaded again: the URLs were kept
    assert fake.state.drafts[1]["content"] == content


async def test_upload_image_follows_wechat_rules(fake: FakeWeChatApi, sqlite_db: Database) -> None:
    settings = settings_for(fake, sqlite_db)
    async with httpx.AsyncClient() as http:
        api = WeChatApi(settings.wechat, http)
        url = await api.upload_image(image("JPEG"), "figure.jpg", "image/jpeg")
        assert url.startswith("http://mmbiz.qpic.cn/")
        fake.expire_tokens()  # an expired token is refreshed once, the upload goes through
        assert await api.upload_image(image("PNG"), "figure.png", "image/png") != url
        refused = {
            "gif": (image("GIF"), "figure.gif", "image/gif"),
            "named png": (b"just text", "figure.png", "image/png"),
            "over 1 MB": (image("PNG", (800, 800), noise=True), "big.png", "image/png"),
        }
        codes = {}
        for name, (data, filename, mime) in refused.items():
            with pytest.raises(ApiError) as caught:
                await api.upload_image(data, filename, mime)
            codes[name] = caught.value.errcode
    assert codes == {"gif": 40005, "named png": 40005, "over 1 MB": 40009}
    assert len(fake.state.images) == 2


def test_fit_image_keeps_what_wechat_takes_and_shrinks_the_rest() -> None:
    small = image("PNG")
    assert fit_image(small, "image/png") is not None
    assert fit_image(small, "image/png").data == small  # type: ignore[union-attr]
    webp = fit_image(image("WEBP"), "image/webp")
    assert webp is not None and webp.mime_type == "image/jpeg"
    big = fit_image(image("PNG", (800, 800), noise=True), "image/png")
    assert big is not None and len(big.data) <= MAX_BYTES
    assert Image.open(io.BytesIO(big.data)).format == "JPEG"
    assert fit_image(b"garbage", "image/gif") is None
