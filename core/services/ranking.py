"""Personal relevance (issue 13): each reader's votes train their own model, which orders
their delivery; the API the feedback buttons and `/saved`, `/similar`, `/forget` call.

A reader is a chat, named as everywhere by (platform, chat id) (`Reader`); their feedback is
one row per paper (👍 +1, 👎 -1, ⭐ saved), so a vote counts once however often it is sent.
Every change retrains that reader's model at once (tens of milliseconds, in a thread): a
model is never rebuilt for everyone, and a delivery only reads models.

**Chinese interests.** Papers are English and so are their vectors: a model learns from the
papers a reader marked, whatever language they subscribed in. A Chinese topic (`/subscribe
扩散模型`) still chooses which papers reach them — `domain.topics` matches it against the
Chinese summary's translated title, TL;DR and keywords (`domain.topictext.paper_text`) — and
their votes on those papers train the model over the English title and abstract. So a Chinese
reader's interests map onto English papers twice: through the LLM's translation for the
filter, and through their own votes for the order; no Chinese text is ever vectorized.

Cold start: a reader with fewer than `min_feedback` marked papers, or none liked, gets
today's order (the LLM's score, then recency).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_embeddings
from core.services import ranking_model as rm
from core.services import ranking_vectors as rv
from core.services.ranking_plan import ForYou
from domain.errors import InvalidInput, NotFound
from storage.db import Database
from storage.queries import ranking as rq
from storage.queries.papers import papers_by_id

MIN_FEEDBACK = 5  # marked papers before a reader's own order replaces today's
BACKGROUND = 200  # recent unmarked papers that stand for "not this" in training
SAVED_PAGE = 10


@dataclass(frozen=True)
class Reader:
    """A chat on a platform: (platform, the platform's chat id)."""

    platform: str
    chat_id: str


@dataclass(frozen=True)
class SavedPage:
    paper_ids: list[int]
    total: int


async def record_feedback(
    db: Database, reader: Reader, paper_id: int, *, vote: int | None = None,
    saved: bool | None = None,
) -> bool:  # fmt: skip
    """Set a reader's vote (+1, -1, 0 to take it back) and/or saved flag on a paper; True when
    it changed anything (then their model is retrained)."""
    if vote not in (None, -1, 0, 1):
        raise InvalidInput("A vote is +1, -1 or 0.", zh="投票只能是 +1、-1 或 0。")
    async with db.session() as session:
        chat = await _chat(session, reader)
        if not await papers_by_id(session, paper_ids=[paper_id]):
            raise NotFound("No such paper.", zh="没有这篇论文。")
        changed = await rq.set_feedback(
            session, chat_id=chat, paper_id=paper_id, vote=vote, saved=saved
        )
    if changed:
        await train_reader(db, chat)
    return changed


async def _chat(session: AsyncSession, reader: Reader) -> int:
    chat = await rq.chat_id_of(session, platform=reader.platform, external_id=reader.chat_id)
    if chat is None:
        raise NotFound("This chat is not registered.", zh="这个会话尚未登记。")
    return chat


async def forget(db: Database, reader: Reader) -> int:
    """Delete the reader's feedback and model (`/forget`); how many marks were deleted."""
    async with db.session() as session:
        chat = await rq.chat_id_of(session, platform=reader.platform, external_id=reader.chat_id)
        return 0 if chat is None else await rq.forget(session, chat_id=chat)


async def saved(
    db: Database, reader: Reader, *, page: int = 0, size: int = SAVED_PAGE
) -> SavedPage:
    """The reader's reading list, latest saved first, one page (`/saved`)."""
    size = max(1, min(size, 50))
    async with db.session() as session:
        chat = await rq.chat_id_of(session, platform=reader.platform, external_id=reader.chat_id)
        if chat is None:
            return SavedPage([], 0)
        ids, total = await rq.saved_page(
            session, chat_id=chat, limit=size, offset=max(0, page) * size
        )
    return SavedPage(ids, total)


async def similar(
    db: Database, paper_id: int, k: int = 5, *, embeddings_model: str = ""
) -> list[tuple[int, float]]:
    """The `k` nearest papers of the whole archive to `paper_id`, best first (`/similar`):
    by `embeddings_model`'s vectors (EMBEDDINGS_MODEL) when the paper has one, else TF-IDF."""
    if embeddings_model and k > 0:
        found = await ranking_embeddings.similar(
            db, paper_id=paper_id, model=embeddings_model, k=min(k, 100)
        )
        if found is not None:
            return found
    async with db.session() as session:
        return await rv.similar(session, paper_id=paper_id, k=k)


async def index_papers(db: Database, *, at_most: int | None = None) -> int:
    """Vectorize papers that have none yet, newest first (a backfill of the archive, or the
    day's new papers after a fetch); how many. Idempotent and incremental."""
    async with db.session() as session:
        return await rv.ensure_vectors(session, at_most=at_most)


async def train_reader(db: Database, chat_id: int) -> bool:
    """(Re)train one reader's model from their feedback; False when there was nothing to
    train (no model row) or a newer training won."""
    async with db.session() as session:
        state = await rq.model_revision(session, chat_id=chat_id)
        if state is None:
            return False
        revision = state[0]
        feedback = await rq.feedback_of(session, chat_id=chat_id)
        weights = await _fit(session, feedback)
        return await rq.save_model(
            session, chat_id=chat_id, revision=revision, examples=len(feedback), weights=weights
        )


async def _fit(
    session: AsyncSession, feedback: list[rq.FeedbackRow]
) -> tuple[rq.Packed, float] | None:
    if not feedback:
        return None
    await rv.ensure_vectors(session, at_most=BACKGROUND)  # the newest papers, if new
    idf = await rv.idf_weights(session)
    ids, x = await rv.matrix_of(session, paper_ids=[f.paper_id for f in feedback], idf=idf)
    label = {f.paper_id: int(f.vote > 0 or f.saved) for f in feedback}
    marked = set(ids)
    recent = [
        p for pid, p in await rq.recent_vectors(session, limit=BACKGROUND) if pid not in marked
    ]
    background = await asyncio.to_thread(rm.weighted, rv.unpack_all(recent), idf)
    model = await asyncio.to_thread(rm.train, x, [label[pid] for pid in ids], background)
    return None if model is None else (model.vector.pack(), model.intercept)


async def refresh_models(db: Database, *, limit: int = 1000) -> int:
    """Retrain the models left behind their feedback (a training that failed); how many."""
    async with db.session() as session:
        stale = await rq.stale_readers(session, limit=limit)
    done = 0
    for chat_id in stale:
        done += await train_reader(db, chat_id)
    return done


async def rank_for(
    db: Database, reader: Reader, paper_ids: list[int], *, min_feedback: int = MIN_FEEDBACK
) -> list[int]:
    """`paper_ids` in the reader's order: their model's, best first, once they have enough
    feedback; otherwise as given (today's order)."""
    async with db.session() as session:
        chat = await rq.chat_id_of(session, platform=reader.platform, external_id=reader.chat_id)
        if chat is None:
            return list(paper_ids)
        ranker = await ForYou.prepare(session, paper_ids=paper_ids, min_feedback=min_feedback)
        return list(await ranker.order_of(session, chat_id=chat, paper_ids=paper_ids))
