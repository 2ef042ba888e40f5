"""Rows of personal relevance: paper vectors, the IDF counts, feedback and reader models.

Bytes in, bytes out: what they mean is `core.services.ranking_model`'s. Feedback is one row
per (chat, paper), written by an upsert, so pressing 👍 twice is one vote. Every change of
a reader's feedback bumps their model's `revision`; training stores weights only for the
revision it read (`save_model`), so a vote that lands during training is never lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Paper
from storage.models_ranking import (
    PaperEmbedding,
    PaperVector,
    RankingVocab,
    ReaderFeedback,
    ReaderModel,
)
from storage.types import utcnow

VOCAB_ROW = 1
Packed = tuple[bytes, bytes]  # (indices, values)


def _dialect(session: AsyncSession):  # type: ignore[no-untyped-def]
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


async def chat_id_of(session: AsyncSession, *, platform: str, external_id: str) -> int | None:
    """Our id of the chat (platform, external id), or None when we never met it."""
    query = select(Chat.id).where(Chat.platform == platform, Chat.external_id == external_id)
    return (await session.execute(query)).scalar()


async def unvectorized(
    session: AsyncSession, *, paper_ids: Sequence[int] | None = None, limit: int = 1000
) -> list[tuple[int, str, str]]:
    """(id, title, abstract) of papers with no vector yet (of `paper_ids`, else the newest)."""
    query = (
        select(Paper.id, Paper.title, Paper.abstract)
        .outerjoin(PaperVector, PaperVector.paper_id == Paper.id)
        .where(PaperVector.paper_id.is_(None))
    )
    if paper_ids is not None:
        query = query.where(Paper.id.in_(list(paper_ids)))
    rows = await session.execute(query.order_by(Paper.id.desc()).limit(limit))
    return [(row.id, row.title, row.abstract) for row in rows]


async def store_vectors(session: AsyncSession, *, rows: Sequence[tuple[int, Packed]]) -> set[int]:
    """Insert vectors not stored yet; the ids that were new (a racing writer's win is kept)."""
    if not rows:
        return set()
    values = [
        {"paper_id": pid, "indices": ix, "values": vs, "created_at": utcnow()}
        for pid, (ix, vs) in rows
    ]
    insert = _dialect(session).insert(PaperVector).values(values)
    result = await session.execute(
        insert.on_conflict_do_nothing(index_elements=["paper_id"]).returning(PaperVector.paper_id)
    )
    return set(result.scalars())


async def lock_vocab(session: AsyncSession) -> tuple[int, bytes | None]:
    """(documents, packed frequencies) of the IDF counts, locked until commit; (0, None) at
    first."""
    query = select(RankingVocab).where(RankingVocab.id == VOCAB_ROW).with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    return (0, None) if row is None else (row.documents, row.frequencies)


async def vocab_version(session: AsyncSession) -> tuple[int, datetime] | None:
    """(documents, updated_at) of the IDF counts without their 4 MB, or None at first."""
    query = select(RankingVocab.documents, RankingVocab.updated_at).where(
        RankingVocab.id == VOCAB_ROW
    )
    row = (await session.execute(query)).first()
    return None if row is None else (row.documents, row.updated_at)


async def read_vocab(session: AsyncSession) -> tuple[int, bytes | None]:
    row = await session.get(RankingVocab, VOCAB_ROW)
    return (0, None) if row is None else (row.documents, row.frequencies)


async def save_vocab(session: AsyncSession, *, documents: int, frequencies: bytes) -> None:
    values = {"documents": documents, "frequencies": frequencies, "updated_at": utcnow()}
    insert = _dialect(session).insert(RankingVocab).values(id=VOCAB_ROW, **values)
    await session.execute(insert.on_conflict_do_update(index_elements=["id"], set_=values))


async def vectors_of(session: AsyncSession, *, paper_ids: Sequence[int]) -> dict[int, Packed]:
    query = select(PaperVector.paper_id, PaperVector.indices, PaperVector.values).where(
        PaperVector.paper_id.in_(list(paper_ids))
    )
    return {row.paper_id: (row.indices, row.values) for row in await session.execute(query)}


async def recent_vectors(
    session: AsyncSession, *, limit: int, before_id: int | None = None
) -> list[tuple[int, Packed]]:
    """The newest papers' vectors (by paper id, descending), below `before_id` if given."""
    query = select(PaperVector.paper_id, PaperVector.indices, PaperVector.values)
    if before_id is not None:
        query = query.where(PaperVector.paper_id < before_id)
    rows = await session.execute(query.order_by(PaperVector.paper_id.desc()).limit(limit))
    return [(row.paper_id, (row.indices, row.values)) for row in rows]


@dataclass(frozen=True)
class FeedbackRow:
    paper_id: int
    vote: int
    saved: bool
    updated_at: datetime


async def set_feedback(
    session: AsyncSession, *, chat_id: int, paper_id: int, vote: int | None, saved: bool | None
) -> bool:
    """Set the reader's vote and/or saved flag on a paper (None: leave it); True when that
    changed anything (the model's revision then moves on)."""
    row = await session.get(ReaderFeedback, (chat_id, paper_id), with_for_update=True)
    new_vote = (row.vote if row else 0) if vote is None else vote
    new_saved = (row.saved if row else False) if saved is None else saved
    if row is not None and (row.vote, row.saved) == (new_vote, new_saved):
        return False
    values = {"vote": new_vote, "saved": new_saved, "updated_at": utcnow()}
    insert = (
        _dialect(session)
        .insert(ReaderFeedback)
        .values(chat_id=chat_id, paper_id=paper_id, **values)
    )
    await session.execute(
        insert.on_conflict_do_update(index_elements=["chat_id", "paper_id"], set_=values)
    )
    await _bump_revision(session, chat_id)
    return True


async def _bump_revision(session: AsyncSession, chat_id: int) -> None:
    start = {"revision": 1, "trained_revision": 0, "examples": 0, "intercept": 0.0}
    insert = _dialect(session).insert(ReaderModel).values(chat_id=chat_id, **start)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["chat_id"], set_={"revision": ReaderModel.revision + 1}
        )
    )


async def feedback_of(session: AsyncSession, *, chat_id: int) -> list[FeedbackRow]:
    query = select(ReaderFeedback).where(
        ReaderFeedback.chat_id == chat_id, (ReaderFeedback.vote != 0) | ReaderFeedback.saved
    )
    rows = (await session.execute(query)).scalars()
    return [FeedbackRow(r.paper_id, r.vote, r.saved, r.updated_at) for r in rows]


async def saved_page(
    session: AsyncSession, *, chat_id: int, limit: int, offset: int = 0
) -> tuple[list[int], int]:
    """A page of the reader's saved paper ids (latest saved first) and how many in all."""
    where = and_(ReaderFeedback.chat_id == chat_id, ReaderFeedback.saved)
    total = (await session.execute(select(func.count()).where(where))).scalar_one()
    query = (
        select(ReaderFeedback.paper_id)
        .where(where)
        .order_by(ReaderFeedback.updated_at.desc(), ReaderFeedback.paper_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).scalars()), int(total)


async def forget(session: AsyncSession, *, chat_id: int) -> int:
    """Delete the reader's feedback and model; how many feedback rows went."""
    gone = await session.execute(delete(ReaderFeedback).where(ReaderFeedback.chat_id == chat_id))
    await session.execute(delete(ReaderModel).where(ReaderModel.chat_id == chat_id))
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


async def model_revision(session: AsyncSession, *, chat_id: int) -> tuple[int, int] | None:
    """(revision, trained_revision) of the reader's model row, or None."""
    row = await session.get(ReaderModel, chat_id)
    return None if row is None else (row.revision, row.trained_revision)


async def save_model(
    session: AsyncSession,
    *,
    chat_id: int,
    revision: int,
    examples: int,
    weights: tuple[Packed, float] | None,
) -> bool:
    """Store weights trained on `revision` (None: too little feedback, no model); False when
    the row is gone (forgotten meanwhile) or already holds a newer training."""
    packed, intercept = weights if weights else ((None, None), 0.0)
    result = await session.execute(
        update(ReaderModel)
        .where(ReaderModel.chat_id == chat_id, ReaderModel.trained_revision < revision)
        .values(
            trained_revision=revision,
            examples=examples,
            indices=packed[0],
            weights=packed[1],
            intercept=intercept,
            trained_at=utcnow(),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def stale_readers(session: AsyncSession, *, limit: int) -> list[int]:
    """Chats whose model is behind their feedback."""
    query = (
        select(ReaderModel.chat_id)
        .where(ReaderModel.trained_revision < ReaderModel.revision)
        .order_by(ReaderModel.chat_id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


Stamp = tuple[int, float]  # (trained_revision, intercept): changes whenever the weights do


def _trained(first_chat_id: int, last_chat_id: int, min_examples: int):  # type: ignore[no-untyped-def]
    return (
        ReaderModel.chat_id.between(first_chat_id, last_chat_id),
        ReaderModel.examples >= min_examples,
        ReaderModel.indices.is_not(None),
    )


async def model_stamps_in_range(
    session: AsyncSession, *, first_chat_id: int, last_chat_id: int, min_examples: int
) -> dict[int, Stamp]:
    """Which chats first..last (a planning page) have a trained model with enough feedback
    and left "for you" on (`/settings`; the others keep today's order), and its stamp: a few
    bytes a chat, read from the covering index, not the weights."""
    query = (
        select(ReaderModel.chat_id, ReaderModel.trained_revision, ReaderModel.intercept)
        .join(Chat, Chat.id == ReaderModel.chat_id)
        .where(*_trained(first_chat_id, last_chat_id, min_examples), Chat.for_you.is_(True))
    )
    # On the connection: a Core statement skips the ORM's per-row work (half the time here).
    rows = await (await session.connection()).execute(query)
    return {chat: (revision, intercept) for chat, revision, intercept in rows}


async def models_of(
    session: AsyncSession, *, chat_ids: Sequence[int]
) -> dict[int, tuple[Stamp, Packed]]:
    """The stored weights of these chats' trained models, each with its stamp."""
    query = select(
        ReaderModel.chat_id, ReaderModel.trained_revision, ReaderModel.intercept,
        ReaderModel.indices, ReaderModel.weights,
    ).where(ReaderModel.chat_id.in_(list(chat_ids)), ReaderModel.indices.is_not(None))  # fmt: skip
    rows = await session.execute(query)
    return {chat: ((rev, b), (ix or b"", ws or b"")) for chat, rev, b, ix, ws in rows}


Tally = tuple[int, int, int]  # (👍, 👎, ⭐) counts


def _tally_columns():  # type: ignore[no-untyped-def]
    return (
        func.coalesce(func.sum(case((ReaderFeedback.vote > 0, 1), else_=0)), 0),
        func.coalesce(func.sum(case((ReaderFeedback.vote < 0, 1), else_=0)), 0),
        func.coalesce(func.sum(case((ReaderFeedback.saved, 1), else_=0)), 0),
    )


async def tallies_of(session: AsyncSession, *, paper_ids: Sequence[int]) -> dict[int, Tally]:
    """Readers' votes and saves on each of these papers (counts only; papers without any
    are absent)."""
    query = (
        select(ReaderFeedback.paper_id, *_tally_columns())
        .where(ReaderFeedback.paper_id.in_(list(paper_ids)))
        .group_by(ReaderFeedback.paper_id)
    )
    rows = await session.execute(query)
    return {pid: (int(up), int(down), int(saved)) for pid, up, down, saved in rows}


async def voted_papers(session: AsyncSession, *, limit: int) -> dict[int, Tally]:
    """The `limit` papers most recently voted on or saved, with their tallies."""
    marked = (ReaderFeedback.vote != 0) | ReaderFeedback.saved
    query = (
        select(ReaderFeedback.paper_id, *_tally_columns())
        .where(marked)
        .group_by(ReaderFeedback.paper_id)
        .order_by(func.max(ReaderFeedback.updated_at).desc(), ReaderFeedback.paper_id.desc())
        .limit(limit)
    )
    rows = await session.execute(query)
    return {pid: (int(up), int(down), int(saved)) for pid, up, down, saved in rows}


async def tally_since(session: AsyncSession, *, since: datetime) -> Tally:
    """Every reader's marks changed since `since`, counted (each reader and paper once)."""
    query = select(*_tally_columns()).where(ReaderFeedback.updated_at >= since)
    up, down, saved = (await session.execute(query)).one()
    return int(up), int(down), int(saved)


async def unembedded(
    session: AsyncSession, *, model: str, limit: int
) -> list[tuple[int, str, str]]:
    """(id, title, abstract) of the newest papers with no vector from `model` yet."""
    has = (PaperEmbedding.paper_id == Paper.id) & (PaperEmbedding.model == model)
    query = (
        select(Paper.id, Paper.title, Paper.abstract)
        .outerjoin(PaperEmbedding, has)
        .where(PaperEmbedding.paper_id.is_(None))
        .order_by(Paper.id.desc())
        .limit(limit)
    )
    return [(row.id, row.title, row.abstract) for row in await session.execute(query)]


async def store_embeddings(
    session: AsyncSession, *, model: str, rows: Sequence[tuple[int, bytes]]
) -> None:
    """Insert vectors not stored yet (a racing writer's are kept)."""
    if not rows:
        return
    values = [
        {"paper_id": pid, "model": model, "vector": v, "created_at": utcnow()} for pid, v in rows
    ]
    insert = _dialect(session).insert(PaperEmbedding).values(values)
    await session.execute(insert.on_conflict_do_nothing(index_elements=["paper_id", "model"]))


async def embeddings_page(
    session: AsyncSession, *, model: str, limit: int, before_id: int | None = None
) -> list[tuple[int, bytes]]:
    """(paper id, vector) from `model`, newest paper first, below `before_id` if given."""
    query = select(PaperEmbedding.paper_id, PaperEmbedding.vector).where(
        PaperEmbedding.model == model
    )
    if before_id is not None:
        query = query.where(PaperEmbedding.paper_id < before_id)
    rows = await session.execute(query.order_by(PaperEmbedding.paper_id.desc()).limit(limit))
    return [(pid, vector) for pid, vector in rows]
