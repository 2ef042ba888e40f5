"""Full-text search over papers and their summaries, on SQLite (FTS5) and PostgreSQL (tsvector).

One index row per paper. Its "title" part holds the arXiv title and every translated title; its
"body" part the abstract, authors, comment and every summary field in every language. Text is
segmented by `storage.textseg` first (jieba for Chinese), so both engines see space-separated
words; each engine then lower-cases and stems English itself.

User text is never passed to an engine as query syntax: it is cut into words and the engine's
query is built here from quoted words (AND of all words; when that finds under WIDEN_BELOW
papers, words of 3+ letters also match as prefixes).
The dialect-specific SQL lives in `storage.search_sqlite` and `storage.search_postgres`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import ModuleType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import search_postgres, search_sqlite
from storage.models import Paper, Summary
from storage.queries.batching import batches
from storage.search_terms import IndexDocument, Term, query_terms
from storage.textseg import segment_for_index

COUNT_CAP = 1_000
WIDEN_BELOW = 100  # exact matches below which prefix matching kicks in

__all__ = [
    "COUNT_CAP",
    "IndexDocument",
    "newest_paper_ids",
    "query_terms",
    "reindex_papers",
    "search_paper_ids",
]


async def reindex_papers(session: AsyncSession, *, paper_ids: Sequence[int]) -> None:
    """Rebuild the index rows of these papers from their current text and summaries.

    Idempotent: each paper keeps exactly one row; ids of papers that no longer exist lose theirs.
    """
    ids = sorted(set(paper_ids))
    for chunk in batches(ids):
        documents = await _documents(session, chunk)
        await _backend(session).replace_documents(session, paper_ids=chunk, documents=documents)


async def search_paper_ids(
    session: AsyncSession, *, query: str, offset: int, limit: int, count_cap: int = COUNT_CAP
) -> tuple[list[tuple[int, float]], int]:
    """Best-first (paper id, score) pairs for one page, and how many papers match.

    The count is exact up to `count_cap`; a larger one is reported as `count_cap + 1` ("more
    than count_cap"), because counting every paper that says "model" costs a full scan.
    A query with no words in it (empty, punctuation, emoji) matches nothing.
    """
    terms = query_terms(query)
    if not terms or limit <= 0:
        return [], 0
    backend = _backend(session)
    exact = [Term(word=term.word, prefix=False) for term in terms]
    total = await backend.count(session, terms=exact, cap=count_cap)
    if total < WIDEN_BELOW and exact != terms:
        # Prefixes only widen a query that finds little: the stemmer already joins
        # tests/testing, and a prefix of a common word merges huge posting lists.
        total = await backend.count(session, terms=terms, cap=count_cap)
    else:
        terms = exact
    if total == 0 or offset >= total:
        return [], total
    ranked = await backend.ranked(
        session, terms=terms, offset=max(offset, 0), limit=limit, total=total
    )
    return ranked, total


async def newest_paper_ids(session: AsyncSession, *, query: str, limit: int) -> list[int]:
    """The newest stored `limit` papers matching every word (highest id first: a keyword feed
    must show what arrived since the reader last looked, not the same best matches forever).
    Words match exactly, or as prefixes when exactly they match nothing, as in the search."""
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    backend = _backend(session)
    exact = [Term(word=term.word, prefix=False) for term in terms]
    found = await backend.newest(session, terms=exact, limit=limit)
    if not found and exact != terms:
        found = await backend.newest(session, terms=terms, limit=limit)
    return found


def _backend(session: AsyncSession) -> ModuleType:
    """The engine module for this session's database; both expose the same four functions."""
    dialect = session.get_bind().dialect.name
    return search_sqlite if dialect == "sqlite" else search_postgres


async def _documents(session: AsyncSession, paper_ids: Sequence[int]) -> list[IndexDocument]:
    papers = await session.scalars(select(Paper).where(Paper.id.in_(paper_ids)))
    summaries = await session.scalars(
        select(Summary).where(Summary.paper_id.in_(paper_ids)).order_by(Summary.id)
    )
    by_paper: dict[int, list[Summary]] = {}
    for summary in summaries:
        by_paper.setdefault(summary.paper_id, []).append(summary)
    return [build_document(paper, by_paper.get(paper.id, [])) for paper in papers]


def build_document(paper: Paper, summaries: Iterable[Summary]) -> IndexDocument:
    """What one paper contributes to the index (also used by the bench's bulk loader)."""
    summaries = list(summaries)
    titles = [paper.title, *(s.title_translated for s in summaries)]
    body = [paper.abstract, " ".join(paper.authors), paper.comment or ""]
    for s in summaries:
        body += [s.tldr, s.background, s.method, *s.contributions, s.results, s.future_work]
        body += [*s.keywords, s.abstract_translated]
    return IndexDocument(
        paper_id=paper.id,
        title=_joined(titles),
        body=_joined(body),
    )


def _joined(parts: Iterable[str]) -> str:
    seen: set[str] = set()
    words: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.add(part)
            words.append(segment_for_index(part))
    return "\n".join(words)
