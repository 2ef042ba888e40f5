"""Topics of chats: list, add (duplicates collide on the normalized key), delete by owner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Topic
from storage.queries.batching import batches
from storage.types import utcnow


@dataclass(frozen=True)
class TopicRow:
    """A stored topic; core turns `parsed` back into a TopicQuery."""

    id: int
    chat_id: int
    kind: str
    query: str
    query_key: str
    parsed: dict[str, Any]
    created_at: datetime


def _row(topic: Topic) -> TopicRow:
    return TopicRow(
        id=topic.id,
        chat_id=topic.chat_id,
        kind=topic.kind,
        query=topic.query,
        query_key=topic.query_key,
        parsed=dict(topic.parsed or {}),
        created_at=topic.created_at,
    )


async def list_topics(session: AsyncSession, *, chat_id: int) -> list[TopicRow]:
    """The chat's topics, oldest first (the order they were added)."""
    rows = await session.scalars(select(Topic).where(Topic.chat_id == chat_id).order_by(Topic.id))
    return [_row(topic) for topic in rows]


async def topics_for_chats(
    session: AsyncSession, *, chat_ids: Sequence[int]
) -> dict[int, list[TopicRow]]:
    """Topics of many chats at once (delivery), keyed by chat id; chats without any absent."""
    found: dict[int, list[TopicRow]] = {}
    for chunk in batches(chat_ids):
        rows = await session.scalars(
            select(Topic).where(Topic.chat_id.in_(chunk)).order_by(Topic.id)
        )
        for topic in rows:
            found.setdefault(topic.chat_id, []).append(_row(topic))
    return found


async def topic_specs_in_range(
    session: AsyncSession, *, first_chat_id: int, last_chat_id: int
) -> dict[int, list[tuple[str, str]]]:
    """(query, parsed as its JSON text) of the topics of chats `first_chat_id`..`last_chat_id`
    (inclusive), oldest first, keyed by chat id (chats without absent). For delivery planning,
    which reads hundreds of thousands: one index range per page of chats — an `IN (…)` list of
    ids led PostgreSQL, misjudging how many topics a chat has, to scan the whole table per
    list — plain Core rows, and `parsed` left undecoded (the planner decodes each distinct
    topic once)."""
    connection = await session.connection()
    rows = await connection.execute(
        select(Topic.chat_id, Topic.query, cast(Topic.parsed, Text))
        .where(Topic.chat_id >= first_chat_id, Topic.chat_id <= last_chat_id)
        .order_by(Topic.chat_id, Topic.id)
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for chat_id, query, parsed in rows:
        found.setdefault(chat_id, []).append((query, parsed or "{}"))
    return found


async def count_topics(session: AsyncSession, *, chat_id: int) -> int:
    query = select(func.count(Topic.id)).where(Topic.chat_id == chat_id)
    return int(await session.scalar(query) or 0)


async def insert_topic(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    query: str,
    query_key: str,
    parsed: dict[str, Any],
) -> TopicRow | None:
    """The new topic, or None when the chat already follows one with this key."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    created_at = utcnow()
    values = dict(chat_id=chat_id, kind=kind, query=query, query_key=query_key, parsed=parsed)
    statement = (
        dialect.insert(Topic)
        .values(created_at=created_at, **values)
        .on_conflict_do_nothing(index_elements=["chat_id", "query_key"])
        .returning(Topic.id)
    )
    topic_id = (await session.execute(statement)).scalar()
    if topic_id is None:
        return None
    return TopicRow(
        id=int(topic_id),
        chat_id=chat_id,
        kind=kind,
        query=query,
        query_key=query_key,
        parsed=parsed,
        created_at=created_at,
    )


async def find_topic_by_key(
    session: AsyncSession, *, chat_id: int, query_key: str
) -> TopicRow | None:
    query = select(Topic).where(Topic.chat_id == chat_id, Topic.query_key == query_key)
    topic = await session.scalar(query)
    return _row(topic) if topic else None


async def delete_topic(session: AsyncSession, *, chat_id: int, topic_id: int) -> TopicRow | None:
    """Delete the topic only if it belongs to `chat_id`: a forged id deletes nothing."""
    topic = await session.scalar(
        select(Topic).where(Topic.id == topic_id, Topic.chat_id == chat_id)
    )
    if topic is None:
        return None
    row = _row(topic)
    await session.execute(delete(Topic).where(Topic.id == topic_id, Topic.chat_id == chat_id))
    return row
