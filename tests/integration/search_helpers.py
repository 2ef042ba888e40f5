"""Small builders for the search tests: store papers and summaries through the real queries."""

from __future__ import annotations

from sqlalchemy import text

from domain.types import SummaryContent, SummarySource
from storage.db import Database
from storage.queries.papers import upsert_papers
from storage.queries.summaries import save_summary
from tests.factories import make_paper


async def add_paper(db: Database, **overrides: object) -> int:
    async with db.session() as s:
        (paper_id,) = (await upsert_papers(s, papers=[make_paper(**overrides)])).paper_ids
    return paper_id


async def add_summary(db: Database, paper_id: int, language: str = "zh", **content: object) -> None:
    values: dict[str, object] = {"title_translated": "", "tldr": ""}
    values.update(content)
    async with db.session() as s:
        await save_summary(
            s,
            paper_id=paper_id,
            paper_version=1,
            language=language,
            model="m",
            prompt_version="p1",
            source=SummarySource.LLM,
            content=SummaryContent.model_validate(values),
        )


async def index_rows(db: Database, paper_id: int) -> int:
    column = "rowid" if db.is_sqlite else "paper_id"
    async with db.session() as s:
        result = await s.execute(
            text(f"SELECT count(*) FROM paper_search WHERE {column} = :id"), {"id": paper_id}
        )
        return int(result.scalar_one())
