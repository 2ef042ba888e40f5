"""Summaries are stored per cache key and the reader sees the LLM one over the extractive one."""

from __future__ import annotations

from domain.types import SummaryContent, SummarySource
from storage.db import Database
from storage.queries.papers import upsert_papers
from storage.queries.summaries import best_summaries, save_summary
from tests.factories import make_paper


async def test_llm_summary_preferred_and_key_is_unique(db: Database) -> None:
    async with db.session() as s:
        (paper_id,) = (await upsert_papers(s, papers=[make_paper()])).paper_ids
        common = dict(paper_id=paper_id, paper_version=1, language="zh")
        await save_summary(
            s,
            **common,
            model="m",
            prompt_version="p1",
            source=SummarySource.LLM,
            content=SummaryContent(title_translated="标题", tldr="一句话", rating=4),
        )
        await save_summary(
            s,
            **common,
            model="extractive",
            prompt_version="x1",
            source=SummarySource.EXTRACTIVE,
            content=SummaryContent(title_translated="", tldr="抽取"),
        )
        again = await save_summary(  # same key: replaces, no duplicate row
            s,
            **common,
            model="m",
            prompt_version="p1",
            source=SummarySource.LLM,
            content=SummaryContent(title_translated="标题2", tldr="一句话2", rating=5),
            flags=["tldr_number_not_in_abstract"],
        )
        best = await best_summaries(s, paper_ids=[paper_id], language="zh")
        none_en = await best_summaries(s, paper_ids=[paper_id], language="en")
    assert best[paper_id].id == again.id
    assert best[paper_id].content.tldr == "一句话2"
    assert best[paper_id].flags == ("tldr_number_not_in_abstract",)
    assert none_en == {}
