"""The search service: hits carry the paper, its summary in the reader's language, its issues."""

from __future__ import annotations

from datetime import date

import pytest

from core.services.search import MAX_QUERY_CHARS, search_papers
from domain.errors import InvalidInput
from domain.types import SummaryContent, SummarySource
from storage import search
from storage.db import Database
from storage.models import Issue, IssueItem
from storage.queries.paper_views import paper_views
from storage.queries.summaries import save_summary
from tests.integration.search_helpers import add_paper, add_summary

PLAIN = "We measure things carefully on standard data."


async def _issue(db: Database, number: int, status: str, items: dict[int, bool]) -> None:
    async with db.session() as s:
        issue = Issue(
            number=number,
            title=f"第{number}期",
            language="zh",
            status=status,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 2),
        )
        issue.items = [
            IssueItem(paper_id=paper_id, position=i, included=included)
            for i, (paper_id, included) in enumerate(items.items())
        ]
        s.add(issue)


async def test_hits_carry_summary_and_issue_numbers(db: Database) -> None:
    paper = await add_paper(db, title="Reward models for alignment", abstract=PLAIN)
    other = await add_paper(db, title="Reward shaping", abstract=PLAIN)
    await add_summary(db, paper, title_translated="奖励模型", tldr="用于对齐的奖励模型。")
    await add_summary(db, paper, language="en", title_translated="Reward models", tldr="RMs.")
    await _issue(db, 1, "published", {paper: True, other: True})
    await _issue(db, 2, "rejected", {paper: True})
    await _issue(db, 3, "draft", {paper: True, other: False})
    await _issue(db, 4, "approved", {other: True})

    page = await search_papers(db, query="reward", language="zh")
    hits = {hit.paper.id: hit for hit in page.items}
    assert page.total == 2 and set(hits) == {paper, other}
    assert hits[paper].issue_numbers == (1, 3)
    assert hits[other].issue_numbers == (1, 4)
    assert hits[paper].paper.summary is not None
    assert hits[paper].paper.summary.content.tldr == "用于对齐的奖励模型。"
    assert hits[paper].paper.meta.title == "Reward models for alignment"
    assert hits[other].paper.summary is None
    assert all(hit.score > 0 for hit in page.items)

    english = await search_papers(db, query="对齐", language="en")
    assert [hit.paper.summary.content.tldr for hit in english.items if hit.paper.summary] == [
        "RMs."
    ]


async def test_pages_and_totals(db: Database) -> None:
    for i in range(12):
        await add_paper(db, title=f"Tokenizer study {i}", abstract=PLAIN)
    first = await search_papers(db, query="tokenizers", language="zh", limit=5)
    last = await search_papers(db, query="tokenizers", language="zh", offset=10, limit=5)
    assert (first.total, len(first.items), first.has_next, first.has_previous) == (
        12,
        5,
        True,
        False,
    )
    assert (last.total, len(last.items), last.has_next, last.has_previous) == (12, 2, False, True)
    scores = [hit.score for hit in first.items]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("query", ["", "   \n\t"])
async def test_empty_query_is_invalid_input(db: Database, query: str) -> None:
    with pytest.raises(InvalidInput, match="search for"):
        await search_papers(db, query=query, language="zh")


async def test_overlong_query_is_invalid_input(db: Database) -> None:
    with pytest.raises(InvalidInput, match=str(MAX_QUERY_CHARS)):
        await search_papers(db, query="x" * (MAX_QUERY_CHARS + 1), language="zh")


@pytest.mark.parametrize("query", ["?!", '"*"', "😀", "-:()"])
async def test_punctuation_only_query_is_an_empty_page(db: Database, query: str) -> None:
    await add_paper(db, title="Anything", abstract=PLAIN)
    page = await search_papers(db, query=query, language="zh")
    assert (page.items, page.total) == ((), 0)


async def test_huge_result_sets_report_a_lower_bound(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        await add_paper(db, title=f"Scaling laws {i}", abstract=PLAIN)
    exact = await search_papers(db, query="scaling", language="zh", limit=2)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    capped = await search_papers(db, query="scaling", language="zh", limit=2)
    assert (exact.total, exact.total_is_lower_bound) == (5, False)
    assert (capped.total, capped.total_is_lower_bound, len(capped.items)) == (4, True, 2)


async def test_hit_summary_is_the_one_paper_views_picks(db: Database) -> None:
    """LLM over extractive, then the newest: the one-query hit agrees with `paper_views`."""
    paper = await add_paper(db, title="Speculative decoding", abstract=PLAIN)
    llm, extractive = SummarySource.LLM, SummarySource.EXTRACTIVE
    for model, source in [("old", llm), ("new", llm), ("newest", extractive)]:
        async with db.session() as s:
            await save_summary(
                s,
                paper_id=paper,
                paper_version=1,
                language="zh",
                model=model,
                prompt_version="p1",
                source=source,
                content=SummaryContent.model_validate({"title_translated": "", "tldr": model}),
            )
    page = await search_papers(db, query="speculative", language="zh")
    async with db.session() as s:
        expected = (await paper_views(s, paper_ids=[paper], language="zh"))[paper]
    (hit,) = page.items
    assert hit.paper == expected and hit.issue_numbers == ()
    assert hit.paper.summary is not None and hit.paper.summary.content.tldr == "new"
