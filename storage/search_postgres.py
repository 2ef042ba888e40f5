"""PostgreSQL side of full-text search: tsquery from quoted words, GIN to match and count.

`paper_search(paper_id, document tsvector)` with a GIN index. The title part is weight A and
the body weight D. The `english` configuration stems and drops stop words; the pre-segmented
Chinese words pass through it unchanged. A trigger derives `paper_search_terms`, per-lexeme
impacts, from each tsvector: counting and ranking read those (`storage.search_postings`,
`storage.search_topk`), so every match is ranked, not just the newest. GIN still counts queries
with a prefix word.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage import search_postings, search_topk
from storage.search_terms import IndexDocument, Term

CONFIG = search_postings.CONFIG
SCORE_ALL_UP_TO = 1000  # matches few enough to score every one rather than prove a top k


def document_sql(title: str, body: str) -> str:
    """The tsvector of one paper from two SQL expressions (also used by the bench's COPY)."""
    return (
        f"setweight(to_tsvector('{CONFIG}', {title}), 'A')"
        f" || setweight(to_tsvector('{CONFIG}', {body}), 'D')"
    )


DOCUMENT_SQL = document_sql(":title", ":body")
_QUERY = f"to_tsquery('{CONFIG}', :q)"


def tsquery_expression(terms: Sequence[Term]) -> str:
    """`'word'` or `'word':*` per term, joined by `&`. Words hold no quotes, but escape anyway."""
    quoted = (
        "'" + term.word.replace("'", "''") + "'" + (":*" if term.prefix else "") for term in terms
    )
    return " & ".join(quoted)


async def count(session: AsyncSession, *, terms: Sequence[Term], cap: int) -> int:
    """Matches, counted up to `cap` + 1 (a word in most papers would cost a full scan)."""
    wanted = await search_postings.resolve(session, terms)
    if not wanted:
        return 0
    lexemes = search_postings.exact_lexemes(wanted)
    if lexemes is not None:
        return await search_postings.count(session, lexemes, cap)
    # A prefix stands for many lexemes: GIN, or an early-stopping scan for common words (the
    # planner sees the real tsquery: `resolve` turned generic plans off).
    result = await session.execute(
        text(
            f"SELECT count(*) FROM (SELECT 1 FROM paper_search WHERE document @@ {_QUERY}"
            " LIMIT :cap) AS matches"
        ),
        {"q": tsquery_expression(terms), "cap": cap + 1},
    )
    return int(result.scalar_one())


async def ranked(
    session: AsyncSession, *, terms: Sequence[Term], offset: int, limit: int, total: int
) -> list[tuple[int, float]]:
    """Best first over every match, not a sample of them. A few hundred matches are all
    scored; more go through the threshold algorithm (`storage.search_topk`)."""
    wanted = await search_postings.resolve(session, terms)
    if not wanted:
        return []
    lexemes = search_postings.exact_lexemes(wanted)
    if lexemes is not None and total <= SCORE_ALL_UP_TO:
        return await search_postings.score_all(session, lexemes, offset, limit)
    best = await search_topk.top(session, wanted=wanted, need=offset + limit)
    return best[offset : offset + limit]


async def newest(session: AsyncSession, *, terms: Sequence[Term], limit: int) -> list[int]:
    """Matching paper ids, highest first (GIN matches, the primary key orders; no ranking)."""
    result = await session.execute(
        text(
            f"SELECT paper_id FROM paper_search WHERE document @@ {_QUERY}"
            " ORDER BY paper_id DESC LIMIT :limit"
        ),
        {"q": tsquery_expression(terms), "limit": limit},
    )
    return [int(paper_id) for paper_id in result.scalars()]


async def replace_documents(
    session: AsyncSession, *, paper_ids: Sequence[int], documents: Sequence[IndexDocument]
) -> None:
    """Upsert each document; drop rows of ids that are gone (cascade covers real deletes). A
    trigger keeps each row's postings (`paper_search_terms`) in step."""
    if documents:
        await session.execute(UPSERT, [row(doc) for doc in documents])
    present = {doc.paper_id for doc in documents}
    missing = [paper_id for paper_id in paper_ids if paper_id not in present]
    if missing:
        await session.execute(
            text("DELETE FROM paper_search WHERE paper_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": missing},
        )


UPSERT = text(
    f"INSERT INTO paper_search (paper_id, document) VALUES (:id, {DOCUMENT_SQL})"
    " ON CONFLICT (paper_id) DO UPDATE SET document = EXCLUDED.document"
)


def row(document: IndexDocument) -> dict[str, object]:
    return {"id": document.paper_id, "title": document.title, "body": document.body}
