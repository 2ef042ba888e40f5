"""Chat lifecycle and settings on both databases: start, re-start, stop, blocked, touch, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.services.chats import (
    active_chats,
    get_chat_state,
    language_from_code,
    mark_blocked,
    start_chat,
    stop_chat,
    touch_chat,
    update_settings,
)
from core.services.subscriptions import list_topics, subscribe
from domain.errors import InvalidInput, NotFound
from domain.types import DigestMode
from storage.db import Database
from storage.models import AuditLog

TG = "telegram"


async def _actions(db: Database) -> list[str]:
    async with db.session() as s:
        return list(await s.scalars(select(AuditLog.action).order_by(AuditLog.id)))


async def test_start_registers_then_restart_reactivates(db: Database) -> None:
    first = await start_chat(
        db, platform=TG, chat_id="42", chat_type="private", title="Ada", language_code="zh-hans"
    )
    assert first.is_new and first.active and first.receives_digests
    assert (first.language, first.language_source) == ("zh", "telegram")
    assert first.digest_mode is DigestMode.ALL and first.started_at and first.last_seen_at
    again = await start_chat(db, platform=TG, chat_id="42", chat_type="private")
    assert not again.is_new and again.id == first.id and again.language == "zh"
    assert again.title == "Ada"  # None leaves it


async def test_stop_keeps_topics_and_start_resumes(db: Database) -> None:
    await start_chat(db, platform=TG, chat_id="7", chat_type="private")
    await subscribe(db, platform=TG, chat_id="7", text="RLHF")
    stopped = await stop_chat(db, platform=TG, chat_id="7")
    assert not stopped.active and stopped.stopped_at and stopped.topic_count == 1
    assert await active_chats(db) == ()
    resumed = await start_chat(db, platform=TG, chat_id="7", chat_type="private")
    assert resumed.active and resumed.stopped_at is None and resumed.topic_count == 1
    assert [t.query for t in await list_topics(db, platform=TG, chat_id="7")] == ["RLHF"]
    assert await _actions(db) == ["chat.start", "chat.stop", "chat.start"]


async def test_blocked_chat_is_inactive_until_it_comes_back(db: Database) -> None:
    assert await mark_blocked(db, platform=TG, chat_id="nobody") is None
    await start_chat(db, platform=TG, chat_id="-100", chat_type="supergroup", title="ML group")
    blocked = await mark_blocked(db, platform=TG, chat_id="-100")
    assert blocked is not None and blocked.blocked and not blocked.active
    assert await active_chats(db, platform=TG) == ()
    back = await start_chat(db, platform=TG, chat_id="-100", chat_type="supergroup")
    assert back.active and not back.blocked and back.chat_type == "supergroup"
    assert "chat.blocked" in await _actions(db)


async def test_touch_registers_without_subscribing(db: Database) -> None:
    seen = await touch_chat(db, platform="wechat", chat_id="oAbc", language_code="en-US")
    assert seen.is_new and not seen.active and seen.chat_type == "private"
    assert seen.language == "en" and seen.last_seen_at is not None
    later = await touch_chat(db, platform="wechat", chat_id="oAbc")
    assert not later.is_new and later.last_seen_at and later.last_seen_at >= seen.last_seen_at
    assert await active_chats(db) == ()
    started = await start_chat(db, platform="wechat", chat_id="oAbc", chat_type="private")
    assert not started.is_new and started.active and started.language == "en"


async def test_touch_within_a_minute_writes_only_what_changed(db: Database) -> None:
    first = await touch_chat(db, platform=TG, chat_id="77", language_code="en")
    again = await touch_chat(db, platform=TG, chat_id="77", language_code="en")
    switched = await touch_chat(db, platform=TG, chat_id="77", language_code="zh-hans")
    assert again.last_seen_at == first.last_seen_at  # nothing new: no write
    assert switched.language == "zh" and switched.last_seen_at > first.last_seen_at


async def test_same_external_id_on_two_platforms_are_two_chats(db: Database) -> None:
    a = await start_chat(db, platform=TG, chat_id="1", chat_type="private")
    b = await start_chat(db, platform="console", chat_id="1", chat_type="private")
    assert a.id != b.id
    assert [c.platform for c in await active_chats(db, platform="console")] == ["console"]
    assert len(await active_chats(db)) == 2


async def test_unknown_chat_is_told_to_start(db: Database) -> None:
    for call in (get_chat_state, stop_chat, list_topics):
        with pytest.raises(NotFound) as error:
            await call(db, platform=TG, chat_id="404")
        assert "/start" in error.value.user_message
    with pytest.raises(NotFound):
        await update_settings(db, platform=TG, chat_id="404", paused=True)


async def test_programming_errors_are_not_user_errors(db: Database) -> None:
    with pytest.raises(ValueError):
        await start_chat(db, platform="irc", chat_id="1", chat_type="private")
    with pytest.raises(ValueError):
        await start_chat(db, platform=TG, chat_id="1", chat_type="forum")
    with pytest.raises(ValueError):
        await start_chat(db, platform=TG, chat_id="", chat_type="private")


async def test_settings_change_and_validate(db: Database) -> None:
    await start_chat(db, platform=TG, chat_id="5", chat_type="private", language_code="en")
    state = await update_settings(
        db, platform=TG, chat_id="5", language=" ZH ", digest_mode="topics", no_match_note=True
    )
    assert (state.language, state.language_source) == ("zh", "settings")
    assert state.digest_mode is DigestMode.TOPICS and state.no_match_note
    paused = await update_settings(db, platform=TG, chat_id="5", paused=True)
    assert paused.paused and not paused.receives_digests and paused.active
    assert await active_chats(db) == ()
    # the user's choice wins over the client's language from now on
    again = await start_chat(db, platform=TG, chat_id="5", chat_type="private", language_code="en")
    assert again.language == "zh" and not again.paused  # /start resumes a pause too
    for bad in ({"language": "fr"}, {"digest_mode": "some"}, {"paused": "yes"}):
        with pytest.raises(InvalidInput) as error:
            await update_settings(db, platform=TG, chat_id="5", **bad)  # type: ignore[arg-type]
        assert error.value.zh and error.value.message_for("zh") != error.value.message_for("en")
    unchanged = await update_settings(db, platform=TG, chat_id="5")
    assert unchanged.language == "zh" and unchanged.digest_mode is DigestMode.TOPICS
    assert (await _actions(db)).count("chat.settings") == 2


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("ZH-TW", "zh"),
        ("en", "en"),
        ("de", "en"),
        ("", None),
        (None, None),
    ],
)
def test_language_from_code(code: str | None, language: str | None) -> None:
    assert language_from_code(code) == language
