""" "For you" scoring of one issue: its vectors turned feature-major once, readers' models kept
in memory, many models scored in one sparse product.

Used at send time (`core.services.sendtime`: the deliverer's claimed batch, `ForYou.prepare`,
`ModelCache`) and by `ranking.rank_for` (`ForYou.page` over a range of chats). Planning used
to call `page` for each of its pages; even the stamps' read there cost ~11 % of planning
(bench `ranking`), so it no longer does. What is kept here:

- `ModelCache` keeps the models last read per database and reads only those whose stamp
  (trained revision, intercept) moved (readers who voted since). A reader's 2 kB of weights is
  thus read once per change, not once per delivery; a forgotten model has no row, so it is
  never used, whatever is cached;
- `ForYou` holds the issue's columns (`ranking_model.issue_columns`) and, for a page of chats
  (`page`), asks which have a trained model and its stamp — an index-only range read
  (`ix_reader_models_plan`) — scores them in one product and sorts each row once (NumPy);
- it hands back an `Order`: a chat's papers picked by its row of that sort (a topic subset:
  that row filtered), one bytes object built per page, no NumPy call per chat.

Chats without a usable model keep the issue's order. Nothing here trains: a model is retrained
when its reader's feedback changes.
"""

from __future__ import annotations

import asyncio
import operator
import weakref
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_model as rm
from core.services import ranking_vectors as rv
from storage.queries import ranking as rq

Order = Callable[[int, tuple[int, ...]], tuple[int, ...]]
# Models kept per database: ~2.3 kB each in memory, so at most ~120 MB; readers beyond are
# read from the database at every plan (correct, only slower).
CACHE_READERS = 50_000


def as_given(chat_id: int, paper_ids: tuple[int, ...]) -> tuple[int, ...]:
    """The order planning gives without "for you": the issue's."""
    return paper_ids


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
    """Personal order of one issue's papers, page by page of chats."""

    def __init__(
        self, paper_ids: Sequence[int], x: rm.Matrix, min_feedback: int, cache: ModelCache
    ) -> None:
        self.ids = list(paper_ids)
        self.every = tuple(self.ids)
        self.column = {pid: i for i, pid in enumerate(self.ids)}
        self._columns: dict[tuple[int, ...], tuple[frozenset[int], tuple[int, ...]]] = {}
        self.xt = rm.issue_columns(x)
        self.min_feedback = min_feedback
        self.cache = cache

    @classmethod
    async def prepare(
        cls, session: AsyncSession, *, paper_ids: Sequence[int], min_feedback: int
    ) -> ForYou:
        ids, x = await rv.matrix_of(session, paper_ids=paper_ids)
        return cls(ids, x, min_feedback, cache_of(session))

    async def page(self, session: AsyncSession, *, first_chat_id: int, last_chat_id: int) -> Order:
        """The order of each chat first..last: by its model when it has one, else as given."""
        if not self.ids:
            return as_given
        stamps = await rq.model_stamps_in_range(
            session, first_chat_id=first_chat_id, last_chat_id=last_chat_id,
            min_examples=self.min_feedback,
        )  # fmt: skip
        if not stamps:
            return as_given
        models = await self.cache.current(session, stamps)
        intercepts = np.fromiter((b for _, b in stamps.values()), np.float32, count=len(stamps))
        best = await asyncio.to_thread(self._best, models, intercepts)
        row = {chat: i for i, chat in enumerate(stamps)}
        n = len(self.ids)

        def order(chat_id: int, paper_ids: tuple[int, ...]) -> tuple[int, ...]:
            i = row.get(chat_id)
            if i is None or len(paper_ids) < 2:
                return paper_ids
            mine = best[i * n : (i + 1) * n]
            if paper_ids == self.every:  # the whole issue: the row as it is
                return operator.itemgetter(*mine)(self.ids)
            wanted, rest = self._subset(paper_ids)
            return tuple([self.ids[c] for c in mine if c in wanted]) + rest

        return order

    def _best(self, models: list[rm.SparseVector], intercepts: rm.Floats) -> bytes | list[int]:
        """The issue's columns best first (ties keep the issue's order), chat after chat: as
        bytes (an issue has at most 255 papers in practice), which the garbage collector
        never scans, unlike 5,000 lists; a flat list beyond that."""
        scores = rm.page_scores(models, intercepts, self.xt)
        best = np.argsort(-scores, axis=1, kind="stable")
        if best.shape[1] <= 256:
            return best.astype(np.uint8).tobytes()
        return best.ravel().tolist()

    def _subset(self, paper_ids: tuple[int, ...]) -> tuple[frozenset[int], tuple[int, ...]]:
        """A topic-matched subset's columns (cached per distinct subset, which planning
        shares between chats) and its papers without a vector, which go last as given."""
        found = self._columns.get(paper_ids)
        if found is None:
            known = frozenset(self.column[p] for p in paper_ids if p in self.column)
            rest = tuple(p for p in paper_ids if p not in self.column)
            found = self._columns[paper_ids] = (known, rest)
        return found
