"""Papers as a reader browses them by relevance: `/similar`'s neighbours and `/saved`'s list,
as views (title, summary, link) in the reader's language; and the paper a WeChat reader
means by its number in the latest issue.

`core.services.ranking` answers with paper ids; front ends need the papers themselves, so this
turns those ids into views in one query, keeping the order (and dropping nothing but papers
that vanished meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.services import ranking
from core.services.ranking import Reader
from domain.arxiv_ids import parse_arxiv_id
from domain.errors import NotFound
from domain.types import IssueStatus, PaperView
from storage.db import Database
from storage.queries.issues import latest_issue_view
from storage.queries.paper_views import paper_views
from storage.queries.papers import get_paper

SIMILAR_K = 5


@dataclass(frozen=True)
class SavedList:
    papers: list[PaperView]
    total: int
    page: int  # 0-based
    pages: int


async def views_in_order(db: Database, paper_ids: list[int], language: str) -> list[PaperView]:
    async with db.session() as session:
        views = await paper_views(session, paper_ids=paper_ids, language=language)
    return [views[pid] for pid in paper_ids if pid in views]


async def stored_paper_id(db: Database, text: str) -> int:
    """The stored paper an arXiv id or URL names: InvalidInput for anything that is not an
    arXiv id (another host's URL, garbage), NotFound when the archive does not have it."""
    arxiv_id = parse_arxiv_id(text).arxiv_id
    async with db.session() as session:
        row = await get_paper(session, arxiv_id=arxiv_id)
    if row is None:
        raise NotFound(
            f"{arxiv_id} is not in our archive yet (try /paper {arxiv_id} first).",
            zh=f"存档里还没有 {arxiv_id}（可先发送 /paper {arxiv_id}）。",
        )
    return int(row.id)


async def similar_papers(
    db: Database, paper_id: int, language: str, k: int = SIMILAR_K, *, embeddings_model: str = ""
) -> tuple[PaperView, list[PaperView]]:
    """The paper and its `k` nearest papers of the whole archive, nearest first (by
    `embeddings_model`'s vectors when set and the paper has one, else TF-IDF)."""
    seed = await views_in_order(db, [paper_id], language)
    if not seed:
        raise NotFound("No such paper.", zh="没有这篇论文。")
    near = await ranking.similar(db, paper_id, k, embeddings_model=embeddings_model)
    return seed[0], await views_in_order(db, [pid for pid, _ in near], language)


async def saved_list(db: Database, reader: Reader, page: int, language: str) -> SavedList:
    """One page (0-based) of the reader's saved papers, latest saved first."""
    found = await ranking.saved(db, reader, page=page)
    pages = max(1, -(-found.total // ranking.SAVED_PAGE))
    papers = await views_in_order(db, found.paper_ids, language)
    return SavedList(papers, found.total, page, pages)


async def paper_of_latest_issue(db: Database, number: int, language: str) -> tuple[int, PaperView]:
    """Paper `number` (1-based, as numbered in the issue) of the newest published issue, with
    that issue's number: WeChat readers mark papers by the number they read (`赞 3`)."""
    async with db.session() as session:
        view = await latest_issue_view(
            session, language=language, statuses=(IssueStatus.PUBLISHED,)
        )
    if view is None:
        raise NotFound("No issue has been published yet.", zh="还没有发布任何一期。")
    items = view.included_items
    if not 1 <= number <= len(items):
        raise NotFound(
            f"Issue {view.number} has papers 1–{len(items)}; there is no paper {number}.",
            zh=f"第{view.number}期只有第 1–{len(items)} 篇，没有第 {number} 篇。",
        )
    return view.number, items[number - 1].paper
