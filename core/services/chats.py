"""Chats as subscribers: /start, /stop, blocked bots, last seen, /settings, who gets digests.

Every function takes the platform name and the platform's own chat id as plain strings, so the
Telegram, console and WeChat front ends share them. Lifecycle changes go to the audit log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound
from domain.types import ChatPlatform, ChatState, ChatType, DigestMode
from storage.db import Database
from storage.queries import audit
from storage.queries import chats as queries
from storage.types import utcnow

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"  # for summaries when a chat's language is not known yet
FROM_SETTINGS = "settings"  # language_source when the user picked the language


def language_from_code(code: str | None) -> str | None:
    """A platform language code (zh-hans, en-US, de...) as our language: zh* → zh, else en."""
    if not code or not code.strip():
        return None
    return "zh" if code.strip().lower().startswith("zh") else "en"


def _checked(platform: str, chat_id: str) -> None:
    # Front ends pass these from the platform, not from what users type: a bad one is a bug.
    if platform not in ChatPlatform.__members__.values():
        raise ValueError(f"unknown platform {platform!r}")
    if not chat_id or len(chat_id) > 64:
        raise ValueError(f"bad chat id {chat_id!r}")


TOUCH_INTERVAL = timedelta(seconds=60)


def _language(state: ChatState | None, platform: str, code: str | None) -> dict[str, Any]:
    language = language_from_code(code)
    if language is None or (state is not None and state.language_source == FROM_SETTINGS):
        return {}
    return {"language": language, "language_source": platform}


def _profile(chat_type: str | None, title: str | None, username: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if chat_type is not None:
        if chat_type not in ChatType.__members__.values():
            raise ValueError(f"unknown chat type {chat_type!r}")
        values["chat_type"] = chat_type
    if title is not None:
        values["title"] = title[:255]
    if username is not None:
        values["username"] = username[:64]
    return values


async def require_chat(
    session: AsyncSession, *, platform: str, chat_id: str, lock: bool = False
) -> ChatState:
    """The chat, or NotFound telling the reader to /start first."""
    _checked(platform, chat_id)
    state = await queries.get_chat(session, platform=platform, external_id=chat_id, lock=lock)
    if state is None:
        raise NotFound(
            "This chat has not started yet; send /start first",
            zh="这个聊天还没有开始，请先发送 /start",
            detail=f"unknown chat {platform}:{chat_id}",
        )
    return state


async def _register(
    session: AsyncSession, platform: str, chat_id: str, values: dict[str, Any], code: str | None
) -> tuple[ChatState, bool]:
    """Insert the chat with `values`, or update it with them; (state, whether it is new)."""
    first = {"chat_type": ChatType.PRIVATE.value, **values, **_language(None, platform, code)}
    inserted = await queries.insert_chat_if_absent(
        session, platform=platform, external_id=chat_id, values=first
    )
    state = await require_chat(session, platform=platform, chat_id=chat_id, lock=not inserted)
    if not inserted:
        await queries.update_chat(
            session, chat_id=state.id, values={**values, **_language(state, platform, code)}
        )
        state = await require_chat(session, platform=platform, chat_id=chat_id)
    return state, inserted


async def start_chat(
    db: Database,
    *,
    platform: str,
    chat_id: str,
    chat_type: str,
    title: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
) -> ChatState:
    """/start: register the chat or re-activate it (topics kept, pause and block cleared)."""
    _checked(platform, chat_id)
    now = utcnow()
    values = {
        **_profile(chat_type, title, username),
        "active": True,
        "paused": False,
        "blocked_at": None,
        "started_at": now,
        "stopped_at": None,
        "last_seen_at": now,
    }
    async with db.session() as session:
        state, is_new = await _register(session, platform, chat_id, values, language_code)
        await _audit(session, state, "chat.start", {"new": is_new})
    return replace(state, is_new=is_new)


async def touch_chat(
    db: Database,
    *,
    platform: str,
    chat_id: str,
    chat_type: str | None = None,
    title: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
) -> ChatState:
    """Any message from the chat: note when (WeChat's reply window), learn its language.

    An unknown chat is registered without subscribing it (active=False; chat_type "private"
    unless given): /search works before /start, and /start later keeps what was learnt. None
    leaves a field as it is. A message proves the bot is not blocked.
    """
    _checked(platform, chat_id)
    profile = _profile(chat_type, title, username)
    async with db.session() as session:
        known = await queries.get_chat(session, platform=platform, external_id=chat_id)
        if known is not None and _nothing_new(known, profile, platform, language_code):
            return known
        values = {**profile, "last_seen_at": utcnow(), "blocked_at": None}
        state, is_new = await _register(session, platform, chat_id, values, language_code)
    return replace(state, is_new=is_new)


def _nothing_new(
    state: ChatState, profile: dict[str, Any], platform: str, code: str | None
) -> bool:
    """Seen within the minute, same profile and language, not blocked: skip the write.

    Every command touches its chat; writing each time made SQLite's write lock the bottleneck
    under load (bench_telegram). A minute is far finer than WeChat's 48-hour window needs.
    """
    seen = state.last_seen_at
    if seen is None or utcnow() - seen >= TOUCH_INTERVAL or state.blocked_at is not None:
        return False
    wanted = {**profile, **_language(state, platform, code)}
    return all(getattr(state, name) == value for name, value in wanted.items())


async def stop_chat(db: Database, *, platform: str, chat_id: str) -> ChatState:
    """/stop: no more deliveries; topics and settings stay for the next /start."""
    async with db.session() as session:
        state = await require_chat(session, platform=platform, chat_id=chat_id, lock=True)
        await queries.update_chat(
            session, chat_id=state.id, values={"active": False, "stopped_at": utcnow()}
        )
        await _audit(session, state, "chat.stop", {"was_active": state.active})
        return await require_chat(session, platform=platform, chat_id=chat_id)


async def mark_blocked(db: Database, *, platform: str, chat_id: str) -> ChatState | None:
    """The platform says the bot was blocked or removed: stop delivering. None if unknown."""
    _checked(platform, chat_id)
    async with db.session() as session:
        state = await queries.get_chat(session, platform=platform, external_id=chat_id, lock=True)
        if state is None:
            return None
        values = {"active": False, "blocked_at": utcnow()}
        await queries.update_chat(session, chat_id=state.id, values=values)
        await _audit(session, state, "chat.blocked", {"was_active": state.active})
        return await require_chat(session, platform=platform, chat_id=chat_id)


async def get_chat_state(db: Database, *, platform: str, chat_id: str) -> ChatState:
    """The chat's state; NotFound ("send /start first") when it never wrote to the bot."""
    async with db.session() as session:
        return await require_chat(session, platform=platform, chat_id=chat_id)


async def update_settings(
    db: Database,
    *,
    platform: str,
    chat_id: str,
    language: str | None = None,
    digest_mode: str | None = None,
    paused: bool | None = None,
    no_match_note: bool | None = None,
    for_you: bool | None = None,
) -> ChatState:
    """/settings: change any of these (None leaves it); InvalidInput names the bad value."""
    values = _settings_values(language, digest_mode, paused, no_match_note, for_you)
    async with db.session() as session:
        state = await require_chat(session, platform=platform, chat_id=chat_id, lock=True)
        await queries.update_chat(session, chat_id=state.id, values=values)
        if values:
            await _audit(session, state, "chat.settings", _printable(values))
        return await require_chat(session, platform=platform, chat_id=chat_id)


def _settings_values(
    language: str | None,
    digest_mode: str | None,
    paused: bool | None,
    note: bool | None,
    for_you: bool | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if language is not None:
        if language.strip().lower() not in LANGUAGES:
            raise InvalidInput("Language must be zh or en", zh="语言只能是 zh 或 en")
        values.update(language=language.strip().lower(), language_source=FROM_SETTINGS)
    if digest_mode is not None:
        if digest_mode.strip().lower() not in DigestMode.__members__.values():
            raise InvalidInput(
                "Digest mode must be all (everything) or topics (only my topics)",
                zh="推送模式只能是 all（全部）或 topics（只看我的话题）",
            )
        values["digest_mode"] = digest_mode.strip().lower()
    for name, flag in (("paused", paused), ("no_match_note", note), ("for_you", for_you)):
        if flag is not None and not isinstance(flag, bool):
            raise InvalidInput(f"{name} must be on or off", zh=f"{name} 只能是开或关")
        if flag is not None:
            values[name] = flag
    return values


def _printable(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key != "language_source"}


async def active_chats(db: Database, *, platform: str | None = None) -> tuple[ChatState, ...]:
    """Chats that should get digests now: started, not stopped, not paused, not blocked."""
    async with db.session() as session:
        return tuple(await queries.receiving_chats(session, platform=platform))


async def _audit(
    session: AsyncSession, state: ChatState, action: str, detail: dict[str, Any]
) -> None:
    actor = f"{state.platform}:{state.chat_id}"[:64]
    await audit.record(
        session, actor=actor, action=action, target=f"chat:{state.id}", detail=detail
    )
