"""Search papers and summaries: `/search 强化学习` in the bot lands here.

Hits come best first with the paper, its best summary in the reader's language and the issues
(第N期) it appeared in. The query is plain words: no syntax to learn, none to break.
"""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.types import Page, SearchHit
from storage import search
from storage.db import Database
from storage.queries.search_hits import hit_views

MAX_QUERY_CHARS = 300
MAX_PAGE_SIZE = 50


async def search_papers(
    db: Database,
    *,
    query: str,
    language: str,
    offset: int = 0,
    limit: int = 5,
    published_only: bool = False,
) -> Page[SearchHit]:
    """One page of hits for `query`; `total` counts every matching paper, or stops past
    `storage.search.COUNT_CAP` with `total_is_lower_bound` set (show it as "10000+").
    `published_only` names only published issues in each hit (the public web's view)."""
    query = _checked(query)
    offset, limit = max(offset, 0), min(max(limit, 1), MAX_PAGE_SIZE)
    async with db.session() as session:
        ranked, total = await search.search_paper_ids(
            session, query=query, offset=offset, limit=limit, count_cap=search.COUNT_CAP
        )
        ids = [paper_id for paper_id, _ in ranked]
        views = await hit_views(  # one round trip
            session, paper_ids=ids, language=language, published_only=published_only
        )
    hits = tuple(
        SearchHit(paper=views[paper_id][0], score=score, issue_numbers=views[paper_id][1])
        for paper_id, score in ranked
        if paper_id in views
    )
    capped = total > search.COUNT_CAP
    return Page(items=hits, total=total, offset=offset, limit=limit, total_is_lower_bound=capped)


async def newest_matching_papers(
    db: Database, *, query: str, language: str, limit: int = 30
) -> tuple[SearchHit, ...]:
    """The newest `limit` papers matching `query`, newest stored first, each naming only the
    published issues it appeared in: a keyword subscription (the web's search feeds)."""
    query = _checked(query)
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    async with db.session() as session:
        ids = await search.newest_paper_ids(session, query=query, limit=limit)
        views = await hit_views(session, paper_ids=ids, language=language, published_only=True)
    return tuple(
        SearchHit(paper=views[paper_id][0], score=0.0, issue_numbers=views[paper_id][1])
        for paper_id in ids
        if paper_id in views
    )


def _checked(query: str) -> str:
    query = query.strip()
    if not query:
        raise InvalidInput(
            "What should I search for? Send a few words, e.g. /search reward model",
            zh="要搜索什么？请发送几个关键词，例如 /search 强化学习",
        )
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"That search is {len(query)} characters long; please keep it under "
            f"{MAX_QUERY_CHARS} (a few keywords work best).",
            zh=f"搜索词有 {len(query)} 个字符，请控制在 {MAX_QUERY_CHARS} 以内"
            "（几个关键词效果最好）。",
        )
    return query
