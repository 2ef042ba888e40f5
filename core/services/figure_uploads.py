"""A key figure uploaded once per platform: its bytes for the first upload, then the platform's
own reference to it (Telegram's `file_id`, the 公众号's `uploadimg` URL).

Front ends never touch the database: a sender holds a `FigureUploads` for its place (the bot,
the account) and asks it for the bytes, the reference, and to remember a new one.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from domain.fulltext import FigureView
from domain.web_paths import figure_version
from storage.db import Database
from storage.queries.figure_uploads import (
    forget_uploaded_figure,
    save_uploaded_figure,
    uploaded_figure,
)
from storage.queries.fulltext import figure_image


class FigureUploads:
    """The key figures of one place (`telegram:<bot id>`, `wechat:<app id>`)."""

    def __init__(self, db: Database, place: str) -> None:
        self.db = db
        self.place = place

    async def image(self, paper_id: int) -> tuple[FigureView, bytes] | None:
        """The figure and its bytes, for the first upload (None: the paper has none)."""
        async with self.db.session() as session:
            return await figure_image(session, paper_id=paper_id)

    async def remote(self, figure: FigureView) -> str | None:
        """The place's reference to this version of the figure, if it was uploaded."""
        async with self.db.session() as session:
            return await uploaded_figure(
                session, paper_id=figure.paper_id, place=self.place, version=figure_version(figure)
            )  # fmt: skip

    async def remember(self, figure: FigureView, remote: str) -> None:
        """Keep what an upload returned; a concurrent upload of the same figure may win."""
        try:
            async with self.db.session() as session:
                await save_uploaded_figure(
                    session, paper_id=figure.paper_id, place=self.place,
                    version=figure_version(figure), remote=remote,
                )  # fmt: skip
        except IntegrityError:  # another worker stored its upload first: either one works
            pass

    async def forget(self, paper_id: int) -> None:
        """The platform refused the reference: the next send uploads the bytes again."""
        async with self.db.session() as session:
            await forget_uploaded_figure(session, paper_id=paper_id, place=self.place)
