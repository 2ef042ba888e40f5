"""The seeds' voice end to end: the new fields through the real openai client and storage, old
rows still loading, half-point scores ranking, topic-phrase titles and withdrawn papers kept out.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from core.config import Settings
from domain.errors import InvalidInput
from domain.types import SummaryContent
from jobs.compose import compose_issue
from jobs.summarize import run_summarize, summarize_paper
from jobs.summarize.prompt import PROMPT_VERSION
from storage.db import Database
from storage.models import Summary
from storage.queries.papers import upsert_papers
from storage.queries.summaries import best_summaries
from tests.conftest import make_settings
from tests.factories import make_paper, store_paper
from tests.fakes.openai_server import FakeOpenAI

WITHDRAWN = "This paper has been withdrawn by the author due to an error in Theorem 2"
DAY = date(2026, 11, 20)


def _llm(fake: FakeOpenAI) -> Settings:
    return make_settings(
        openai_api_key="sk-test", openai_base_url=fake.base_url, llm_model="fake-model"
    )


async def test_llm_summary_has_the_seed_fields(db: Database, fake_openai: FakeOpenAI) -> None:
    meta = make_paper(title="Self-Param: updates", abstract="We embed knowledge. It gains 12%.")
    async with db.session() as s:
        (paper_id,) = (await upsert_papers(s, papers=[meta])).paper_ids
    report = await run_summarize(_llm(fake_openai).llm, db, language="zh")
    assert report.llm_ok == 1
    system = fake_openai.requests[0].messages[0]["content"]
    for rule in ("本文", "full-width", "novelty", "rigour", "HALF points", "SELF-PARAM"):
        assert rule in system
    assert (
        fake_openai.requests[0].body["response_format"]["json_schema"]["schema"]["properties"][
            "rating"
        ]["anyOf"][0]["type"]
        == "number"
    )
    async with db.session() as s:
        stored = (await best_summaries(s, paper_ids=[paper_id], language="zh"))[paper_id]
    content = stored.content
    assert stored.prompt_version == PROMPT_VERSION
    assert content.summary.startswith("本文") and "\n\n" in content.overview
    assert content.topic == "Self-Param方法研究"
    assert content.rating is not None and (content.rating * 2).is_integer()


async def test_old_rows_load_and_half_points_round_trip(db: Database) -> None:
    async with db.session() as s:
        half = await store_paper(s, make_paper(), SummaryContent(title_translated="a", tldr="b"))
        old = await store_paper(s, make_paper(), SummaryContent(title_translated="c", tldr="d"))
        # a row as sum-v1 wrote it: a whole rating, no half-point score, no new fields
        await s.execute(
            update(Summary).where(Summary.paper_id == old).values(rating=4, rating_score=None)
        )
        await s.execute(update(Summary).where(Summary.paper_id == half).values(rating_score=3.5))
    async with db.session() as s:
        best = await best_summaries(s, paper_ids=[half, old], language="zh")
    assert best[old].content.rating == 4 and best[old].content.summary == ""
    assert best[half].content.rating == 3.5


async def test_withdrawn_paper_is_never_summarized(db: Database, fake_openai: FakeOpenAI) -> None:
    async with db.session() as s:
        ids = (
            await upsert_papers(s, papers=[make_paper(comment=WITHDRAWN), make_paper()])
        ).paper_ids
    report = await run_summarize(_llm(fake_openai).llm, db, language="zh")
    assert (report.withdrawn, report.papers, fake_openai.calls) == (1, 1, 1)
    assert "1 withdrawn skipped" in report.message
    async with db.session() as s:
        assert set(await best_summaries(s, paper_ids=ids, language="zh")) == {ids[1]}
    with pytest.raises(InvalidInput):
        await summarize_paper(_llm(fake_openai).llm, db, paper_id=ids[0], language="zh")


async def test_withdrawn_paper_never_enters_an_issue(db: Database) -> None:
    async with db.session() as s:
        good = SummaryContent(title_translated="好", tldr="x", rating=3)
        scored = SummaryContent(title_translated="撤", tldr="y", rating=5)  # summarized before
        await store_paper(s, make_paper(title="Kept: a", announced_on=DAY), good)
        await store_paper(
            s, make_paper(title="Gone: b", comment=WITHDRAWN, announced_on=DAY), scored
        )
    issue = await compose_issue(make_settings(database_url=db.url).editorial, db)
    assert [item.paper.meta.title for item in issue.items] == ["Kept: a"]


async def test_title_names_clean_topic_phrases_once(db: Database) -> None:
    papers = [
        ("A long title with no short name one", "大语言模型对齐", 5),
        ("A long title with no short name two", "大语言模型对齐。", 4.5),  # a repeat
        ("A long title with no short name three", "大语言模型", 4),  # a bare field name
        ("LaCo: layer collapse", "https://junk.example/、大语言模型", 3.5),  # junk: the short name
        ("A long title with no short name four", "压缩与智能的线性关系", 3),
    ]
    async with db.session() as s:
        for title, topic, rating in papers:
            content = SummaryContent(title_translated=title, tldr="x", rating=rating, topic=topic)
            await store_paper(s, make_paper(title=title, announced_on=DAY), content)
    issue = await compose_issue(make_settings(database_url=db.url).editorial, db)
    assert issue.title == "【第1期】20261120: 大语言模型对齐、LaCo、压缩与智能的线性关系"
    ratings = [item.paper.summary.content.rating for item in issue.items if item.paper.summary]
    assert ratings == [5, 4.5, 4, 3.5, 3]
