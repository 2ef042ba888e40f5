"""Where a key figure was uploaded: a platform's reference to it, kept so it is uploaded once.

One row per (paper, place); a row whose `version` is not the figure's current one is stale (the
figure was replaced) and is overwritten by the next upload.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_text import FigureUpload


async def uploaded_figure(
    session: AsyncSession, *, paper_id: int, place: str, version: str
) -> str | None:
    """The platform's reference to this version of the figure, if it was uploaded there."""
    return await session.scalar(
        select(FigureUpload.remote).filter_by(paper_id=paper_id, place=place, version=version)
    )


async def save_uploaded_figure(
    session: AsyncSession, *, paper_id: int, place: str, version: str, remote: str
) -> None:
    """Remember (or replace) the reference an upload returned."""
    row = await session.scalar(select(FigureUpload).filter_by(paper_id=paper_id, place=place))
    if row is None:
        row = FigureUpload(paper_id=paper_id, place=place)
        session.add(row)
    row.version, row.remote = version, remote
    await session.flush()


async def forget_uploaded_figure(session: AsyncSession, *, paper_id: int, place: str) -> None:
    """Drop a reference the platform no longer accepts (Telegram: a wrong file identifier)."""
    row = await session.scalar(select(FigureUpload).filter_by(paper_id=paper_id, place=place))
    if row is not None:
        await session.delete(row)
        await session.flush()
