"""PostgreSQL side of full-text search: tsquery from quoted words, ts_rank_cd ranking.

`paper_search(paper_id, document tsvector)` with a GIN index. The title part is weight A and
the body weight D, so with ts_rank_cd's default weights a title word counts ten times a body
word. The `english` configuration stems and drops stop words; the pre-segmented Chinese words
pass through it unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.search_terms import IndexDocument, Term

CONFIG = "english"
# Above this many matches only the newest RANK_CAP are ranked (see `ranked`).
RANK_CAP = 1000


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
    # The planner must see the real tsquery to choose GIN (rare words) or an early-stopping
    # scan (common ones); psycopg's prepared statements would otherwise get a generic plan.
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    result = await session.execute(
        text(
            f"SELECT count(*) FROM (SELECT 1 FROM paper_search WHERE document @@ {_QUERY}"
            " LIMIT :cap) AS matches"
        ),
        {"q": tsquery_expression(terms), "cap": cap + 1},
    )
    return int(result.scalar_one())


async def ranked(
    session: AsyncSession, *, terms: Sequence[Term], offset: int, limit: int
) -> list[tuple[int, float]]:
    """Best first. ts_rank_cd reads each candidate's whole tsvector, so ranking every paper
    that contains "model" would be slow: candidates are the RANK_CAP newest matches (by id, a
    backwards primary-key walk that stops early for common words; GIN for rare ones), ranked
    among themselves."""
    result = await session.execute(
        text(
            f"SELECT p.paper_id AS id, ts_rank_cd(p.document, {_QUERY}, 1) AS score"
            f" FROM (SELECT paper_id FROM paper_search WHERE document @@ {_QUERY}"
            f"  ORDER BY paper_id DESC LIMIT :cap) AS candidates"
            f" JOIN paper_search AS p ON p.paper_id = candidates.paper_id"
            f" ORDER BY score DESC, p.paper_id DESC LIMIT :limit OFFSET :offset"
        ),
        {
            "q": tsquery_expression(terms),
            "cap": max(RANK_CAP, offset + limit),
            "limit": limit,
            "offset": offset,
        },
    )
    return [(int(row.id), float(row.score)) for row in result]


async def replace_documents(
    session: AsyncSession, *, paper_ids: Sequence[int], documents: Sequence[IndexDocument]
) -> None:
    """Upsert each document; drop rows of ids that are gone (cascade covers real deletes)."""
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
