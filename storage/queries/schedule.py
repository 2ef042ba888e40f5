"""Issue states the scheduled jobs act on: what to publish, which drafts auto-publish may take.

"Touched" is decided here, in one expression, so the auto-publish check and the approval it
leads to (`storage.queries.review.approve_issue`, through `core.services.review.approve`)
agree: a draft is touched when any audit-log row about it was written by an actor outside the
given system actors. An audit row is about issue N when its target is `issue:N` or starts with
`issue:N/` or `issue:N:` (an item of the issue). Issue numbers are never reused, so every such
row was written after the issue was composed.

The drafts and auto-publish rules act on dailies only (`DAILY`): a weekly round-up (numbered
apart) is always approved by an editor; once approved, the publish run sends it like a daily.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import IssueKind, IssueStatus
from storage.models import AuditLog, Issue

DAILY = Issue.kind == IssueKind.DAILY.value


async def approved_unpublished(
    session: AsyncSession, *, kind: IssueKind = IssueKind.DAILY
) -> list[int]:
    """Numbers of approved issues of `kind` not yet published, oldest first."""
    rows = await session.scalars(
        select(Issue.number)
        .where(
            Issue.status == IssueStatus.APPROVED.value,
            Issue.published_at.is_(None),
            Issue.kind == kind.value,
        )
        .order_by(Issue.number)
    )
    return list(rows)


async def newest_open_draft(session: AsyncSession) -> int | None:
    """The newest draft, unless a later issue was already published (then it is a leftover)."""
    newest = await session.scalar(
        select(func.max(Issue.number)).where(Issue.status == IssueStatus.DRAFT.value, DAILY)
    )
    if newest is None:
        return None
    published = await session.scalar(
        select(func.max(Issue.number)).where(Issue.status == IssueStatus.PUBLISHED.value, DAILY)
    )
    return int(newest) if published is None or newest > published else None


def touched(system_actors: Collection[str]) -> ColumnElement[bool]:
    """True for an issue some audit row about it was written by an actor not in the list."""
    target = literal("issue:") + cast(Issue.number, String)
    about_issue = or_(
        AuditLog.target == target,
        AuditLog.target.like(target + "/%"),
        AuditLog.target.like(target + ":%"),
    )
    return exists().where(about_issue, AuditLog.actor.not_in(list(system_actors)))


async def untouched_drafts(
    session: AsyncSession, *, created_before: datetime, system_actors: Collection[str]
) -> list[int]:
    """Drafts composed at or before `created_before` that no one but the system has touched."""
    rows = await session.scalars(
        select(Issue.number)
        .where(
            Issue.status == IssueStatus.DRAFT.value,
            DAILY,
            Issue.created_at <= created_before,
            ~touched(system_actors),
        )
        .order_by(Issue.number)
    )
    return list(rows)
