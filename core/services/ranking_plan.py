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
        self.column = {pid: i for i, pid in enumerate(paper_ids)}
        self._columns: dict[tuple[int, ...], tuple[np.ndarray, tuple[int, ...]]] = {}
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
        scores = await asyncio.to_thread(self._scores, list(found.values()))
        best = np.argsort(-scores, axis=1, kind="stable")  # ties keep the issue's order
        row = {chat: i for i, chat in enumerate(found)}

        def order(chat_id: int, paper_ids: tuple[int, ...]) -> tuple[int, ...]:
            i = row.get(chat_id)
            if i is None or len(paper_ids) < 2:
                return paper_ids
            if len(paper_ids) == self.ids.size:  # every paper: the precomputed order
                return tuple(self.ids[best[i]].tolist())
            return self._subset(scores[i], paper_ids)

        return order

    def _scores(self, models: list[tuple[rq.Packed, float]]) -> np.ndarray:
        intercepts = np.fromiter((b for _, b in models), np.float32, count=len(models))
        return self.scorer.scores([packed for packed, _ in models], intercepts)

    def _subset(self, mine: np.ndarray, paper_ids: tuple[int, ...]) -> tuple[int, ...]:
        """A topic-matched subset in the model's order (columns cached per distinct subset,
        which planning shares between chats); papers without a vector last, as given."""
        found = self._columns.get(paper_ids)
        if found is None:
            known = [self.column[p] for p in paper_ids if p in self.column]
            rest = tuple(p for p in paper_ids if p not in self.column)
            found = self._columns[paper_ids] = (np.asarray(known, dtype=np.int64), rest)
        cols, rest = found
        ranked = cols[np.argsort(-mine[cols], kind="stable")]
        return tuple(self.ids[ranked].tolist()) + rest
