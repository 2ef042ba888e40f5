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
        self.ids = np.asarray(paper_ids, dtype=np.int64)
        self.scorer = rm.IssueScorer(x)
        self.min_feedback = min_feedback

    @classmethod
    async def prepare(
        cls, session: AsyncSession, *, paper_ids: Sequence[int], min_feedback: int
    ) -> ForYou:
        ids, x = await rv.matrix_of(session, paper_ids=paper_ids)
        return cls(ids, x, min_feedback)

    async def page(self, session: AsyncSession, *, first_chat_id: int, last_chat_id: int) -> Order:
        """The order of each chat first..last: by its model when it has one, else as given."""
        if not self.ids.size:
            return as_given
        found = await rq.models_in_range(
            session, first_chat_id=first_chat_id, last_chat_id=last_chat_id,
            min_examples=self.min_feedback,
        )  # fmt: skip
        if not found:
            return as_given
        rows = await asyncio.to_thread(self._ranked, list(found.values()))
        row = {chat: i for i, chat in enumerate(found)}
        done: dict[int, tuple[int, ...]] = {}

        def order(chat_id: int, paper_ids: tuple[int, ...]) -> tuple[int, ...]:
            i = row.get(chat_id)
            if i is None or len(paper_ids) < 2:
                return paper_ids
            if i not in done:
                done[i] = tuple(self.ids[rows[i]].tolist())
            return _restricted(done[i], paper_ids)

        return order

    def _ranked(self, models: list[tuple[rq.Packed, float]]) -> np.ndarray:
        """Per model, the issue's column numbers best first (stable: ties keep the issue's
        order, e.g. papers the model knows nothing of)."""
        intercepts = np.fromiter((b for _, b in models), np.float32, count=len(models))
        scores = self.scorer.scores([packed for packed, _ in models], intercepts)
        return np.argsort(-scores, axis=1, kind="stable")


def _restricted(ranked: tuple[int, ...], paper_ids: tuple[int, ...]) -> tuple[int, ...]:
    """`paper_ids` (a chat's topic-matched papers) in the order of `ranked`; papers without a
    vector last, as given."""
    if len(paper_ids) == len(ranked):
        return ranked
    wanted = set(paper_ids)
    known = set(ranked)
    return tuple(p for p in ranked if p in wanted) + tuple(p for p in paper_ids if p not in known)
