"""Compose the next numbered issue (第N期) from the papers summarized since the previous one.

Best papers first (reading score, then recency), at most ISSUE_MAX_PAPERS, titled from the
issue's topics like the hand-written weekly digests: `【第12期】20261120: TR-DPO、LaCo、…`.
Two composers racing never share a number or a paper: the unique issue number decides, and
the loser starts over with what is left.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.config import Settings
from core.errors import NothingToDo
from core.types import IssueView, PaperView
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
MAX_TOPICS = 5
SHORT_NAME_CHARS = 24  # "TR-DPO", "CtRL-Sim", "Data Interpreter": a name, not a sentence
SHORT_NAME_WORDS = 3
TOPIC_CHARS = 30


async def compose_issue(
    settings: Settings, db: Database, *, now: datetime | None = None
) -> IssueView:
    """Create the next issue as a draft and return it; NothingToDo when no paper is new."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            number = await _compose_once(settings, db, now=now)
            break
        except IssueNumberTaken as exc:
            log.info("compose attempt %d lost a race (%s); retrying", attempt, exc)
    else:
        raise NothingToDo("另一个任务正在组刊，请稍后再试 / another compose is running; try again")
    async with db.session() as session:
        view = await get_issue_view(session, number=number)
    assert view is not None  # committed just above
    return view


async def _compose_once(settings: Settings, db: Database, *, now: datetime | None) -> int:
    language = settings.digest_language
    async with db.session() as session:
        number = await next_issue_number(session)
        candidates = await compose_candidates(session, language=language)
        if not candidates:
            raise NothingToDo(_nothing_new(await latest_issue_number(session)))
        chosen = rank_papers(candidates)[: settings.issue_max_papers]
        start, end = issue_period(chosen, settings.tz)
        title = issue_title(number, start, end, chosen, language)
        items = [NewItem(p.id, p.summary.id if p.summary else None) for p in chosen]
        await create_issue(
            session,
            number=number,
            title=title,
            language=language,
            period_start=start,
            period_end=end,
            items=items,
            created_at=now,
        )
        await audit.record(
            session,
            actor="compose",
            action="issue.create",
            target=f"issue:{number}",
            detail={"title": title, "papers": [p.meta.arxiv_id for p in chosen]},
        )
    log.info("composed 第%d期 with %d papers", number, len(chosen))
    return number


def _nothing_new(latest: int | None) -> str:
    if latest is None:
        return "还没有已摘要的论文可以组刊 / no summarized papers to compose an issue from yet"
    return f"自第{latest}期以来没有新论文 / no new papers since 第{latest}期 (issue {latest})"


def rank_papers(papers: Sequence[PaperView]) -> list[PaperView]:
    """Rated before unrated (extractive summaries have no rating), higher score, then newer."""

    def key(paper: PaperView) -> tuple[bool, int, int, float, str]:
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
    topics = paper_topics(papers)
    if language == "zh":
        head = f"【第{number}期】{span}"
        return f"{head}: {'、'.join(topics)}" if topics else head
    head = f"[Issue {number}] {span}"
    return f"{head}: {', '.join(topics)}" if topics else head


def paper_topics(papers: Sequence[PaperView], limit: int = MAX_TOPICS) -> list[str]:
    """Each paper's topic in order, de-duplicated case-insensitively, at most `limit`."""
    topics: list[str] = []
    seen: set[str] = set()
    for paper in papers:
        topic = paper_topic(paper)
        if topic and topic.casefold() not in seen:
            seen.add(topic.casefold())
            topics.append(topic)
        if len(topics) >= limit:
            break
    return topics


def paper_topic(paper: PaperView) -> str:
    """A paper's short name ("TR-DPO: …" → "TR-DPO"), else its first keyword, else its title."""
    title = _one_line(paper.meta.title)
    head, sep, _ = title.partition(":")
    head = head.strip()
    if sep and head and len(head) <= SHORT_NAME_CHARS and len(head.split()) <= SHORT_NAME_WORDS:
        return head
    keywords = paper.summary.content.keywords if paper.summary else []
    for keyword in keywords:
        if _one_line(keyword):
            return _shorten(_one_line(keyword), TOPIC_CHARS)
    return _shorten(title.rstrip("."), TOPIC_CHARS)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
