"""One paper by arXiv id, as readers see it: `/paper 2402.01399` lands here; and its key
figure's bytes for the front ends that show it."""

from __future__ import annotations

from domain.arxiv_ids import parse_arxiv_id
from domain.fulltext import FigureView
from domain.types import PaperView
from storage.db import Database
from storage.queries.fulltext import figure_image
from storage.queries.paper_views import paper_views
from storage.queries.papers import get_paper


async def find_paper(db: Database, *, text: str, language: str) -> tuple[str, PaperView | None]:
    """The canonical arXiv id in `text` (raises InvalidInput) and the stored paper, if any."""
    arxiv_id = parse_arxiv_id(text).arxiv_id
    async with db.session() as session:
        row = await get_paper(session, arxiv_id=arxiv_id)
        if row is None:
            return arxiv_id, None
        views = await paper_views(session, paper_ids=[row.id], language=language)
    return arxiv_id, views.get(row.id)


async def paper_by_id(db: Database, *, paper_id: int, language: str) -> PaperView | None:
    async with db.session() as session:
        views = await paper_views(session, paper_ids=[paper_id], language=language)
    return views.get(paper_id)


async def key_figure(db: Database, *, paper_id: int) -> tuple[FigureView, bytes] | None:
    """The paper's key figure with its image bytes, for a front end that sends or serves it
    (`PaperView.figure` says whether there is one without loading the bytes)."""
    async with db.session() as session:
        return await figure_image(session, paper_id=paper_id)
