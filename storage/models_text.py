"""Models of what the reader keeps per paper: its text as read, its key figure, and where that
figure was uploaded (a platform's own reference to it, so it is uploaded once).

Both live in the database, beside the papers: `digestbot db backup` and `db copy` carry them
with everything else, which is what an operator backing up this bot expects (one file for
SQLite, one dump for PostgreSQL), and a re-run of the summarizer downloads nothing again. A
figure is at most `jobs.read.figure.MAX_BYTES`, one per paper.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, Id
from storage.types import UTCDateTime, utcnow


class PaperText(Base):
    """The paper's text as the reader made it (sections as [kind, title, text] triples)."""

    __tablename__ = "paper_texts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), unique=True)
    paper_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))  # html | pdf | abstract
    sections: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    downloaded_bytes: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaperFigure(Base):
    """The paper's key figure: the image as downloaded (checked by decoding) and its caption."""

    __tablename__ = "paper_figures"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), unique=True)
    paper_version: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(64), default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    mime_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    source_url: Mapped[str] = mapped_column(Text)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FigureUpload(Base):
    """A key figure as a platform knows it after one upload: Telegram's `file_id` (per bot),
    the 公众号's `uploadimg` URL (per account). `version` is the figure's (`figure_version`):
    a figure replaced by a newer paper version is uploaded again."""

    __tablename__ = "figure_uploads"
    __table_args__ = (UniqueConstraint("paper_id", "place"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(64))  # "telegram:<bot id>", "wechat:<app id>"
    version: Mapped[str] = mapped_column(String(32))
    remote: Mapped[str] = mapped_column(Text)  # the file_id or URL
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
