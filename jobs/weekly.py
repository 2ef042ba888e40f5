"""Compose the weekly round-up (周报) in seed 001's shape, numbered apart from the dailies.

The week is the seven days ending today in TIMEZONE; its papers are those of the dailies
published in it (with DIGEST_FREQUENCY=weekly there are no dailies: the week's summarized
papers). The five best (reading score, then readers' 👍 and ⭐, then newer) each get a
heading stating the paper's claim in Chinese and a focused explanation (`jobs/weekly_write.py`:
the LLM under the guards, else extractive). The title lists their Chinese topic phrases
(`jobs/issue_topics.py`): `【极速前进】20261116-20261122: 主题、主题`. At most one round-up per
week: while the last one's period reaches into this week, composing again raises
`AlreadyComposed` (a rejected one does not count). Two composers racing never share a number:
the unique (kind, number) decides, and the loser looks again and finds the week composed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.config_groups import EditorialSettings, LLMSettings
from domain.errors import NothingToDo
from domain.fulltext import PaperText
from domain.issue_ref import IssueRef
from domain.types import IssueKind, IssueView, PaperView
from jobs.compose import not_withdrawn
from jobs.issue_topics import paper_topics
from jobs.summarize.budget import TokenBudget, day_start
from jobs.summarize.job import cost_usd
from jobs.weekly_write import Entry, WeeklyWriter
from storage.db import Database
from storage.queries import audit
from storage.queries.fulltext import load_text
from storage.queries.issues import (
    IssueNumberTaken,
    NewItem,
    create_issue,
    get_issue_view,
    next_issue_number,
)
from storage.queries.summaries import finish_run, start_run, tokens_used_since
from storage.queries.weekly import (
    last_weekly,
    lock_weeklies,
    reader_counts,
    week_candidates,
    week_published,
)
from storage.types import utcnow

log = logging.getLogger(__name__)

WEEK_DAYS = 7
WEEKLY_PAPERS = 5  # seed 001: 一、二、三、四、五
MAX_ATTEMPTS = 5
TITLE_HEADS = {"zh": "【极速前进】", "en": "[Fast Forward] "}


class AlreadyComposed(NothingToDo):
    """This week's round-up exists already (nothing is wrong, nothing to say)."""


async def compose_weekly(
    editorial: EditorialSettings, llm: LLMSettings, db: Database, *, now: datetime | None = None
) -> IssueView:
    """Create this week's round-up as a draft and return it; AlreadyComposed when it exists,
    NothingToDo when no daily of the week was published."""
    now = now or utcnow()
    first, last = week_of(now, editorial.timezone)
    async with db.session() as session:
        await _check_not_composed(session, first)
        candidates = not_withdrawn(await _candidates(session, editorial, first, last))
        marks = await reader_counts(session, paper_ids=[p.id for p in candidates])
        chosen = rank_week(candidates, marks)[:WEEKLY_PAPERS]
        texts = {p.id: await load_text(session, paper_id=p.id, paper_version=p.meta.version)
                 for p in chosen}  # fmt: skip
    entries = await _write(
        llm, db, chosen, texts, editorial.language
    )  # outside any transaction: the LLM is slow
    title = weekly_title(first, last, chosen, editorial.language)
    items = [NewItem(p.id, p.summary.id if p.summary else None, e.heading, e.explanation)
             for p, e in zip(chosen, entries, strict=True)]  # fmt: skip
    number = await _create(db, first, last, title, editorial.language, items, now, entries)
    async with db.session() as session:
        view = await get_issue_view(session, number=number, kind=IssueKind.WEEKLY)
    assert view is not None  # committed just above
    return view


async def _candidates(
    session: AsyncSession, editorial: EditorialSettings, first: date, last: date
) -> list[PaperView]:
    language, span = editorial.language, f"{first:%Y%m%d}-{last:%Y%m%d}"
    if editorial.frequency == "weekly":  # no dailies: the week's summarized papers
        window = day_window(first, last, editorial.timezone)
        found = await week_candidates(session, language=language, days=(first, last), window=window)
        if not found:
            raise NothingToDo(
                f"No summarized papers from {first.isoformat()} to {last.isoformat()}.",
                zh=f"{span} 没有已摘要的论文。",
            )
        return found
    found = await week_published(session, language=language, days=(first, last))
    if not found:
        raise NothingToDo(
            f"No daily issue was published from {first.isoformat()} to {last.isoformat()}.",
            zh=f"{span} 没有已发布的日刊，无法组周报。",
        )
    return found


async def _check_not_composed(session: AsyncSession, first: date) -> None:
    previous = await last_weekly(session)
    if previous is not None and previous.period_end >= first:
        ref = IssueRef(previous.number, IssueKind.WEEKLY)
        raise AlreadyComposed(
            f"This week's round-up is already composed: {ref.label('en')} (/review {ref.token}).",
            zh=f"本周的周报已经组好：{ref.label('zh')}（/review {ref.token}）。",
        )


async def _write(
    llm: LLMSettings,
    db: Database,
    papers: Sequence[PaperView],
    texts: dict[int, PaperText | None],
    language: str,
) -> list[Entry]:
    """Each paper's entry; the LLM's calls count against today's token budget and are recorded
    as a summarize run (so `/stats` shows their tokens and cost)."""
    async with db.session() as session:
        used = await tokens_used_since(session, since=day_start(llm.timezone))
    budget = TokenBudget(limit=llm.daily_token_budget, used_today=used)
    writer = WeeklyWriter(llm, budget, language)
    try:
        return [await writer.write(paper, texts.get(paper.id)) for paper in papers]
    finally:
        await writer.close()
        if writer.calls:
            await _record_usage(llm, db, writer)


async def _record_usage(llm: LLMSettings, db: Database, writer: WeeklyWriter) -> None:
    counts = {
        "papers": writer.calls, "llm_calls": writer.calls, "llm_ok": writer.ok,
        "tokens_in": writer.tokens_in, "tokens_out": writer.tokens_out,
        "cost_usd": cost_usd(llm, writer.tokens_in, writer.tokens_out),
    }  # fmt: skip
    async with db.session() as session:
        model = f"{llm.model[:110]} (weekly)"  # the column holds 128
        run_id = await start_run(session, language=llm.language, model=model)
        await finish_run(session, run_id=run_id, counts=counts)


async def _create(
    db: Database, first: date, last: date, title: str, language: str,
    items: list[NewItem], now: datetime, entries: list[Entry],
) -> int:  # fmt: skip
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with db.session() as session:
                await lock_weeklies(session)
                await _check_not_composed(session, first)
                number = await next_issue_number(session, kind=IssueKind.WEEKLY)
                await create_issue(
                    session, number=number, title=title, language=language, period_start=first,
                    period_end=last, items=items, created_at=now, kind=IssueKind.WEEKLY,
                )  # fmt: skip
                await audit.record(
                    session, actor="compose", action="issue.create", target=f"weekly:{number}",
                    detail={"title": title, "sources": [e.source for e in entries],
                            "flags": [list(e.flags) for e in entries]},
                )  # fmt: skip
            log.info("composed weekly %d with %d papers", number, len(items))
            return number
        except IssueNumberTaken as exc:
            log.info("weekly compose attempt %d lost a race (%s); retrying", attempt, exc)
    raise NothingToDo(
        "Another compose is running; try again in a moment.", zh="另一个任务正在组刊，请稍后再试。"
    )


def week_of(now: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """The seven days ending on `now`'s date in `tz`, both inclusive."""
    last = now.astimezone(tz).date()
    return last - timedelta(days=WEEK_DAYS - 1), last


def day_window(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight of `first` to local midnight after `last`, as aware datetimes."""
    start = datetime.combine(first, time(), tzinfo=tz)
    return start, datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)


def rank_week(papers: Sequence[PaperView], marks: dict[int, int]) -> list[PaperView]:
    """Rated first, higher score, more readers' 👍/⭐, newer, then arXiv id (stable)."""

    def key(paper: PaperView) -> tuple[bool, float, int, float, str]:
        rating = paper.summary.content.rating if paper.summary else None
        newest = -paper.meta.published_at.timestamp()
        return (
            rating is None,
            -(rating or 0),
            -marks.get(paper.id, 0),
            newest,
            paper.meta.arxiv_id,
        )

    return sorted(papers, key=key)


def weekly_title(first: date, last: date, papers: Sequence[PaperView], language: str) -> str:
    """`【极速前进】YYYYMMDD-YYYYMMDD: 主题、主题` (zh) or `[Fast Forward] …: topic, topic` (en)."""
    head = f"{TITLE_HEADS.get(language, TITLE_HEADS['en'])}{first:%Y%m%d}-{last:%Y%m%d}"
    topics = paper_topics(papers, language, limit=WEEKLY_PAPERS)
    separator = "、" if language == "zh" else ", "
    return f"{head}: {separator.join(topics)}" if topics else head
