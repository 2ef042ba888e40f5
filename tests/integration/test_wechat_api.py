"""The Official Account API client over real HTTP against the fake: the access token is cached
and refreshed, WeChat's errcodes become our errors, and no secret reaches a log or an error."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.wechat.api import ApiError, OutsideWindow, Unavailable, Unfollowed, WeChatApi
from core.config import Settings
from tests.conftest import make_settings
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi

OPENID = "o-inside-window"


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        server.state.window.add(OPENID)
        yield server


def wechat_settings(fake: FakeWeChatApi, **extra: object) -> Settings:
    return make_settings(
        wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET,
        wechat_api_base_url=fake.base_url, **extra,
    )  # fmt: skip


@pytest.fixture
async def api(fake: FakeWeChatApi) -> AsyncIterator[WeChatApi]:
    async with httpx.AsyncClient() as http:
        yield WeChatApi(wechat_settings(fake, wechat_thumb_media_id="THUMB").wechat, http)


async def test_token_is_cached_across_calls(fake: FakeWeChatApi, api: WeChatApi) -> None:
    for n in range(3):
        assert await api.send_text(OPENID, f"hello {n}") == 1
    assert fake.state.tokens_issued == 1
    assert fake.messages_to(OPENID) == ["hello 0", "hello 1", "hello 2"]


async def test_token_is_renewed_before_it_expires(fake: FakeWeChatApi, api: WeChatApi) -> None:
    fake.state.token_ttl = 200  # under the 5-minute margin: every call needs a fresh token
    await api.send_text(OPENID, "a")
    await api.send_text(OPENID, "b")
    assert fake.state.tokens_issued == 2


@pytest.mark.parametrize("refuse", ["expire_tokens", "revoke_tokens"])
async def test_refused_token_is_refreshed_once(
    fake: FakeWeChatApi, api: WeChatApi, refuse: str
) -> None:
    await api.send_text(OPENID, "first")
    getattr(fake, refuse)()  # 42001 / 40001 on the next call
    await api.send_text(OPENID, "second")
    assert fake.state.tokens_issued == 2
    assert fake.messages_to(OPENID) == ["first", "second"]
    fake.fail_next("cgi-bin/message/custom/send", 40001)
    fake.fail_next("cgi-bin/message/custom/send", 40001)
    with pytest.raises(ApiError) as refused:
        await api.send_text(OPENID, "third")  # refused twice: no endless refresh loop
    assert refused.value.errcode == 40001 and fake.state.tokens_issued == 3


async def test_errcodes_map_to_what_the_caller_should_do(
    fake: FakeWeChatApi, api: WeChatApi
) -> None:
    with pytest.raises(OutsideWindow):
        await api.send_text("o-silent-for-days", "hi")
    fake.state.unfollowed.add(OPENID)
    with pytest.raises(Unfollowed):
        await api.send_text(OPENID, "hi")
    fake.state.unfollowed.clear()
    for code in (45009, -1):
        fake.fail_next("cgi-bin/message/custom/send", code)
        with pytest.raises(Unavailable):
            await api.send_text(OPENID, "hi")
    fake.fail_next("cgi-bin/message/custom/send", 40003)
    with pytest.raises(ApiError) as invalid:
        await api.send_text(OPENID, "hi")
    assert type(invalid.value) is ApiError and invalid.value.errcode == 40003
    assert fake.messages_to(OPENID) == []


async def test_network_errors_are_retryable(fake: FakeWeChatApi) -> None:
    settings = wechat_settings(fake)
    fake.__exit__()
    async with httpx.AsyncClient() as http:
        with pytest.raises(Unavailable):
            await WeChatApi(settings.wechat, http).send_text(OPENID, "hi")


async def test_long_text_is_split_by_bytes(fake: FakeWeChatApi, api: WeChatApi) -> None:
    text = "\n".join(f"{n}. " + "论文" * 120 for n in range(1, 12))  # ~8 KB
    sent = await api.send_text(OPENID, text)
    received = fake.messages_to(OPENID)
    assert sent == len(received) > 1
    assert all(len(m.encode()) <= 2048 for m in received)
    assert "\n".join(received) == text


async def test_draft_needs_a_cover_and_clean_html(fake: FakeWeChatApi, api: WeChatApi) -> None:
    media_id = await api.add_draft(
        "第1期 " + "长" * 100, '<p style="x">ok</p>', "摘要", "ML Papers"
    )
    assert media_id == "MEDIA-1"
    (draft,) = fake.state.drafts
    assert draft["thumb_media_id"] == "THUMB" and len(draft["title"]) == 64
    with pytest.raises(ApiError) as refused:
        await api.add_draft("t", '<p class="x">no</p>', "", "a")
    assert refused.value.errcode == 45166
    async with httpx.AsyncClient() as http:
        coverless = WeChatApi(wechat_settings(fake).wechat, http)
        with pytest.raises(ApiError) as no_cover:
            await coverless.add_draft("t", "<p>ok</p>", "", "a")
    assert no_cover.value.errcode == 40007


async def test_secrets_never_reach_logs_or_errors(
    fake: FakeWeChatApi, api: WeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.wechat")
    await api.send_text(OPENID, "hi")
    fake.expire_tokens()
    await api.send_text(OPENID, "again")  # logs the refresh
    errors: list[str] = []
    for openid in ("o-outside", OPENID):
        fake.fail_next("cgi-bin/message/custom/send", 40003)
        try:
            await api.send_text(openid, "x")
        except ApiError as error:
            errors.append(f"{error!s} {error!r}")
    shown = caplog.text + " ".join(errors) + repr(api)
    assert "refreshed" in caplog.text and len(errors) == 2
    assert APP_SECRET not in shown and "TOKEN-" not in shown
