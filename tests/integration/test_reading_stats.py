"""/stats' reading figures from the stored summaries, runs and audit log (both databases):
today's summaries per text source with the LLM ones' tokens and cost, papers flagged per
guard kind (a dropped code link is no blocking flag), the papers auto-publish left out, and
the last finished summarize run. Yesterday's summaries and an editor's exclusions do not count.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from core.services import review
from core.services.reading_stats import AUTO_PUBLISH_ACTOR, reading_stats
from domain.fulltext import TextSource
from domain.guard_flags import INJECTION, NUMBER, URL, URL_DROPPED, GuardFlag
from domain.types import SummaryContent, SummarySource
from jobs.compose import compose_issue
from storage.db import Database
from storage.models import Summary
from storage.queries import summaries
from storage.queries.papers import upsert_papers
from storage.types import utcnow
from tests.conftest import make_settings
from tests.factories import make_paper
from tests.integration.schedule_helpers import add_papers, hours_ago

INVENTED = GuardFlag(NUMBER, "results", "提升了15%").encode()
LINK = GuardFlag(URL, "method", "https://evil.example").encode()
ECHO = GuardFlag(INJECTION, "tldr", "ignore previous instructions").encode()
DROPPED_LINK = GuardFlag(URL_DROPPED, "code_url", "https://x.example").encode()
TZ = make_settings().tz


async def _summary(
    db: Database, n: int, text_source: TextSource, *, llm: bool = True,
    tokens: int = 0, cost: float = 0.0, flags: tuple[str, ...] = (),
) -> int:  # fmt: skip
    async with db.session() as session:
        (paper_id,) = (
            await upsert_papers(session, papers=[make_paper(arxiv_id=f"2611.{n:05d}")])
        ).paper_ids
        source = SummarySource.LLM if llm else SummarySource.EXTRACTIVE
        stored = await summaries.save_summary(
            session, paper_id=paper_id, paper_version=1, language="zh", model="m",
            prompt_version="p1", source=source,
            content=SummaryContent(title_translated="t", tldr="x"),
            flags=flags, tokens_in=tokens, tokens_out=tokens // 10, cost_usd=cost,
            text_source=text_source,
        )  # fmt: skip
    return stored.id


async def _run(db: Database, *, finished: bool, **counts: object) -> None:
    async with db.session() as session:
        run_id = await summaries.start_run(session, language="zh", model="m")
        if finished:
            await summaries.finish_run(session, run_id=run_id, counts=counts)


async def test_today_per_source_flags_and_last_run(db: Database) -> None:
    await _summary(db, 1, TextSource.HTML, tokens=9000, cost=0.009, flags=(INVENTED, ECHO))
    await _summary(db, 2, TextSource.HTML, tokens=7000, cost=0.007, flags=(INVENTED, INVENTED))
    await _summary(db, 3, TextSource.PDF, tokens=12000, cost=0.012, flags=(DROPPED_LINK,))
    await _summary(db, 4, TextSource.ABSTRACT, llm=False, flags=("llm_failed",))
    old = await _summary(db, 5, TextSource.HTML, tokens=99000, cost=1.0, flags=(LINK,))
    async with db.session() as session:  # yesterday's: not today's figures
        await session.execute(
            update(Summary).where(Summary.id == old).values(created_at=utcnow() - timedelta(days=2))
        )
    await _run(db, finished=True, papers=4, llm_ok=3, flagged=2, tokens_in=28000, cost_usd=0.03)
    await _run(db, finished=False)  # still running: not the last run's figures

    figures = await reading_stats(db, now=utcnow(), tz=TZ)

    html, pdf, abstract = figures.sources
    assert (html.source, html.summaries, html.llm, html.tokens_per_paper) == ("html", 2, 2, 8000)
    assert round(html.cost_per_paper, 6) == 0.008
    assert (pdf.summaries, pdf.tokens_per_paper) == (1, 12000)
    assert (abstract.summaries, abstract.llm, abstract.cost_per_paper) == (1, 0, 0.0)
    assert figures.flagged_papers == 2  # a replaced code link and a failed LLM call block nothing
    assert figures.flags_by_kind == {INJECTION: 1, NUMBER: 2}  # papers per kind, not spans
    assert figures.auto_dropped == 0
    assert figures.last_run is not None
    assert (figures.last_run.papers, figures.last_run.llm, figures.last_run.flagged) == (4, 3, 2)
    assert (figures.last_run.tokens_per_paper, round(figures.last_run.cost_per_paper, 4)) == (
        9333, 0.01)  # fmt: skip


async def test_counts_the_papers_auto_publish_left_out_not_an_editors(db: Database) -> None:
    ids = await add_papers(db, 3)
    async with db.session() as session:
        await session.execute(
            update(Summary).where(Summary.paper_id.in_(ids[:2])).values(flags=[INVENTED])
        )
    issue = await compose_issue(make_settings(database_url=db.url).editorial, db,
      now=hours_ago(3))  # fmt: skip
    assert await review.drop_flagged(db, number=issue.number, admin_id=AUTO_PUBLISH_ACTOR) == [1, 2]
    await review.set_included(db, number=issue.number, position=3, included=False, admin_id="ed")

    figures = await reading_stats(db, now=utcnow(), tz=TZ)

    assert (figures.auto_dropped, figures.flagged_papers) == (2, 2)
    assert figures.summaries == 3 and figures.sources[2].summaries == 3  # all from the abstract


async def test_nothing_yet(db: Database) -> None:
    figures = await reading_stats(db, now=utcnow(), tz=TZ)
    assert [source.summaries for source in figures.sources] == [0, 0, 0]
    assert (figures.flagged_papers, figures.flags_by_kind, figures.last_run) == (0, {}, None)
