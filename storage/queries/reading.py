"""What the summarizer read and what its guards found, for /stats.

Each summary records what it was written from (`text_source`: html | pdf | abstract), its
tokens and cost, and its guard flags; each summarize run its totals. These queries read them
back per day and for the last run; the counting rules (which flags block) stay in
`domain.guard_flags`, so the flags come back as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import SummarySource
from storage.models import AuditLog, SummarizeRun, Summary


@dataclass(frozen=True)
class SourceUsage:
    """Summaries written since some time from one text source."""

    text_source: str
    summaries: int
    llm: int  # written by the LLM: the ones with tokens and a cost
    tokens_in: int
    cost_usd: float


@dataclass(frozen=True)
class RunUsage:
    """One summarize run's totals."""

    started_at: datetime
    papers: int
    llm_ok: int
    flagged: int
    tokens_in: int
    cost_usd: float


async def usage_by_text_source(session: AsyncSession, *, since: datetime) -> list[SourceUsage]:
    """Per text source, the summaries created since `since` (sources with none left out)."""
    llm = case((Summary.source == SummarySource.LLM.value, 1), else_=0)
    rows = await session.execute(
        select(
            Summary.text_source,
            func.count(Summary.id),
            func.coalesce(func.sum(llm), 0),
            func.coalesce(func.sum(Summary.tokens_in), 0),
            func.coalesce(func.sum(Summary.cost_usd), 0.0),
        )
        .where(Summary.created_at >= since)
        .group_by(Summary.text_source)
        .order_by(Summary.text_source)
    )
    return [
        SourceUsage(str(source), int(n), int(by_llm), int(tokens), float(cost))
        for source, n, by_llm, tokens, cost in rows
    ]


async def flags_since(session: AsyncSession, *, since: datetime) -> list[list[str]]:
    """The flag lists of the summaries created since `since` that have any (JSON lists are
    compared in Python: SQLite and PostgreSQL disagree on JSON equality)."""
    rows = await session.scalars(select(Summary.flags).where(Summary.created_at >= since))
    return [list(flags) for flags in rows if flags]


async def last_run(session: AsyncSession) -> RunUsage | None:
    """The latest finished summarize run's totals, or None before the first."""
    row = await session.scalar(
        select(SummarizeRun)
        .where(SummarizeRun.finished_at.is_not(None))
        .order_by(SummarizeRun.started_at.desc(), SummarizeRun.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    return RunUsage(
        row.started_at, row.papers, row.llm_ok, row.flagged, row.tokens_in, row.cost_usd
    )


async def audited_since(session: AsyncSession, *, since: datetime, actor: str, action: str) -> int:
    """Audit rows by `actor` with `action` since `since` (papers auto-publish left out)."""
    query = select(func.count(AuditLog.id)).where(
        AuditLog.at >= since, AuditLog.actor == actor, AuditLog.action == action
    )
    return int(await session.scalar(query) or 0)
