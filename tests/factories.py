"""Small builders for domain objects used across tests."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import PaperMeta, SummaryContent, SummarySource
from jobs.compose import compose_issue
from storage.db import Database
from storage.queries.papers import upsert_papers
from storage.queries.summaries import save_summary
from tests.conftest import make_settings
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

_ids = count(1)


def make_paper(**overrides: object) -> PaperMeta:
    n = next(_ids)
    values: dict[str, object] = {
        "arxiv_id": f"2611.{n:05d}",
        "version": 1,
        "title": f"Paper number {n}",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "abstract": "We study reinforcement learning from human feedback and improve accuracy "
        "by 12.5% on three benchmarks.",
        "categories": ("cs.CL", "cs.LG"),
        "primary_category": "cs.CL",
        "published_at": datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return PaperMeta(**values)  # type: ignore[arg-type]


async def store_paper(
    session: AsyncSession,
    meta: PaperMeta,
    content: SummaryContent | None = None,
    *,
    language: str = "zh",
    source: SummarySource = SummarySource.LLM,
) -> int:
    """Upsert one paper and, given `content`, its summary; the paper's id."""
    (paper_id,) = (await upsert_papers(session, papers=[meta])).paper_ids
    if content is not None:
        extractive = source is SummarySource.EXTRACTIVE
        await save_summary(
            session, paper_id=paper_id, paper_version=meta.version, language=language,
            model="extractive" if extractive else "m", prompt_version="p1", source=source,
            content=content,
        )  # fmt: skip
    return paper_id


async def compose_three_issues(db: Database) -> None:
    """Issues 1, 2 and 3 (drafts) of two seed papers each: the first six seeds, summarized."""
    settings = make_settings(database_url=db.url, issue_max_papers=2)
    async with db.session() as session:
        for paper in load_seed_papers()[:6]:
            await store_paper(session, seed_meta(paper), seed_summary(paper))
    for _ in range(3):
        await compose_issue(settings.editorial, db)
