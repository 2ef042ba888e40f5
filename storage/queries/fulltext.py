"""A paper's text as read and its key figure: the reader's cache and the figure's bytes.

One row of each per paper (the newest version read wins); `figure_views` gives renderers what
they show (caption, size, type) without the bytes, `figure_image` the bytes when they send it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.fulltext import FigureView, PaperText, Section, SectionKind, TextSource
from storage.models_text import PaperFigure
from storage.models_text import PaperText as PaperTextRow
from storage.queries.batching import batches


async def load_text(
    session: AsyncSession, *, paper_id: int, paper_version: int
) -> PaperText | None:
    """The cached text of this version of the paper, if it was read."""
    row = await session.scalar(
        select(PaperTextRow).filter_by(paper_id=paper_id, paper_version=paper_version)
    )
    if row is None:
        return None
    sections = tuple(Section(title, SectionKind(kind), text) for kind, title, text in row.sections)
    return PaperText(TextSource(row.source), sections, tuple(row.links))


async def save_text(
    session: AsyncSession, *, paper_id: int, paper_version: int, text: PaperText, size: int
) -> None:
    """Store (or replace) what the reader made of the paper."""
    row = await session.scalar(select(PaperTextRow).filter_by(paper_id=paper_id))
    if row is None:
        row = PaperTextRow(paper_id=paper_id)
        session.add(row)
    row.paper_version, row.source = paper_version, text.source.value
    row.sections = [[s.kind.value, s.title, s.text] for s in text.sections]
    row.links, row.downloaded_bytes = list(text.links), size
    await session.flush()


@dataclass(frozen=True)
class NewFigure:
    label: str
    caption: str
    mime_type: str
    width: int
    height: int
    source_url: str
    data: bytes


async def has_figure(session: AsyncSession, *, paper_id: int, paper_version: int) -> bool:
    found = await session.scalar(
        select(PaperFigure.id).filter_by(paper_id=paper_id, paper_version=paper_version)
    )
    return found is not None


async def save_figure(
    session: AsyncSession, *, paper_id: int, paper_version: int, figure: NewFigure
) -> None:
    row = await session.scalar(select(PaperFigure).filter_by(paper_id=paper_id))
    if row is None:
        row = PaperFigure(paper_id=paper_id)
        session.add(row)
    row.paper_version, row.label, row.caption = paper_version, figure.label, figure.caption
    row.mime_type, row.width, row.height = figure.mime_type, figure.width, figure.height
    row.size, row.source_url, row.data = len(figure.data), figure.source_url, figure.data
    await session.flush()


# The figure as renderers see it (no bytes): also joined into search hits (`search_hits`).
FIGURE_VIEW_COLUMNS = (
    PaperFigure.paper_id, PaperFigure.label, PaperFigure.caption, PaperFigure.mime_type,
    PaperFigure.width, PaperFigure.height, PaperFigure.size, PaperFigure.source_url,
)  # fmt: skip


async def figure_views(session: AsyncSession, *, paper_ids: Sequence[int]) -> dict[int, FigureView]:
    """The key figures of these papers (those that have one), without their bytes."""
    found: dict[int, FigureView] = {}
    for chunk in batches(paper_ids):
        rows = await session.execute(
            select(*FIGURE_VIEW_COLUMNS).where(PaperFigure.paper_id.in_(chunk))
        )
        for row in rows:
            found[row.paper_id] = FigureView(*row)
    return found


async def figure_image(session: AsyncSession, *, paper_id: int) -> tuple[FigureView, bytes] | None:
    """The key figure and its image bytes, for a renderer that sends or serves it."""
    row = await session.scalar(select(PaperFigure).filter_by(paper_id=paper_id))
    if row is None:
        return None
    view = FigureView(
        row.paper_id, row.label, row.caption, row.mime_type, row.width, row.height, row.size,
        row.source_url,
    )  # fmt: skip
    return view, row.data
