"""SQLite FTS5 side of full-text search: MATCH strings from quoted words, bm25 ranking.

The FTS5 table `paper_search(title, body)` has rowid = papers.id, the porter stemmer over
unicode61 (case and diacritics folded) and prefix indexes for 2 and 3 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.search_terms import IndexDocument, Term

# bm25 column weights: a word in a title counts ten times a word in the body.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
# Above this many matches only the newest RANK_CAP are ranked (see `ranked`).
RANK_CAP = 1000

_BM25 = f"bm25(paper_search, {TITLE_WEIGHT}, {BODY_WEIGHT})"


def match_expression(terms: Sequence[Term]) -> str:
    """`"word"` or `"word"*` per term, space-separated (FTS5's implicit AND)."""
    quoted = (
        '"' + term.word.replace('"', '""') + '"' + ("*" if term.prefix else "") for term in terms
    )
    return " ".join(quoted)


async def count(session: AsyncSession, *, terms: Sequence[Term], cap: int) -> int:
    """Matches, counted up to `cap` + 1 (FTS5 stops walking the doclists there)."""
    result = await session.execute(
        text(
            "SELECT count(*) FROM (SELECT 1 FROM paper_search WHERE paper_search MATCH :q"
            " LIMIT :cap)"
        ),
        {"q": match_expression(terms), "cap": cap + 1},
    )
    return int(result.scalar_one())


async def ranked(
    session: AsyncSession, *, terms: Sequence[Term], offset: int, limit: int, total: int
) -> list[tuple[int, float]]:
    """Best first. bm25 costs time per matching row, so a word matching half the corpus would
    be slow to rank in full: candidates are the RANK_CAP newest matches (walking the doclist
    backwards by rowid stops early), ranked by bm25 among themselves."""
    result = await session.execute(
        text(
            f"SELECT id, score FROM ("
            f" SELECT rowid AS id, {_BM25} AS score FROM paper_search"
            f" WHERE paper_search MATCH :q ORDER BY rowid DESC LIMIT :cap"
            f") ORDER BY score, id DESC LIMIT :limit OFFSET :offset"
        ),
        {
            "q": match_expression(terms),
            "cap": max(RANK_CAP, offset + limit),
            "limit": limit,
            "offset": offset,
        },
    )
    return [(int(row.id), -float(row.score)) for row in result]


async def newest(session: AsyncSession, *, terms: Sequence[Term], limit: int) -> list[int]:
    """Matching paper ids, highest first: the doclist walked backwards by rowid, no ranking."""
    result = await session.execute(
        text(
            "SELECT rowid FROM paper_search WHERE paper_search MATCH :q"
            " ORDER BY rowid DESC LIMIT :limit"
        ),
        {"q": match_expression(terms), "limit": limit},
    )
    return [int(row_id) for row_id in result.scalars()]


async def replace_documents(
    session: AsyncSession, *, paper_ids: Sequence[int], documents: Sequence[IndexDocument]
) -> None:
    """Delete then insert: FTS5 has no upsert, and a rowid must never appear twice."""
    await session.execute(
        text("DELETE FROM paper_search WHERE rowid IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": list(paper_ids)},
    )
    if documents:
        await session.execute(INSERT, [row(doc) for doc in documents])


INSERT = text("INSERT INTO paper_search (rowid, title, body) VALUES (:id, :title, :body)")


def row(document: IndexDocument) -> dict[str, object]:
    return {"id": document.paper_id, "title": document.title, "body": document.body}
