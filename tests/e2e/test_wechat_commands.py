"""Commands typed in WeChat, Chinese and English, over real HTTP onto the shared layer."""

from __future__ import annotations

import pytest

from core.services.chats import get_chat_state
from storage.db import Database
from tests.e2e.wechat_harness import serve


def _bytes(text: str | None) -> int:
    assert text is not None
    return len(text.encode("utf-8"))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("帮助", "/subscribe"),
        ("help", "/subscribe"),
        ("/help", "/subscribe"),
        ("往期", "第1期"),
        ("issues", "第1期"),
        ("搜索 强化学习", "CtRL-Sim"),
        ("search reinforcement learning", "CtRL-Sim"),
        ("reinforcement learning", "CtRL-Sim"),  # plain text searches
        ("论文 2402.01399", "2402.01399"),
        ("paper https://arxiv.org/abs/2402.01399v1", "2402.01399"),
        ("第99期", "99"),
        ("issue abc", "/issue"),
        ("/frobnicate", "/help"),
    ],
)
async def test_each_command_in_chinese_and_english(
    sqlite_db: Database, typed: str, expected: str
) -> None:
    async with serve(sqlite_db) as h:
        exchange = await h.wechat.text("o-cmd", typed)
        assert exchange.reply is not None and expected in exchange.reply
        assert _bytes(exchange.reply) <= 2048 and "<b>" not in exchange.reply


async def test_subscriber_is_an_ordinary_wechat_chat(sqlite_db: Database) -> None:
    async with serve(sqlite_db) as h:
        started = await h.wechat.text("o-sub", "开始")
        assert started.reply is not None and "订阅" in started.reply
        saved = await h.wechat.text("o-sub", "订阅 强化学习")
        assert saved.reply is not None and "强化学习" in saved.reply
        english = await h.wechat.text("o-sub", "subscribe diffusion")
        assert english.reply is not None and "diffusion" in english.reply
        listed = await h.wechat.text("o-sub", "我的订阅")
        assert (
            listed.reply is not None and "强化学习" in listed.reply and "diffusion" in listed.reply
        )
        state = await get_chat_state(sqlite_db, platform="wechat", chat_id="o-sub")
        assert state.active and state.last_seen_at is not None  # touch_chat: the 48-hour window
        removed = await h.wechat.text("o-sub", "退订 1")
        assert removed.reply is not None and "强化学习" in removed.reply
        assert "强化学习" not in ((await h.wechat.text("o-sub", "/mysubs")).reply or "")
        stopped = await h.wechat.text("o-sub", "停止")
        assert stopped.reply is not None
        assert not (await get_chat_state(sqlite_db, platform="wechat", chat_id="o-sub")).active


async def test_follow_and_unfollow_events(sqlite_db: Database) -> None:
    async with serve(sqlite_db) as h:
        followed = await h.wechat.event("o-fan", "subscribe")
        assert followed.reply is not None and "订阅" in followed.reply  # the /start welcome
        assert (await get_chat_state(sqlite_db, platform="wechat", chat_id="o-fan")).active
        unfollowed = await h.wechat.event("o-fan", "unsubscribe")
        assert unfollowed.status == 200 and unfollowed.reply is None  # "success": no reply
        assert not (await get_chat_state(sqlite_db, platform="wechat", chat_id="o-fan")).active


@pytest.mark.parametrize("base_url", [None, "https://digest.example"])
async def test_long_issue_becomes_a_short_list(sqlite_db: Database, base_url: str | None) -> None:
    async with serve(sqlite_db, public_base_url=base_url) as h:
        latest = (await h.wechat.text("o-long", "最新")).reply
        assert latest is not None and _bytes(latest) <= 2048
        assert "【第1期】" in latest and "1. " in latest and "第1期 2" in latest
        if base_url:
            assert "https://digest.example/issues/1" in latest
        assert (await h.wechat.text("o-long", "第1期")).reply == latest
        second = (await h.wechat.text("o-long", "第1期 2")).reply
        third = (await h.wechat.text("o-long", "issue 1 3")).reply
        assert second and third and second != third and second != latest
        assert _bytes(second) <= 2048 and _bytes(third) <= 2048
        assert "arxiv.org/abs/" in second  # the full cards, links spelled out


async def test_buttons_pressed_by_typing(sqlite_db: Database) -> None:
    async with serve(sqlite_db) as h:
        first = (await h.wechat.text("o-page", "search learning")).reply
        assert first is not None and "下一页" in first
        second = (await h.wechat.text("o-page", "下一页")).reply
        assert second is not None and second != first and "6–10" in second
        back = (await h.wechat.text("o-page", "p")).reply
        assert back is not None and "1–5" in back
        more = (await h.wechat.text("o-page", "更多")).reply
        assert more is not None and _bytes(more) <= 2048
        assert "没有更多" in ((await h.wechat.text("o-new", "n")).reply or "")


async def test_non_text_messages_get_a_hint(sqlite_db: Database) -> None:
    async with serve(sqlite_db) as h:
        fields = {"MsgType": "image", "PicUrl": "http://x/y.png", "MediaId": "m", "MsgId": "99"}
        exchange = await h.wechat.send("o-img", fields)
        assert exchange.reply is not None and "帮助" in exchange.reply
