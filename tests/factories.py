"""Small builders for domain objects used across tests."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import PaperMeta, SummaryContent, SummarySource
from storage.queries.papers import upsert_papers
from storage.queries.summaries import save_summary

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
