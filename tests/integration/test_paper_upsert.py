"""Papers upsert by arXiv id: re-running is harmless and the newest version wins."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Database
from storage.queries.papers import count_papers, get_paper, upsert_papers
from tests.factories import make_paper


async def test_reupsert_is_idempotent(db: Database) -> None:
    papers = [make_paper(), make_paper()]
    async with db.session() as s:
        first = await upsert_papers(s, papers=papers)
    async with db.session() as s:
        second = await upsert_papers(s, papers=papers)
        total = await count_papers(s)
    assert (first.inserted, second.inserted, second.unchanged, total) == (2, 0, 2, 2)


async def test_newer_version_replaces_older_and_keeps_announcement(db: Database) -> None:
    from datetime import date

    v1 = make_paper(version=1, title="Old title", announced_on=date(2026, 11, 20))
    v2 = make_paper(
        arxiv_id=v1.arxiv_id,
        version=2,
        title="New title",
        updated_at=datetime(2026, 11, 22, tzinfo=UTC),
        announced_on=date(2026, 11, 23),
    )
    async with db.session() as s:
        await upsert_papers(s, papers=[v1])
    async with db.session() as s:
        result = await upsert_papers(s, papers=[v2, v1])  # older copy in the same batch loses
    async with db.session() as s:
        row = await get_paper(s, arxiv_id=v1.arxiv_id)
    assert result.updated == 1
    assert row is not None
    assert (row.version, row.title, row.announced_on) == (2, "New title", date(2026, 11, 20))
    assert row.published_at.tzinfo is not None
