"""Key figures and feedback buttons in Telegram deliveries, on the real PTB stack against the
fake Bot API (which checks sendPhoto as Telegram does) and a real database.

The channel gets each paper with a figure as one photo (uploaded once, then resent by file_id),
private readers compact text with a 👍/👎/⭐ row per paper, groups text alone; every part is a
ledger part, so a resumed channel row never sends a photo twice.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update
from telegram.error import BadRequest

from bot.telegram.callbacks import CallbackSigner
from core.sending import Part
from core.services.chats import start_chat
from domain.types import IssueStatus
from storage.db import Database
from storage.models import Delivery
from storage.models_text import FigureUpload
from storage.queries.fulltext import NewFigure, save_figure
from storage.queries.issues import get_issue_view
from storage.queries.papers import get_paper
from storage.types import utcnow
from tests.e2e.publish_helpers import (
    TG,
    guard_send_spacing,
    make_issue,
    publish,
    received,
    sender_for,
    settings_for,
    subscriber,
)
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_spec import UploadedFile

BASE = "https://digest.example.org/"
CHANNEL = "@digestchan"


@pytest.fixture(autouse=True)
def _send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from guard_send_spacing(request)


def png(width: int = 400, height: int = 240) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, format="PNG")
    return out.getvalue()


async def add_figure(db: Database, arxiv_id: str, data: bytes, *, size: tuple[int, int]) -> int:
    async with db.session() as session:
        paper = await get_paper(session, arxiv_id=arxiv_id)
        assert paper is not None
        figure = NewFigure(
            "Figure 1", "Overview of the <pipeline> & its stages.", "image/png", *size,
            f"https://arxiv.org/html/{arxiv_id}v1/x1.png", data,
        )  # fmt: skip
        await save_figure(session, paper_id=paper.id, paper_version=1, figure=figure)
        return paper.id


async def issue_with_figures(db: Database) -> list[int]:
    """Issue 1 of four papers; papers 1 and 3 have a key figure. The four paper ids."""
    arxiv_ids = await make_issue(db, status=IssueStatus.APPROVED)
    await add_figure(db, arxiv_ids[0], png(), size=(400, 240))
    await add_figure(db, arxiv_ids[2], png(300, 300), size=(300, 300))
    async with db.session() as session:
        papers = [await get_paper(session, arxiv_id=a) for a in arxiv_ids]
    return [p.id for p in papers if p is not None]


def methods(fake: FakeTelegram, chat: object) -> list[str]:
    return [message.method for message in fake.sent(chat)]


async def uploads(db: Database) -> dict[int, str]:
    async with db.session() as session:
        rows = await session.scalars(select(FigureUpload))
        return {row.paper_id: row.remote for row in rows}


async def test_the_channel_gets_a_photo_per_figure_and_readers_get_buttons(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    ids = await issue_with_figures(db)
    channel = fake_telegram.group(type="channel", title="Digest", username="digestchan")
    reader = await subscriber(fake_telegram, db, language="zh")
    group = fake_telegram.group(title="Lab")
    await start_chat(db, platform=TG, chat_id=str(group.id), chat_type="group")

    report = await publish(fake_telegram, db, channel_id=CHANNEL, public_base_url=BASE)

    # header · photo 1 (head) + its analysis · paper 2 · photo 3 + analysis · paper 4
    assert methods(fake_telegram, channel) == [
        "sendMessage", "sendPhoto", "sendMessage", "sendMessage",
        "sendPhoto", "sendMessage", "sendMessage",
    ]  # fmt: skip
    photos = [m for m in fake_telegram.sent(channel) if m.method == "sendPhoto"]
    assert [m.html.splitlines()[0] for m in photos] == [
        "<b>1. 中文标题1</b>",
        "<b>3. 中文标题3</b>",
    ]
    assert all("🖼 <i>Figure 1: Overview of the &lt;pipeline&gt; &amp; its stages.</i>" in m.html
               for m in photos)  # fmt: skip
    assert all(len(m.text) <= 1024 and m.photo for m in photos)
    assert [type(c.params["photo"]) for c in fake_telegram.calls("sendPhoto")] == [UploadedFile] * 2
    kept = await uploads(db)
    assert kept == {ids[0]: photos[0].photo[-1]["file_id"], ids[2]: photos[1].photo[-1]["file_id"]}

    # Private: text only, the figure linked on the web archive, one row per paper listed.
    private = fake_telegram.sent(reader)
    assert {m.method for m in private} == {"sendMessage"}
    assert f'🖼 <a href="{BASE}figures/' in "".join(m.html for m in private)
    signer = CallbackSigner(fake_telegram.token)
    keyboards = [(m.reply_markup or {}).get("inline_keyboard", []) for m in private]
    rows = [[b["text"] for b in row] for keyboard in keyboards for row in keyboard]
    assert rows == [[f"👍 {n}", f"👎 {n}", f"⭐ {n}"] for n in (1, 2, 3, 4)]
    votes = [signer.decode(data) for m in private for data in m.callback_data]
    assert votes[:3] == [("fb", (str(ids[0]), arg)) for arg in ("up", "down", "save")]
    # Groups: the same text, no buttons.
    assert [m.html for m in fake_telegram.sent(group)] == [m.html for m in private]
    assert all(m.reply_markup is None for m in fake_telegram.sent(group))

    async with db.session() as session:
        row = await session.scalar(select(Delivery).where(Delivery.target == CHANNEL))
    assert row is not None and row.messages_sent == 7 == len(row.message_ids)
    assert report.failed == 0 and fake_telegram.violations == []


async def test_a_figure_is_uploaded_once_then_resent_by_file_id(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    ids = await issue_with_figures(sqlite_db)
    channel = fake_telegram.group(type="channel", title="Digest", username="digestchan")
    settings = settings_for(fake_telegram, sqlite_db, channel_id=CHANNEL)
    async with sqlite_db.session() as session:
        view = await get_issue_view(session, number=1, language="zh")
    assert view is not None
    figure = view.items[0].paper.figure
    assert figure is not None and figure.paper_id == ids[0]
    part = Part("<b>1. 中文标题1</b>", photo=figure)

    async with sender_for(settings, sqlite_db) as sender:
        await sender.send_part(CHANNEL, part)
        await sender.send_part(CHANNEL, part)
        # A file_id Telegram no longer knows: forgotten, the bytes go up again.
        async with sqlite_db.session() as session:
            await session.execute(update(FigureUpload).values(remote="AgACgone"))
        await sender.send_part(CHANNEL, part)

    sent = [c.params["photo"] for c in fake_telegram.calls("sendPhoto") if c.ok]
    assert isinstance(sent[0], UploadedFile) and sent[0].content == png()
    assert sent[1] == fake_telegram.sent(channel)[0].photo[-1]["file_id"]
    assert isinstance(sent[2], UploadedFile)
    assert (await uploads(sqlite_db))[ids[0]] == fake_telegram.sent(channel)[2].photo[-1]["file_id"]
    refused = [c for c in fake_telegram.calls("sendPhoto") if not c.ok]
    assert [c.response["description"] for c in refused] == [
        "Bad Request: wrong file identifier/HTTP URL specified"
    ]


async def test_a_resumed_channel_row_sends_no_photo_twice(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await issue_with_figures(sqlite_db)
    channel = fake_telegram.group(type="channel", title="Digest", username="digestchan")
    first = await publish(fake_telegram, sqlite_db, channel_id=CHANNEL)
    before = received(fake_telegram, channel)
    assert first.messages == 7
    # A crash after part 2 (the first photo) was confirmed; parts 3.. were sent, not recorded.
    async with sqlite_db.session() as session:
        await session.execute(
            update(Delivery).values(
                status="sending", messages_sent=2, message_ids=["1", "2"], attempts=1,
                updated_at=utcnow() - timedelta(seconds=60), sent_at=None,
            )
        )  # fmt: skip

    resumed = await publish(fake_telegram, sqlite_db, channel_id=CHANNEL)

    assert received(fake_telegram, channel) == before + before[2:]
    assert methods(fake_telegram, channel).count("sendPhoto") == 3  # photo 1 never again
    assert (resumed.resumed, resumed.messages) == (1, 5)
    # The second run resent photo 3 by its file_id: nothing uploaded again.
    assert isinstance(fake_telegram.calls("sendPhoto")[-1].params["photo"], str)


async def test_an_image_telegram_refuses_goes_as_its_caption(
    fake_telegram: FakeTelegram, sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    arxiv_ids = await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    await add_figure(sqlite_db, arxiv_ids[0], b"\x89PNG but truncated", size=(400, 240))
    channel = fake_telegram.group(type="channel", title="Digest", username="digestchan")

    with caplog.at_level(logging.WARNING, logger="bot.telegram.sender"):
        report = await publish(fake_telegram, sqlite_db, channel_id=CHANNEL)

    assert report.failed == 0 and report.sent == 1
    sent = fake_telegram.sent(channel)
    assert "sendPhoto" not in [m.method for m in sent]
    assert sent[1].html.startswith("<b>1. 中文标题1</b>") and "🖼 <i>Figure 1" in sent[1].html
    refused = [c for c in fake_telegram.calls("sendPhoto") if not c.ok]
    assert [c.response["description"] for c in refused] == ["Bad Request: IMAGE_PROCESS_FAILED"]
    assert any("refused by Telegram" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("photo", "error"),
    [
        (b"GIF89a not really", "IMAGE_PROCESS_FAILED"),
        (b"plain text, not an image", "IMAGE_PROCESS_FAILED"),
        (png(9000, 1200), "PHOTO_INVALID_DIMENSIONS"),
        (png(2100, 100), "PHOTO_INVALID_DIMENSIONS"),
        (b"\x89PNG" + b"\0" * (10 * 1024 * 1024), "file is too big"),
        ("https://example.org/figure.png", "wrong file identifier"),
    ],
)
async def test_the_fake_refuses_photos_telegram_refuses(
    fake_telegram: FakeTelegram, sqlite_db: Database, photo: bytes | str, error: str
) -> None:
    fake_telegram.group(type="channel", title="Digest", username="digestchan")
    settings = settings_for(fake_telegram, sqlite_db)
    async with sender_for(settings, sqlite_db) as sender:
        with pytest.raises(BadRequest, match=f"(?i){error}"):
            await sender.bot.send_photo(CHANNEL, photo)
        with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
            await sender.bot.send_photo(
                CHANNEL, png(), caption="<b>x</b>" * 1025, parse_mode="HTML"
            )
        ok = await sender.bot.send_photo(
            CHANNEL, png(), caption="<b>x</b>" * 1024, parse_mode="HTML"
        )
    assert ok.photo and ok.caption == "x" * 1024
