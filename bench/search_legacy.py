"""The PostgreSQL search as it was before the postings (issue 10), for an old/new ratio in one run.

GIN counts (an early-stopping scan or a bitmap, the planner's choice), and ranking is
ts_rank_cd over only the newest 1,000 matches. It runs on the same schema as the new design
(the tsvectors and their GIN index are still there), with the same query words and the same
prefix widening as `storage.search.search_paper_ids`, so the two differ only in how they count
and rank. Nothing in the application imports this.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.search import COUNT_CAP, WIDEN_BELOW
from storage.search_postgres import tsquery_expression
from storage.search_terms import Term, query_terms

RANK_CAP = 1000
_QUERY = "to_tsquery('english', :q)"


async def _count(session: AsyncSession, terms: Sequence[Term], cap: int) -> int:
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    result = await session.execute(
        text(
            f"SELECT count(*) FROM (SELECT 1 FROM paper_search WHERE document @@ {_QUERY}"
            " LIMIT :cap) AS matches"
        ),
        {"q": tsquery_expression(terms), "cap": cap + 1},
    )
    return int(result.scalar_one())


async def _ranked(
    session: AsyncSession, terms: Sequence[Term], offset: int, limit: int
) -> list[tuple[int, float]]:
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


async def search_paper_ids(
    session: AsyncSession, *, query: str, offset: int, limit: int
) -> tuple[list[tuple[int, float]], int]:
    """`storage.search.search_paper_ids` with the old PostgreSQL count and ranking."""
    terms = query_terms(query)
    if not terms:
        return [], 0
    exact = [Term(word=term.word, prefix=False) for term in terms]
    total = await _count(session, exact, COUNT_CAP)
    if total < WIDEN_BELOW and exact != terms:
        total = await _count(session, terms, COUNT_CAP)
    else:
        terms = exact
    if total == 0 or offset >= total:
        return [], total
    return await _ranked(session, terms, offset, limit), total
