""" "For you" scoring of one issue: its vectors turned feature-major once, readers' models kept
in memory, many models scored in one sparse product.

Used at send time (`core.services.sendtime`: the deliverer's claimed batch) and by
`ranking.rank_for` (one reader). What is kept here:

- `ModelCache` keeps the models last read per database and reads only those whose stamp
  (trained revision, intercept) moved (readers who voted since). A reader's 2 kB of weights is
  thus read once per change, not once per delivery; a forgotten model has no row, so it is
  never used, whatever is cached;
- `ForYou` holds the issue's columns (`ranking_model.issue_columns`) and puts papers in a
  model's order by their scores (`by_score`: ties as given, papers without a vector last).

Chats without a usable model keep the issue's order. Nothing here trains: a model is retrained
when its reader's feedback changes.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_model as rm
from core.services import ranking_vectors as rv
from storage.queries import ranking as rq

# Models kept per database: ~2.3 kB each in memory, so at most ~120 MB; readers beyond are
# read from the database at every plan (correct, only slower).
CACHE_READERS = 50_000


class ModelCache:
    """Readers' models as planning last read them, by chat id, each with its stamp."""

    def __init__(self, limit: int = CACHE_READERS) -> None:
        self.limit = limit
        self.models: dict[int, tuple[rq.Stamp, rm.SparseVector]] = {}

    async def current(
        self, session: AsyncSession, stamps: dict[int, rq.Stamp]
    ) -> list[rm.SparseVector]:
        """The model of each chat of `stamps` (in its order), reading the changed ones."""
        stale = [c for c, s in stamps.items() if (self.models.get(c) or (None,))[0] != s]
        fresh: dict[int, tuple[rq.Stamp, rm.SparseVector]] = {}
        if stale:
            rows = await rq.models_of(session, chat_ids=stale)
            fresh = {c: (s, rm.SparseVector.unpack(*packed)) for c, (s, packed) in rows.items()}
            room = max(0, self.limit - len(self.models))
            for chat in stale:  # replaced, or added while there is room
                if chat in fresh and (chat in self.models or room > 0):
                    room -= chat not in self.models
                    self.models[chat] = fresh[chat]
        empty = rm.SparseVector(np.zeros(0, np.int32), np.zeros(0, np.float32))
        return [(fresh.get(c) or self.models.get(c) or (None, empty))[1] for c in stamps]


_CACHES: weakref.WeakKeyDictionary[object, ModelCache] = weakref.WeakKeyDictionary()


def forget_cached_models() -> None:
    """Drop every kept model (the bench's cold start)."""
    _CACHES.clear()


def cache_of(session: AsyncSession) -> ModelCache:
    """The model cache of the session's database (its engine): chat ids are per database."""
    engine = session.get_bind()
    found = _CACHES.get(engine)
    if found is None:
        found = _CACHES[engine] = ModelCache()
    return found


class ForYou:
    """One issue's papers scored by readers' models, and put in their order."""

    def __init__(
        self, paper_ids: Sequence[int], x: rm.Matrix, min_feedback: int, cache: ModelCache
    ) -> None:
        self.ids = list(paper_ids)
        self.column = {pid: i for i, pid in enumerate(self.ids)}
        self.xt = rm.issue_columns(x)
        self.min_feedback = min_feedback
        self.cache = cache

    @classmethod
    async def prepare(
        cls, session: AsyncSession, *, paper_ids: Sequence[int], min_feedback: int
    ) -> ForYou:
        ids, x = await rv.matrix_of(session, paper_ids=paper_ids)
        return cls(ids, x, min_feedback, cache_of(session))

    async def order_of(
        self, session: AsyncSession, *, chat_id: int, paper_ids: Sequence[int]
    ) -> tuple[int, ...]:
        """`paper_ids` in the chat's model's order, or as given without a usable model."""
        stamps = await rq.model_stamps_in_range(
            session, first_chat_id=chat_id, last_chat_id=chat_id, min_examples=self.min_feedback
        )
        if chat_id not in stamps or not self.ids:
            return tuple(paper_ids)
        models = await self.cache.current(session, stamps)
        intercepts = np.array([stamps[chat_id][1]], np.float32)
        return tuple(self.by_score(paper_ids, rm.page_scores(models, intercepts, self.xt)[0]))

    def by_score(self, paper_ids: Iterable[int], scores: rm.Floats) -> list[int]:
        """`paper_ids` best first by `scores` (one per issue column); ties keep their given
        order, papers without a vector go last."""
        column = self.column

        def rank(paper_id: int) -> float:
            at = column.get(paper_id)
            return -float(scores[at]) if at is not None else np.inf

        return sorted(paper_ids, key=rank)
