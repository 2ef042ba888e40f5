""" "For you" ordering inside delivery planning: each page of chats scored in one product.

`core.services.planning` reads chats a page at a time (keyset on chat id); `ForYou` follows
it. Prepared once per issue (the issue's TF-IDF rows: papers vectorized if new, which is the
only write), it reads the page's trained models (one indexed range on `reader_models`), scores
every model against every paper of the issue in one sparse product (models × features ·
features × papers) and hands planning a function that reorders a chat's paper ids by its
scores. Chats without a usable model keep the issue's order, and their shared tuples stay
shared. Planning never trains: a model is retrained when its reader's feedback changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_model as rm
from core.services import ranking_vectors as rv
from storage.queries import ranking as rq

Order = Callable[[int, tuple[int, ...]], tuple[int, ...]]


def as_given(chat_id: int, paper_ids: tuple[int, ...]) -> tuple[int, ...]:
    """The order planning gives without "for you": the issue's."""
    return paper_ids


class ForYou:
    """Personal order of one issue's papers, page by page of chats."""

    def __init__(self, paper_ids: Sequence[int], x: rm.Matrix, min_feedback: int) -> None:
        self.column = {pid: i for i, pid in enumerate(paper_ids)}
        self.x = x
        self.min_feedback = min_feedback

    @classmethod
    async def prepare(
        cls, session: AsyncSession, *, paper_ids: Sequence[int], min_feedback: int
    ) -> ForYou:
        ids, x = await rv.matrix_of(session, paper_ids=paper_ids)
        return cls(ids, x, min_feedback)

    async def page(self, session: AsyncSession, *, first_chat_id: int, last_chat_id: int) -> Order:
        """The order of each chat first..last: by its model when it has one, else as given."""
        if not self.column:
            return as_given
        found = await rq.models_in_range(
            session, first_chat_id=first_chat_id, last_chat_id=last_chat_id,
            min_examples=self.min_feedback,
        )  # fmt: skip
        if not found:
            return as_given
        chats = list(found)
        models = [rm.ReaderWeights(rm.SparseVector.unpack(*p), b) for p, b in found.values()]
        scores = await asyncio.to_thread(rm.scores, models, self.x)
        row = {chat: i for i, chat in enumerate(chats)}
        return lambda chat_id, paper_ids: self._order(scores, row.get(chat_id), paper_ids)

    def _order(
        self, scores: np.ndarray, row: int | None, paper_ids: tuple[int, ...]
    ) -> tuple[int, ...]:
        if row is None or len(paper_ids) < 2:
            return paper_ids
        mine = scores[row]
        # Stable: equal scores (e.g. papers the model knows nothing of) keep the order.
        return tuple(
            sorted(
                paper_ids,
                key=lambda pid: -mine[self.column[pid]] if pid in self.column else 0.0,
            )
        )
