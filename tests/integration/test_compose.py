"""Composing numbered issues on both databases: numbering, ordering, limits, races, rejection."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from core.config import Settings
from domain.errors import NothingToDo
from domain.types import IssueStatus, SummaryContent, SummarySource
from jobs.compose import compose_issue
from storage.db import Database
from storage.models import AuditLog, Issue, IssueItem
from storage.queries.papers import upsert_papers
from storage.queries.summaries import save_summary
from tests.conftest import make_settings
from tests.factories import make_paper, store_paper
from tests.seed_papers import SeedPaper, load_seed_papers, seed_meta, seed_summary

SEED = load_seed_papers()


def _settings(db: Database, **overrides: object) -> Settings:
    return make_settings(database_url=db.url, **overrides)


async def _add(
    db: Database,
    papers: list[SeedPaper],
    *,
    ratings: list[int | None] | None = None,
    language: str = "zh",
    extractive: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, int]:
    """Store seed papers with summaries; returns arXiv id → paper id."""
    ids: dict[str, int] = {}
    async with db.session() as s:
        for i, paper in enumerate(papers):
            (pid,) = (await upsert_papers(s, papers=[seed_meta(paper)])).paper_ids
            ids[paper.arxiv_id] = pid
            rating = ratings[i] if ratings else 3
            is_extractive = paper.arxiv_id in extractive
            content = (
                SummaryContent(title_translated="", tldr=paper.abstract.split(". ")[0])
                if is_extractive
                else seed_summary(paper, rating=rating)
            )
            await save_summary(
                s,
                paper_id=pid,
                paper_version=1,
                language=language,
                model="extractive" if is_extractive else "m",
                prompt_version="p1",
                source=SummarySource.EXTRACTIVE if is_extractive else SummarySource.LLM,
                content=content,
            )
    return ids


async def _set_status(db: Database, number: int, status: IssueStatus) -> None:
    async with db.session() as s:
        issue = await s.scalar(select(Issue).where(Issue.number == number))
        assert issue is not None
        issue.status = status.value


async def test_numbers_issues_and_orders_best_first(db: Database) -> None:
    papers = SEED[:5]
    ids = await _add(db, papers, ratings=[3, 5, None, 5, 2], extractive={papers[2].arxiv_id})
    settings = _settings(db)

    first = await compose_issue(settings.editorial, db)

    assert first.number == 1 and first.status is IssueStatus.DRAFT
    got = [item.paper.meta.arxiv_id for item in first.items]
    # rated before unrated; 5,5 (newer announcement first: ref 2 is newer than ref 4), 3, 2
    assert got == [
        papers[1].arxiv_id,
        papers[3].arxiv_id,
        papers[0].arxiv_id,
        papers[4].arxiv_id,
        papers[2].arxiv_id,
    ]
    assert [item.position for item in first.items] == [1, 2, 3, 4, 5]
    assert all(item.included for item in first.items)
    assert first.items[-1].paper.summary is not None
    assert first.items[-1].paper.summary.source is SummarySource.EXTRACTIVE
    assert set(ids.values()) == {item.paper.id for item in first.items}

    await _add(db, SEED[5:7])
    second = await compose_issue(settings.editorial, db)
    assert second.number == 2
    assert {i.paper.meta.arxiv_id for i in second.items} == {p.arxiv_id for p in SEED[5:7]}


async def test_title_and_period_from_topics(db: Database) -> None:
    papers = [SEED[2], SEED[3], SEED[7]]  # FineFake, CtRL-Sim, LaCo
    await _add(db, papers, ratings=[5, 4, 3])
    issue = await compose_issue(_settings(db).editorial, db)
    days = sorted(seed_meta(p).announced_on for p in papers)  # type: ignore[type-var]
    assert issue.period_start == days[0] and issue.period_end == days[-1]
    span = f"{days[0]:%Y%m%d}-{days[-1]:%Y%m%d}"
    assert issue.title == f"【第1期】{span}: FineFake、CtRL-Sim、LaCo"
    assert issue.language == "zh"


async def test_english_title_from_the_topic_phrase_never_a_keyword(db: Database) -> None:
    day = date(2026, 11, 20)
    async with db.session() as s:
        meta = make_paper(
            title="A very long title without any short name before a colon", announced_on=day
        )
        await store_paper(
            s,
            meta,
            SummaryContent(
                title_translated=meta.title, tldr="x", rating=4, keywords=["preference learning"]
            ),
            language="en",
        )
        other = make_paper(title="Another long title with no short name", announced_on=day)
        content = SummaryContent(
            title_translated=other.title, tldr="y", rating=3.5, topic="preference data cleaning"
        )
        await store_paper(s, other, content, language="en")
    issue = await compose_issue(_settings(db, digest_language="en").editorial, db)
    assert issue.title == "[Issue 1] 20261120: preference data cleaning"


async def test_max_papers_leaves_the_rest_for_next_issue(db: Database) -> None:
    await _add(db, SEED[:6], ratings=[1, 2, 3, 4, 5, 5])
    settings = _settings(db, issue_max_papers=4)
    first = await compose_issue(settings.editorial, db)
    assert len(first.items) == 4
    assert [i.paper.summary.content.rating for i in first.items] == [5, 5, 4, 3]  # type: ignore[union-attr]
    second = await compose_issue(settings.editorial, db)
    assert [i.paper.summary.content.rating for i in second.items] == [2, 1]  # type: ignore[union-attr]


async def test_nothing_new_raises_and_creates_no_issue(db: Database) -> None:
    settings = _settings(db)
    with pytest.raises(NothingToDo) as empty:
        await compose_issue(settings.editorial, db)
    assert "No summarized papers" in empty.value.message_for("en")
    assert "还没有已摘要的论文" in empty.value.message_for("zh")

    await _add(db, SEED[:2])
    await compose_issue(settings.editorial, db)
    with pytest.raises(NothingToDo) as nothing:
        await compose_issue(settings.editorial, db)
    assert "自第1期以来没有新论文" in nothing.value.message_for("zh")
    async with db.session() as s:
        assert list(await s.scalars(select(Issue.number))) == [1]


async def test_papers_without_summary_in_language_are_skipped(db: Database) -> None:
    await _add(db, SEED[:2], language="en")
    with pytest.raises(NothingToDo):
        await compose_issue(_settings(db).editorial, db)  # digest language zh


async def test_rejected_issue_papers_are_eligible_again(db: Database) -> None:
    await _add(db, SEED[:3])
    settings = _settings(db)
    first = await compose_issue(settings.editorial, db)
    await _set_status(db, first.number, IssueStatus.REJECTED)

    second = await compose_issue(settings.editorial, db)

    assert second.number == 2  # numbers are never reused
    assert {i.paper.id for i in second.items} == {i.paper.id for i in first.items}
    await _set_status(db, 2, IssueStatus.PUBLISHED)
    with pytest.raises(NothingToDo):
        await compose_issue(settings.editorial, db)


async def test_compose_is_audited_and_uses_now(db: Database) -> None:
    await _add(db, SEED[:2])
    now = datetime(2026, 11, 21, 1, 30, tzinfo=UTC)
    issue = await compose_issue(_settings(db).editorial, db, now=now)
    assert issue.created_at == now
    async with db.session() as s:
        (row,) = list(await s.scalars(select(AuditLog)))
    assert (row.actor, row.action, row.target) == ("compose", "issue.create", "issue:1")
    assert row.detail["papers"] == [i.paper.meta.arxiv_id for i in issue.items]


async def test_concurrent_composers_never_share_a_number_or_paper(db: Database) -> None:
    await _add(db, SEED[:8])
    settings = _settings(db)
    other = Database(db.url)  # a second process's engine on the same database
    try:
        results = await asyncio.gather(
            compose_issue(settings.editorial, db),
            compose_issue(settings.editorial, other),
            compose_issue(settings.editorial, db),
            return_exceptions=True,
        )
    finally:
        await other.dispose()
    issues = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    assert issues, results
    assert all(isinstance(e, NothingToDo) for e in errors), errors
    async with db.session() as s:
        numbers = list(await s.scalars(select(Issue.number).order_by(Issue.number)))
        paper_ids = list(await s.scalars(select(IssueItem.paper_id)))
    assert numbers == list(range(1, len(issues) + 1))
    assert len(paper_ids) == len(set(paper_ids)) == 8


async def test_period_uses_the_configured_timezone(db: Database) -> None:
    evening_utc = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # already the 21st in Shanghai
    async with db.session() as s:
        meta = make_paper(title="TZ-Test: dates", published_at=evening_utc, announced_on=None)
        await store_paper(s, meta, SummaryContent(title_translated="时区", tldr="x", rating=3))
    issue = await compose_issue(_settings(db, timezone="Asia/Shanghai").editorial, db)
    assert issue.period_start == issue.period_end == date(2026, 11, 21)
    assert issue.title == "【第1期】20261121: TZ-Test"
