"""Fetch and summarize one paper now, for a reader's `/paper <id>` of a paper we don't have."""

from __future__ import annotations

from core.config import Settings
from jobs.fetch import fetch_papers_by_ids
from jobs.summarize import summarize_paper
from storage.db import Database
from storage.queries.papers import upsert_papers


async def fetch_and_summarize(
    settings: Settings, db: Database, arxiv_id: str, language: str
) -> int | None:
    """The stored paper's id, or None when arXiv has no such paper."""
    found = await fetch_papers_by_ids(settings.arxiv, [arxiv_id])
    if not found:
        return None
    async with db.session() as session:
        (paper_id,) = (await upsert_papers(session, papers=found[:1])).paper_ids
    await summarize_paper(
        settings.llm, db, paper_id=paper_id, language=language, reader=settings.reader
    )
    return paper_id
