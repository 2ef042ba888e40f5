"""Papers: idempotent upsert (newest version wins), lookups, and conversion to domain types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.types import PaperMeta
from storage import search
from storage.models import Paper
from storage.queries.batching import batches
from storage.types import utcnow


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    paper_ids: list[int] = field(default_factory=list)  # one per distinct arXiv id, in input order


def to_meta(row: Paper) -> PaperMeta:
    return PaperMeta(
        arxiv_id=row.arxiv_id,
        version=row.version,
        title=row.title,
        authors=tuple(row.authors),
        abstract=row.abstract,
        categories=tuple(row.categories),
        primary_category=row.primary_category,
        published_at=row.published_at,
        updated_at=row.updated_at,
        comment=row.comment,
        journal_ref=row.journal_ref,
        doi=row.doi,
        code_url=row.code_url,
        announced_on=row.announced_on,
        announce_type=row.announce_type,
    )


def _apply(row: Paper, meta: PaperMeta) -> None:
    row.version = meta.version
    row.title = meta.title
    row.authors = list(meta.authors)
    row.abstract = meta.abstract
    row.categories = list(meta.categories)
    row.primary_category = meta.primary_category
    row.published_at = meta.published_at
    row.updated_at = meta.updated_at
    row.comment = meta.comment
    row.journal_ref = meta.journal_ref
    row.doi = meta.doi
    row.code_url = meta.code_url


def _new_row(meta: PaperMeta) -> Paper:
    row = Paper(arxiv_id=meta.arxiv_id, announced_on=meta.announced_on)
    row.announce_type = meta.announce_type
    _apply(row, meta)
    return row


async def upsert_papers(session: AsyncSession, *, papers: Sequence[PaperMeta]) -> UpsertResult:
    """Insert new papers, update ones arXiv has a newer version of, leave the rest alone.

    The first announcement date is kept: a paper re-announced as a replacement stays in the
    day it first appeared.
    """
    latest = _dedupe_newest(papers)
    existing = await _rows_by_arxiv_id(session, list(latest))
    result = UpsertResult()
    rows: list[Paper] = []
    changed: list[Paper] = []
    for arxiv_id, meta in latest.items():
        row = existing.get(arxiv_id)
        if row is None:
            row = _new_row(meta)
            session.add(row)
            result.inserted += 1
            changed.append(row)
        elif _is_newer(meta, row):
            _apply(row, meta)
            row.announced_on = row.announced_on or meta.announced_on
            result.updated += 1
            changed.append(row)
        else:
            result.unchanged += 1
        row.last_fetched_at = utcnow()
        rows.append(row)
    await session.flush()
    result.paper_ids = [row.id for row in rows]
    await search.reindex_papers(session, paper_ids=[row.id for row in changed])
    return result


def _is_newer(meta: PaperMeta, row: Paper) -> bool:
    return (meta.version, meta.updated_at) > (row.version, row.updated_at)


def _dedupe_newest(papers: Sequence[PaperMeta]) -> dict[str, PaperMeta]:
    newest: dict[str, PaperMeta] = {}
    for meta in papers:
        current = newest.get(meta.arxiv_id)
        if current is None or meta.version > current.version:
            newest[meta.arxiv_id] = meta
    return newest


async def _rows_by_arxiv_id(session: AsyncSession, arxiv_ids: list[str]) -> dict[str, Paper]:
    rows: dict[str, Paper] = {}
    for chunk in batches(arxiv_ids):
        found = await session.scalars(select(Paper).where(Paper.arxiv_id.in_(chunk)))
        rows.update({row.arxiv_id: row for row in found})
    return rows


async def papers_by_id(session: AsyncSession, *, paper_ids: Sequence[int]) -> dict[int, Paper]:
    """The rows of the papers that exist, keyed by id (unknown ids are simply absent)."""
    rows: dict[int, Paper] = {}
    for chunk in batches(paper_ids):
        found = await session.scalars(select(Paper).where(Paper.id.in_(chunk)))
        rows.update({row.id: row for row in found})
    return rows


async def get_paper(session: AsyncSession, *, arxiv_id: str) -> Paper | None:
    return await session.scalar(select(Paper).where(Paper.arxiv_id == arxiv_id))


async def count_papers(session: AsyncSession) -> int:
    from sqlalchemy import func

    return int(await session.scalar(select(func.count()).select_from(Paper)) or 0)
