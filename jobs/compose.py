"""Compose the next numbered issue (第N期) from the papers summarized since the previous one.

Best papers first (reading score, then recency), at most ISSUE_MAX_PAPERS, titled from the
issue's topics like the hand-written weekly digests: `【第12期】20261120: TR-DPO、LaCo、…`.
With RANKING_BLEND=on the chosen papers are ordered by the score blended with readers' votes
on similar past papers instead (`core.services.ranking_votes.blended`).
Two composers racing never share a number or a paper: the unique issue number decides, and
the loser starts over with what is left.

The weekly round-up (周报, numbered apart, seed 001's shape) is `jobs.weekly`; with
DIGEST_FREQUENCY=weekly the compose job runs that instead of this.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.config_groups import EditorialSettings
from core.services import ranking_votes
from domain.errors import NothingToDo
from domain.types import IssueView, PaperView
from domain.withdrawn import is_withdrawn
from jobs.issue_topics import paper_topics
from storage.db import Database
from storage.queries import audit
from storage.queries.issues import (
    IssueNumberTaken,
    NewItem,
    compose_candidates,
    create_issue,
    get_issue_view,
    latest_issue_number,
    next_issue_number,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class _Plan:
    papers: list[PaperView]
    start: date
    end: date
    title: str


async def compose_issue(
    editorial: EditorialSettings,
    db: Database,
    *,
    now: datetime | None = None,
) -> IssueView:
    """Create the next issue as a draft and return it; NothingToDo when no paper is new."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            number = await _compose_once(editorial, db, now=now)
            break
        except IssueNumberTaken as exc:
            log.info("compose attempt %d lost a race (%s); retrying", attempt, exc)
    else:
        raise NothingToDo(
            "Another compose is running; try again in a moment.",
            zh="另一个任务正在组刊，请稍后再试。",
        )
    async with db.session() as session:
        view = await get_issue_view(session, number=number)
    assert view is not None  # committed just above
    return view


async def _compose_once(editorial: EditorialSettings, db: Database, *, now: datetime | None) -> int:
    language = editorial.language
    async with db.session() as session:
        number = await next_issue_number(session)
        plan = await _daily_plan(session, editorial, number)
        items = [NewItem(p.id, p.summary.id if p.summary else None) for p in plan.papers]
        await create_issue(
            session,
            number=number,
            title=plan.title,
            language=language,
            period_start=plan.start,
            period_end=plan.end,
            items=items,
            created_at=now,
        )
        detail = {"title": plan.title, "papers": [p.meta.arxiv_id for p in plan.papers]}
        await audit.record(
            session,
            actor="compose",
            action="issue.create",
            target=f"issue:{number}",
            detail=detail,
        )
    log.info("composed 第%d期 with %d papers", number, len(plan.papers))
    return number


async def _daily_plan(session: AsyncSession, editorial: EditorialSettings, number: int) -> _Plan:
    candidates = not_withdrawn(await compose_candidates(session, language=editorial.language))
    if not candidates:
        raise _nothing_new(await latest_issue_number(session))
    chosen = await _ordered(session, editorial, rank_papers(candidates)[: editorial.max_papers])
    start, end = issue_period(chosen, editorial.timezone)
    title = issue_title(number, start, end, chosen, editorial.language)
    return _Plan(chosen, start, end, title)


async def _ordered(
    session: AsyncSession, editorial: EditorialSettings, chosen: list[PaperView]
) -> list[PaperView]:
    """The chosen papers in the issue's order: the LLM's, or with RANKING_BLEND=on blended
    with readers' votes on similar past papers (which papers are chosen does not change)."""
    return await ranking_votes.blend_order(session, chosen) if editorial.blend else chosen


def _nothing_new(latest: int | None) -> NothingToDo:
    if latest is None:
        return NothingToDo(
            "No summarized papers to compose an issue from yet.", zh="还没有已摘要的论文可以组刊。"
        )
    return NothingToDo(f"No new papers since issue {latest}.", zh=f"自第{latest}期以来没有新论文。")


def not_withdrawn(papers: Sequence[PaperView]) -> list[PaperView]:
    """A withdrawn paper never enters an issue, whatever summary it got before it was."""
    return [paper for paper in papers if not is_withdrawn(paper.meta.comment, paper.meta.abstract)]


def rank_papers(papers: Sequence[PaperView]) -> list[PaperView]:
    """Rated before unrated (extractive summaries have no rating), higher score, then newer."""

    def key(paper: PaperView) -> tuple[bool, float, int, float, str]:
        rating = paper.summary.content.rating if paper.summary else None
        announced = paper.meta.announced_on.toordinal() if paper.meta.announced_on else 0
        newest_first = (-announced, -paper.meta.published_at.timestamp())
        return (rating is None, -(rating or 0), *newest_first, paper.meta.arxiv_id)

    return sorted(papers, key=key)


def paper_day(paper: PaperView, tz: ZoneInfo) -> date:
    """The day readers know the paper by: its announcement, else its publication in TIMEZONE."""
    return paper.meta.announced_on or paper.meta.published_at.astimezone(tz).date()


def issue_period(papers: Sequence[PaperView], tz: ZoneInfo) -> tuple[date, date]:
    days = [paper_day(paper, tz) for paper in papers]
    return min(days), max(days)


def issue_title(
    number: int, start: date, end: date, papers: Sequence[PaperView], language: str
) -> str:
    """`【第N期】YYYYMMDD[-YYYYMMDD]: topic、topic` (zh) or `[Issue N] …: topic, topic` (en)."""
    span = f"{start:%Y%m%d}" if start == end else f"{start:%Y%m%d}-{end:%Y%m%d}"
    topics = paper_topics(papers, language)
    if language == "zh":
        head = f"【第{number}期】{span}"
        return f"{head}: {'、'.join(topics)}" if topics else head
    head = f"[Issue {number}] {span}"
    return f"{head}: {', '.join(topics)}" if topics else head
