"""Chats (subscribers): find, register race-free, update, and list those receiving digests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import ChatState, DigestMode
from storage.models import Chat, Topic
from storage.types import utcnow

# Columns services may change; the identity (platform, external_id) and created_at never move.
UPDATABLE = frozenset(
    {
        "chat_type",
        "title",
        "username",
        "language",
        "language_source",
        "digest_mode",
        "no_match_note",
        "for_you",
        "active",
        "paused",
        "blocked_at",
        "last_seen_at",
        "started_at",
        "stopped_at",
    }
)


def to_state(row: Any, *, topic_count: int = 0, is_new: bool = False) -> ChatState:
    """A `Chat` (or a row of its columns) as the services see it."""
    return ChatState(
        id=row.id,
        platform=row.platform,
        chat_id=row.external_id,
        chat_type=row.chat_type,
        title=row.title,
        username=row.username,
        language=row.language,
        language_source=row.language_source,
        digest_mode=DigestMode(row.digest_mode),
        no_match_note=row.no_match_note,
        for_you=row.for_you,
        active=row.active,
        paused=row.paused,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        blocked_at=row.blocked_at,
        topic_count=topic_count,
        is_new=is_new,
    )


def _topic_count() -> Any:
    return select(func.count(Topic.id)).where(Topic.chat_id == Chat.id).scalar_subquery().label("n")


async def get_chat(
    session: AsyncSession, *, platform: str, external_id: str, lock: bool = False
) -> ChatState | None:
    """The chat, or None; `lock` holds its row (PostgreSQL) until the transaction ends."""
    query = select(Chat, _topic_count()).where(
        Chat.platform == platform, Chat.external_id == external_id
    )
    if lock:
        query = query.with_for_update(of=Chat)
    found = (await session.execute(query)).first()
    if found is None:
        return None
    return to_state(found[0], topic_count=int(found[1]))


async def insert_chat_if_absent(
    session: AsyncSession, *, platform: str, external_id: str, values: Mapping[str, Any]
) -> bool:
    """Register the chat unless it exists (two /start at once both succeed); True if new."""
    _check(values)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    row = {"platform": platform, "external_id": external_id, **_defaults(), **values}
    statement = (
        dialect.insert(Chat)
        .values(row)
        .on_conflict_do_nothing(index_elements=["platform", "external_id"])
        .returning(Chat.id)
    )
    return (await session.execute(statement)).first() is not None


def _defaults() -> dict[str, Any]:
    return {
        "digest_mode": DigestMode.ALL.value,
        "no_match_note": False,
        "for_you": True,
        "active": False,
        "paused": False,
        "created_at": utcnow(),
    }


async def update_chat(session: AsyncSession, *, chat_id: int, values: Mapping[str, Any]) -> None:
    """Set `values` on our chat `chat_id` (the internal id)."""
    _check(values)
    if values:
        await session.execute(update(Chat).where(Chat.id == chat_id).values(dict(values)))


def _check(values: Mapping[str, Any]) -> None:
    unknown = set(values) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable chat fields: {sorted(unknown)}")


async def receiving_chats(session: AsyncSession, *, platform: str | None = None) -> list[ChatState]:
    """Chats that get digests (active, not paused), oldest first."""
    query = select(Chat, _topic_count()).where(Chat.active.is_(True), Chat.paused.is_(False))
    if platform is not None:
        query = query.where(Chat.platform == platform)
    rows = await session.execute(query.order_by(Chat.id))
    return [to_state(chat, topic_count=int(count)) for chat, count in rows]


async def receiving_page(
    session: AsyncSession, *, platform: str, after_id: int, limit: int
) -> list[ChatState]:
    """One page of `receiving_chats` on `platform`: the first `limit` chats with an id above
    `after_id`, oldest first (keyset pagination: every page is an index range, however deep).
    Plain column rows, no ORM objects: planning reads hundreds of thousands of chats."""
    query = (
        select(*Chat.__table__.c, _topic_count())
        .where(Chat.active.is_(True), Chat.paused.is_(False))
        .where(Chat.platform == platform, Chat.id > after_id)
        .order_by(Chat.id)
        .limit(limit)
    )
    rows = await (await session.connection()).execute(query)  # Core rows: no ORM loading
    return [to_state(row, topic_count=int(row.n)) for row in rows]
