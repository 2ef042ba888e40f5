"""The rows behind editorial review and /stats: lock an issue, change it, reorder, count things.

Every row change an editorial decision makes (approve, reject, include/exclude, move, edit) is
written here and only here; the rules deciding whether it may happen live in
`core.services.review`, which every caller (admin commands, the CLI, the scheduler, auto-publish)
goes through. Changes lock the issue row first (FOR UPDATE on PostgreSQL; SQLite serializes
writers), so two admins pressing buttons at once never leave positions duplicated or gapped, and
the status changes are conditional UPDATEs, so a decision taken at the same moment elsewhere wins
or loses cleanly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.types import IssueKind, IssueStatus
from storage.models import Chat, Delivery, Issue, IssueItem, Paper, SummarizeRun
from storage.queries.deliveries import sent_since
from storage.queries.schedule import touched

ITEM_COLUMNS = {"tldr": "tldr_override", "title": "title_override", "note": "editor_note"}


@dataclass(frozen=True)
class LockedItem:
    position: int
    paper_id: int
    included: bool


@dataclass(frozen=True)
class LockedIssue:
    """What the review rules look at, read under the issue's lock; items in position order."""

    number: int
    status: IssueStatus
    items: tuple[LockedItem, ...]

    @property
    def included(self) -> int:
        return sum(item.included for item in self.items)


async def lock_issue(
    session: AsyncSession, *, number: int, kind: IssueKind = IssueKind.DAILY
) -> LockedIssue | None:
    """Issue `number` locked until the transaction ends, as plain values; None if missing."""
    issue = await issue_for_update(session, number=number, kind=kind)
    if issue is None:
        return None
    items = tuple(
        LockedItem(position=item.position, paper_id=item.paper_id, included=item.included)
        for item in ordered(issue.items)
    )
    return LockedIssue(number=issue.number, status=IssueStatus(issue.status), items=items)


async def approve_issue(
    session: AsyncSession,
    *,
    number: int,
    approved_by: str,
    now: datetime,
    untouched_by: Collection[str] | None = None,
    kind: IssueKind = IssueKind.DAILY,
) -> bool:
    """draft → approved (and, given `untouched_by`, only if no one else touched it): one
    conditional UPDATE. Returns whether this call approved it."""
    conditions = [
        Issue.number == number,
        Issue.kind == kind.value,
        Issue.status == IssueStatus.DRAFT.value,
    ]
    if untouched_by is not None:
        conditions.append(~touched(untouched_by))
    values = {"status": IssueStatus.APPROVED.value, "approved_by": approved_by, "approved_at": now}
    return await _update_issue(session, conditions, values)


async def reject_issue(
    session: AsyncSession,
    *,
    number: int,
    reason: str,
    allowed: Collection[IssueStatus],
    kind: IssueKind = IssueKind.DAILY,
) -> bool:
    """`allowed` → rejected with the reason, forgetting any approval; whether it changed."""
    conditions = [
        Issue.number == number, Issue.kind == kind.value,
        Issue.status.in_([s.value for s in allowed]),
    ]  # fmt: skip
    values = {
        "status": IssueStatus.REJECTED.value, "rejected_reason": reason,
        "approved_by": None, "approved_at": None,
    }  # fmt: skip
    return await _update_issue(session, conditions, values)


async def set_item_text(
    session: AsyncSession,
    *,
    number: int,
    position: int,
    field: str,
    value: str | None,
    kind: IssueKind = IssueKind.DAILY,
) -> str | None:
    """The editor's title, TL;DR or note for the paper at `position`; the text it replaced."""
    item = await _item(session, number, position, kind)
    column = ITEM_COLUMNS[field]
    before: str | None = getattr(item, column)
    setattr(item, column, value)
    return before


async def set_item_included(
    session: AsyncSession, *, number: int, position: int, included: bool
) -> None:
    (await _item(session, number, position)).included = included


async def swap_items(session: AsyncSession, *, number: int, position: int, other: int) -> None:
    """Exchange the papers at positions `position` and `other` (1-based)."""
    issue = await issue_for_update(session, number=number)
    assert issue is not None
    swap(issue.items, position - 1, other - 1)


async def renumber_issue(
    session: AsyncSession, *, number: int, kind: IssueKind = IssueKind.DAILY
) -> None:
    issue = await issue_for_update(session, number=number, kind=kind)
    assert issue is not None
    renumber(issue.items)


async def _item(
    session: AsyncSession, number: int, position: int, kind: IssueKind = IssueKind.DAILY
) -> IssueItem:
    issue = await issue_for_update(session, number=number, kind=kind)
    assert issue is not None
    return ordered(issue.items)[position - 1]


async def _update_issue(
    session: AsyncSession, conditions: Sequence[ColumnElement[bool]], values: Mapping[str, object]
) -> bool:
    statement = (
        update(Issue)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def issue_for_update(
    session: AsyncSession, *, number: int, kind: IssueKind = IssueKind.DAILY
) -> Issue | None:
    """The issue with its items (position order), locked until the transaction ends."""
    return await session.scalar(
        select(Issue)
        .where(Issue.number == number, Issue.kind == kind.value)
        .options(selectinload(Issue.items))
        .with_for_update()
    )


async def rejected_reason(
    session: AsyncSession, *, number: int, kind: IssueKind = IssueKind.DAILY
) -> str | None:
    return await session.scalar(
        select(Issue.rejected_reason).where(Issue.number == number, Issue.kind == kind.value)
    )


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


async def llm_usage_since(session: AsyncSession, *, since: datetime) -> tuple[int, int, float, int]:
    """(tokens in, tokens out, cost in USD, papers summarized by the LLM) of summarize runs
    started since `since`."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(SummarizeRun.tokens_in), 0),
                func.coalesce(func.sum(SummarizeRun.tokens_out), 0),
                func.coalesce(func.sum(SummarizeRun.cost_usd), 0.0),
                func.coalesce(func.sum(SummarizeRun.llm_ok), 0),
            ).where(SummarizeRun.started_at >= since)
        )
    ).one()
    return int(row[0]), int(row[1]), float(row[2]), int(row[3])


async def _count(session: AsyncSession, column: object, *where: object) -> int:
    query = select(func.count(column))  # type: ignore[arg-type]
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    return int(await session.scalar(query) or 0)
