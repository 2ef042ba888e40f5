"""The delivery ledger: plan rows idempotently, claim them, record each accepted part, finish.

Every write after the claim is fenced by `token` (the row's `attempts` at claim time): a worker
whose row was taken over by another run (its lease expired) updates nothing and stops. A row is
leased while `status == "sending"`; its worker refreshes `updated_at` (a heartbeat), and another
run may take it over only once `updated_at` is older than the caller's `stale_before`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import PUBLISHABLE_STATUSES, IssueStatus
from storage.db import Database
from storage.models import Chat, Delivery, Issue
from storage.types import utcnow

PENDING, SENDING, SENT = "pending", "sending", "sent"
FAILED, BLOCKED, SKIPPED = "failed", "blocked", "skipped"
FINAL = frozenset({SENT, FAILED, BLOCKED, SKIPPED})
CANDIDATES = 8  # rows read per claim, in case other runs win the first ones


@dataclass(frozen=True)
class NewDelivery:
    """One planned target: `status` is "pending", or "skipped" (nothing to send)."""

    target: str
    kind: str  # channel | subscriber | note
    chat_id: int | None
    paper_ids: tuple[int, ...] = ()
    status: str = PENDING


@dataclass(frozen=True)
class ClaimedDelivery:
    """A row this worker now holds; `token` fences every later write."""

    id: int
    target: str
    kind: str
    chat_id: int | None
    paper_ids: tuple[int, ...]
    messages_sent: int
    message_ids: tuple[str, ...]
    token: int
    interrupted: bool  # it was "sending" under an earlier run that stopped
    language: str | None = None  # the chat's, if known
    recommended: tuple[int, ...] | None = None  # set: ordered at send time (`recommended_ids`)


async def create_deliveries(
    session: AsyncSession, *, issue_id: int, platform: str, rows: Sequence[NewDelivery]
) -> int:
    """Insert the planned rows, ignoring targets already in the ledger; how many were new."""
    before = await count_deliveries(session, issue_id=issue_id, platform=platform)
    await insert_deliveries(session, issue_id=issue_id, platform=platform, rows=rows)
    return await count_deliveries(session, issue_id=issue_id, platform=platform) - before


async def insert_deliveries(
    session: AsyncSession, *, issue_id: int, platform: str, rows: Sequence[NewDelivery]
) -> None:
    """Insert the planned rows, ignoring targets already in the ledger, each driver's fastest
    way (nothing is returned: count the ledger around it, as `create_deliveries` does):
    SQLite's executemany is a C loop; on PostgreSQL (where psycopg's executemany is a statement
    per row) one INSERT … SELECT FROM unnest() of a few arrays writes the whole batch."""
    if not rows:
        return
    connection = await session.connection()
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        await connection.execute(_UNNEST_INSERT, _columns(issue_id, platform, rows, now))
        return
    statement = sqlite.insert(Delivery).on_conflict_do_nothing(
        index_elements=["issue_id", "platform", "target"]
    )
    await connection.execute(statement, [_new_row(issue_id, platform, row, now) for row in rows])


_UNNEST_INSERT = text(
    "INSERT INTO deliveries (issue_id, platform, target, chat_id, kind, status, paper_ids,"
    " messages_total, messages_sent, message_ids, attempts, created_at, updated_at)"
    " SELECT :issue_id, :platform, r.target, r.chat_id, r.kind, r.status, CAST(r.papers AS json),"
    " 0, 0, CAST('[]' AS json), 0, :now, :now"
    " FROM unnest(CAST(:targets AS text[]), CAST(:chat_ids AS bigint[]), CAST(:kinds AS text[]),"
    " CAST(:statuses AS text[]), CAST(:papers AS text[]))"
    " AS r(target, chat_id, kind, status, papers)"
    " ON CONFLICT (issue_id, platform, target) DO NOTHING"
)


def _columns(
    issue_id: int, platform: str, rows: Sequence[NewDelivery], now: datetime
) -> dict[str, Any]:
    papers: dict[tuple[int, ...], str] = {}  # rows share a few paper lists: encode each once
    return {
        "issue_id": issue_id,
        "platform": platform,
        "now": now,
        "targets": [row.target for row in rows],
        "chat_ids": [row.chat_id for row in rows],
        "kinds": [row.kind for row in rows],
        "statuses": [row.status for row in rows],
        "papers": [
            papers.get(row.paper_ids) or papers.setdefault(row.paper_ids, json.dumps(row.paper_ids))
            for row in rows
        ],
    }


def _new_row(issue_id: int, platform: str, row: NewDelivery, now: datetime) -> dict[str, Any]:
    return {
        "issue_id": issue_id,
        "platform": platform,
        "target": row.target,
        "chat_id": row.chat_id,
        "kind": row.kind,
        "status": row.status,
        "paper_ids": list(row.paper_ids),
        "message_ids": [],
        "created_at": now,
        "updated_at": now,
    }


async def count_deliveries(session: AsyncSession, *, issue_id: int, platform: str) -> int:
    query = select(func.count()).where(Delivery.issue_id == issue_id, Delivery.platform == platform)
    return int(await session.scalar(query) or 0)


def _claimable(stale_before: datetime) -> ColumnElement[bool]:
    stale = and_(Delivery.status == SENDING, Delivery.updated_at < stale_before)
    return or_(Delivery.status == PENDING, stale)


async def claim_one(
    session: AsyncSession, *, issue_id: int, platform: str, stale_before: datetime
) -> ClaimedDelivery | None:
    """Take the oldest pending row (or one whose worker went silent); None when none is left.

    Another run may win a candidate between our read and our update: we then try the next.
    """
    query = (
        select(Delivery, Chat.language)
        .outerjoin(Chat, Chat.id == Delivery.chat_id)
        .where(Delivery.issue_id == issue_id, Delivery.platform == platform)
        .where(_claimable(stale_before))
        .order_by(Delivery.id)
        .limit(CANDIDATES)
    )
    for row, language in (await session.execute(query)).all():
        claimed = _claimed(row, language)  # before _take: the update refreshes `row`
        if await _take(session, row.id, row.attempts, stale_before):
            return claimed
    return None


async def claim_batch(
    session: AsyncSession, *, issue_id: int, platform: str, stale_before: datetime, limit: int
) -> list[ClaimedDelivery]:
    """Up to `limit` claimable rows, oldest first, in one round trip (PostgreSQL).

    `FOR UPDATE SKIP LOCKED` hands each row to exactly one of the runs claiming at once, and
    none of them waits on another's locks; the update is the same claim as `_take`'s. Core
    text, not the ORM: at paid rates claims run hundreds of times a second, and the chat's
    language comes back in the same statement."""
    connection = await session.connection()
    params = {"issue_id": issue_id, "platform": platform, "stale_before": stale_before,
              "limit": limit, "now": utcnow()}  # fmt: skip
    claims = [
        ClaimedDelivery(
            id=row.id, target=row.target, kind=row.kind, chat_id=row.chat_id,
            paper_ids=tuple(row.paper_ids or ()), messages_sent=row.messages_sent,
            message_ids=tuple(row.message_ids or ()), token=row.attempts,
            interrupted=row.was == SENDING, language=row.language,
            recommended=_ids(row.recommended_ids),
        )
        for row in await connection.execute(_CLAIM_BATCH, params)
    ]  # fmt: skip
    return sorted(claims, key=lambda claim: claim.id)


_CLAIM_BATCH = text(
    "WITH picked AS (SELECT id, status AS was FROM deliveries"
    " WHERE issue_id = :issue_id AND platform = :platform"
    " AND (status = 'pending' OR (status = 'sending' AND updated_at < :stale_before))"
    " ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)"
    " UPDATE deliveries AS d SET status = 'sending', attempts = d.attempts + 1, updated_at = :now"
    " FROM picked WHERE d.id = picked.id"
    " RETURNING d.id, d.target, d.kind, d.chat_id, d.paper_ids, d.messages_sent, d.message_ids,"
    " d.attempts, picked.was, d.recommended_ids,"
    " (SELECT c.language FROM chats AS c WHERE c.id = d.chat_id) AS language"
)


async def _take(session: AsyncSession, row_id: int, attempts: int, stale_before: datetime) -> bool:
    # Conditional on the attempts we read: of two runs racing for a row, exactly one wins.
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == row_id, Delivery.attempts == attempts, _claimable(stale_before))
        .values(status=SENDING, attempts=attempts + 1, updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _claimed(row: Delivery, language: str | None) -> ClaimedDelivery:
    return ClaimedDelivery(
        id=row.id,
        target=row.target,
        kind=row.kind,
        chat_id=row.chat_id,
        paper_ids=tuple(row.paper_ids or ()),
        messages_sent=row.messages_sent,
        message_ids=tuple(row.message_ids or ()),
        token=row.attempts + 1,
        interrupted=row.status == SENDING,
        language=language,
        recommended=_ids(row.recommended_ids),
    )


def _ids(stored: list[int] | None) -> tuple[int, ...] | None:
    return None if stored is None else tuple(stored)


async def oldest_lease(session: AsyncSession, *, issue_id: int, platform: str) -> datetime | None:
    """When the stalest "sending" row was last touched (None: no row is being sent)."""
    query = select(func.min(Delivery.updated_at)).where(
        Delivery.issue_id == issue_id, Delivery.platform == platform, Delivery.status == SENDING
    )
    return await session.scalar(query)


def _fenced(delivery_id: int, token: int) -> ColumnElement[bool]:
    return and_(Delivery.id == delivery_id, Delivery.attempts == token, Delivery.status == SENDING)


async def heartbeat(session: AsyncSession, *, delivery_id: int, token: int) -> bool:
    """Renew the lease; False when another run took the row over."""
    statement = (
        update(Delivery)
        .where(_fenced(delivery_id, token))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)  # no ORM objects to refresh: cheaper
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def record_part(
    session: AsyncSession,
    *,
    delivery_id: int,
    token: int,
    message_ids: Sequence[str],
    messages_total: int,
    last: bool = False,
) -> bool:
    """The platform accepted one more part: `message_ids` now lists every accepted part.
    `last`: it was the final one, so the row is sent too (the same write, as `finish`'s)."""
    now = utcnow()
    values: dict[str, Any] = {
        "messages_sent": len(message_ids),
        "message_ids": list(message_ids),
        "messages_total": messages_total,
        "updated_at": now,
    }
    if last:
        values.update(status=SENT, sent_at=now, last_error=None)
    statement = (
        update(Delivery)
        .where(_fenced(delivery_id, token), Delivery.messages_sent == len(message_ids) - 1)
        .values(**values)
        .execution_options(synchronize_session=False)  # once per message: keep it cheap
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ConfirmedPart:
    """An accepted part for `record_parts`: every accepted id of the row so far; `last`."""

    delivery_id: int
    token: int
    message_ids: tuple[str, ...]
    messages_total: int
    last: bool = False


async def record_parts(db: Database, parts: Sequence[ConfirmedPart]) -> set[int]:
    """`record_part` for several rows (at most one part each) at once; the ids recorded.

    PostgreSQL: one `UPDATE … FROM unnest(…)` for the lot, fenced row by row exactly like
    `record_part`, in autocommit (one statement is atomic: no BEGIN/COMMIT round trips);
    SQLite: `record_part` per row in one transaction."""
    if not parts:
        return set()
    if db.is_sqlite:
        async with db.session() as session:
            return {
                part.delivery_id for part in parts
                if await record_part(
                    session, delivery_id=part.delivery_id, token=part.token,
                    message_ids=part.message_ids, messages_total=part.messages_total,
                    last=part.last,
                )
            }  # fmt: skip
    params = {
        "now": utcnow(), "ids": [part.delivery_id for part in parts],
        "tokens": [part.token for part in parts],
        "sent": [len(part.message_ids) for part in parts],
        "message_ids": [json.dumps(list(part.message_ids)) for part in parts],
        "totals": [part.messages_total for part in parts], "last": [part.last for part in parts],
    }  # fmt: skip
    async with db.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return {row_id for (row_id,) in await connection.execute(_RECORD_PARTS, params)}


_RECORD_PARTS = text(
    "UPDATE deliveries AS d SET messages_sent = v.sent, message_ids = CAST(v.message_ids AS json),"
    " messages_total = v.total, updated_at = :now,"
    " status = CASE WHEN v.last THEN 'sent' ELSE d.status END,"
    " sent_at = CASE WHEN v.last THEN :now ELSE d.sent_at END,"
    " last_error = CASE WHEN v.last THEN NULL ELSE d.last_error END"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:tokens AS integer[]), CAST(:sent AS integer[]),"
    " CAST(:message_ids AS text[]), CAST(:totals AS integer[]), CAST(:last AS boolean[]))"
    " AS v(id, token, sent, message_ids, total, last)"
    " WHERE d.id = v.id AND d.attempts = v.token AND d.status = 'sending'"
    " AND d.messages_sent = v.sent - 1"
    " RETURNING d.id"
)


async def finish(
    session: AsyncSession, *, delivery_id: int, token: int, status: str, error: str | None = None
) -> bool:
    """End the row: a final status, or PENDING to leave it for the next run."""
    now = utcnow()
    values: dict[str, Any] = {"status": status, "updated_at": now, "last_error": error}
    if status == SENT:
        values["sent_at"] = now
    statement = (
        update(Delivery)
        .where(_fenced(delivery_id, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def status_counts(
    session: AsyncSession, *, issue_id: int, platform: str
) -> dict[tuple[str, str], int]:
    """{(kind, status): rows} for one issue on one platform."""
    query = (
        select(Delivery.kind, Delivery.status, func.count())
        .where(Delivery.issue_id == issue_id, Delivery.platform == platform)
        .group_by(Delivery.kind, Delivery.status)
    )
    return {(kind, status): int(n) for kind, status, n in await session.execute(query)}


async def sent_since(session: AsyncSession, *, since: datetime) -> tuple[int, int]:
    """(targets, messages) delivered since `since` — e.g. the start of today for /stats."""
    query = select(func.count(), func.coalesce(func.sum(Delivery.messages_sent), 0)).where(
        Delivery.status == SENT, Delivery.sent_at >= since
    )
    targets, messages = (await session.execute(query)).one()
    return int(targets), int(messages)


async def mark_issue_published(session: AsyncSession, *, issue_id: int, at: datetime) -> bool:
    """draft/approved → published; False when it was already published (or rejected)."""
    publishable = [status.value for status in PUBLISHABLE_STATUSES]
    statement = (
        update(Issue)
        .where(Issue.id == issue_id, Issue.status.in_(publishable))
        .values(status=IssueStatus.PUBLISHED.value, published_at=at)
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]
