"""SQL behind editorial review and /stats: lock an issue for a change, reorder, count things.

Changes lock the issue row first (FOR UPDATE on PostgreSQL; SQLite serializes writers), so two
admins pressing buttons at once never leave positions duplicated or gapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Chat, Delivery, Issue, IssueItem, Paper, SummarizeRun
from storage.queries.deliveries import sent_since


async def issue_for_update(session: AsyncSession, *, number: int) -> Issue | None:
    """The issue with its items (position order), locked until the transaction ends."""
    return await session.scalar(
        select(Issue)
        .where(Issue.number == number)
        .options(selectinload(Issue.items))
        .with_for_update()
    )


async def rejected_reason(session: AsyncSession, *, number: int) -> str | None:
    return await session.scalar(select(Issue.rejected_reason).where(Issue.number == number))


def ordered(items: Sequence[IssueItem]) -> list[IssueItem]:
    return sorted(items, key=lambda item: (item.position, item.id))


def renumber(items: Sequence[IssueItem]) -> None:
    """Positions 1..n in the current order: no gaps, no duplicates."""
    for position, item in enumerate(ordered(items), start=1):
        item.position = position


def swap(items: Sequence[IssueItem], index: int, other: int) -> None:
    """Exchange the places of the items at list indexes `index` and `other`, then renumber."""
    rows = ordered(items)
    rows[index], rows[other] = rows[other], rows[index]
    for position, item in enumerate(rows, start=1):
        item.position = position


async def chat_counts(session: AsyncSession) -> tuple[int, int, int]:
    """(receiving, paused, blocked) subscriber counts over every platform."""
    active = Chat.active.is_(True)
    receiving = await _count(session, Chat.id, active, Chat.paused.is_(False))
    paused = await _count(session, Chat.id, active, Chat.paused.is_(True))
    blocked = await _count(session, Chat.id, Chat.blocked_at.is_not(None))
    return receiving, paused, blocked


async def paper_count(session: AsyncSession) -> int:
    return await _count(session, Paper.id)


async def issues_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Issue.status, func.count()).group_by(Issue.status))
    return {str(status): int(count) for status, count in rows}


async def deliveries_since(session: AsyncSession, *, since: datetime) -> tuple[int, int]:
    """(sent, failed) ledger rows that reached that state since `since`."""
    sent, _messages = await sent_since(session, since=since)
    failed = await _count(
        session, Delivery.id, Delivery.status == "failed", Delivery.updated_at >= since
    )
    return sent, failed


async def llm_usage_since(session: AsyncSession, *, since: datetime) -> tuple[int, int, float]:
    """(tokens in, tokens out, cost in USD) of summarize runs started since `since`."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(SummarizeRun.tokens_in), 0),
                func.coalesce(func.sum(SummarizeRun.tokens_out), 0),
                func.coalesce(func.sum(SummarizeRun.cost_usd), 0.0),
            ).where(SummarizeRun.started_at >= since)
        )
    ).one()
    return int(row[0]), int(row[1]), float(row[2])


async def _count(session: AsyncSession, column: object, *where: object) -> int:
    query = select(func.count(column))  # type: ignore[arg-type]
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    return int(await session.scalar(query) or 0)
