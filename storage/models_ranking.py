"""Tables of personal relevance (issue 13): readers' feedback, paper vectors, reader models.

Kept apart from `storage.models` (imported at its end, so `Base.metadata` has them) because
they are one feature's rows. A reader is a chat (`chats.id`, itself (platform, external id)),
as for topics and deliveries; deleting the chat deletes its feedback and model. Vectors and
weights are sparse arrays stored as bytes (int32 indices, float32 values): the numbers are
`core.services.ranking_model`'s, the database only keeps them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base
from storage.types import UTCDateTime, utcnow


class PaperVector(Base):
    """A paper's hashed term frequencies (title + abstract), written once when first needed."""

    __tablename__ = "paper_vectors"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    indices: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RankingVocab(Base):
    """One row: how many papers were vectorized and, per hashed feature, in how many it
    occurs (zlib-compressed int32): the IDF, kept in step paper by paper."""

    __tablename__ = "ranking_vocab"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    frequencies: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReaderFeedback(Base):
    """One reader's word on one paper: a vote (+1, -1, 0 none) and a saved flag. One row per
    (chat, paper), so a vote counts once however often the button is pressed."""

    __tablename__ = "reader_feedback"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    vote: Mapped[int] = mapped_column(SmallInteger, default=0)
    saved: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReaderModel(Base):
    """A reader's linear model (pruned sparse weights) and whether it is behind their
    feedback: `revision` grows with every change of feedback, `trained_revision` is the one
    the weights were trained on."""

    __tablename__ = "reader_models"
    # Planning's question "who has a model, which version" answered from the index alone
    # (`storage.queries.ranking.model_stamps_in_range`), never touching the weights.
    __table_args__ = (
        Index(
            "ix_reader_models_plan",
            "chat_id",
            "examples",
            "trained_revision",
            "intercept",
            sqlite_where=text("indices IS NOT NULL"),
            postgresql_where=text("indices IS NOT NULL"),
        ),
    )

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)
    trained_revision: Mapped[int] = mapped_column(Integer, default=0)
    examples: Mapped[int] = mapped_column(Integer, default=0)
    indices: Mapped[bytes | None] = mapped_column(LargeBinary)
    weights: Mapped[bytes | None] = mapped_column(LargeBinary)
    intercept: Mapped[float] = mapped_column(Float, default=0.0)
    trained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PaperEmbedding(Base):
    """A paper's vector from an embeddings model (`EMBEDDINGS_MODEL`), float32 bytes; one per
    paper and model, so changing the model starts a new set beside the old."""

    __tablename__ = "paper_embeddings"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
