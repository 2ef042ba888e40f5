""" "For you" at send time: a reader's papers ordered by their own model when the deliverer
first claims their ledger row, and, in digest mode "topics", up to three recommendations.

Why here and not in planning: planning writes 5,000+ rows in seconds, and even reading the
models' stamps per page cost ~11 % of it (bench `ranking`), while sending a row takes at least
1/30 s at Telegram's rate. So planning writes every row in the issue's order, and the
deliverer, per claimed batch (1 row on SQLite, 8–24 on PostgreSQL), asks which of its chats
have a usable model (one indexed read), takes the models from the planning-era stamp cache
(`ranking_plan.ModelCache`: a model is read again only when it was retrained) and scores them
against the issue in one sparse product.

The order is written into the row (`paper_ids`, with `recommended_ids`) in the claim's
transaction, before its first part is sent, and only for a row never ordered and with nothing
sent: the row's parts stay a deterministic rendering, so a resumed row gets the same parts in
the same order even if the reader's model changed meanwhile.

Recommendations: a trained reader in "topics" mode also gets up to `MAX_RECOMMENDED` of the
issue's papers their topics did not match, when their model scores them above
`RECOMMEND_ABOVE`, placed among their papers by score and marked as recommended. That holds
too on days their topics matched nothing: planning then leaves such a reader a pending row
without papers (or their note row, `core.services.planning`), which gets the recommendations
alone (a note row becomes a subscriber row); with none above the threshold it stays as planned,
the deliverer skips the empty row or sends the note, as for any chat nothing matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import ranking_model as rm
from core.services.planning import NOTE, SUBSCRIBER
from core.services.ranking_plan import ForYou
from domain.types import DigestMode
from storage.queries import sendtime as queries
from storage.queries.deliveries import ClaimedDelivery
from storage.queries.sendtime import RowOrder

# The model's decision boundary: the reader's model is a linear SVM trained with balanced
# class weights on their 👍/⭐ ("yes") against their 👎 and, weakly, unmarked recent papers
# ("no"); a positive score means it puts the paper on the "yes" side. A paper the reader did
# not ask for must be one their model would call a "yes", not merely the best of a weak
# issue (ranking alone would recommend three papers every day, whatever they are).
RECOMMEND_ABOVE = 0.0
MAX_RECOMMENDED = 3  # a few extra papers, never enough to turn "topics" into "all"


class SendTimeOrder:
    """One issue's personal orders, for the rows a deliverer claims."""

    def __init__(self, ranker: ForYou) -> None:
        self.ranker = ranker

    @classmethod
    async def prepare(
        cls, session: AsyncSession, *, paper_ids: Sequence[int], min_feedback: int
    ) -> SendTimeOrder:
        """The issue's vectors (computed once, if missing) and the shared model cache."""
        ranker = await ForYou.prepare(session, paper_ids=paper_ids, min_feedback=min_feedback)
        return cls(ranker)

    async def claimed(
        self, session: AsyncSession, rows: Sequence[ClaimedDelivery]
    ) -> list[ClaimedDelivery]:
        """`rows` (just claimed in `session`'s transaction), each reader's row in their own
        order and kept so; rows without a usable model, or already ordered, as they are."""
        fresh = {row.chat_id: row for row in rows if row.chat_id is not None and _orderable(row)}
        if not fresh or not self.ranker.ids:
            return list(rows)
        trained = await queries.trained_chats(
            session, chat_ids=list(fresh), min_examples=self.ranker.min_feedback
        )
        if not trained:
            return list(rows)
        models = await self.ranker.cache.current(session, {c: s for c, (s, _) in trained.items()})
        intercepts = np.fromiter((s[1] for s, _ in trained.values()), np.float32, len(trained))
        scores = rm.page_scores(models, intercepts, self.ranker.xt)
        orders = [
            self._order(fresh[chat], scores[i], mode == DigestMode.TOPICS.value)
            for i, (chat, (_, mode)) in enumerate(trained.items())
        ]
        stored = await queries.store_orders(session, orders=orders)
        mine = {order.delivery_id: order for order in orders if order.delivery_id in stored}
        return [_with(row, mine.get(row.id)) for row in rows]

    def _order(self, row: ClaimedDelivery, scores: rm.Floats, topics: bool) -> RowOrder:
        by_score = self.ranker.by_score
        given = set(row.paper_ids)
        extra = [
            p for p, score in zip(self.ranker.ids, scores, strict=True)
            if p not in given and score > RECOMMEND_ABOVE
        ] if topics else []  # fmt: skip
        recommended = by_score(extra, scores)[:MAX_RECOMMENDED]
        ordered = by_score([*row.paper_ids, *recommended], scores)  # stable: ties as given
        chosen = set(recommended)
        kind = SUBSCRIBER if recommended else row.kind  # a note row with papers is a digest
        marked = tuple(p for p in ordered if p in chosen)
        return RowOrder(row.id, row.token, tuple(ordered), marked, kind)


def _orderable(row: ClaimedDelivery) -> bool:
    """A reader's row never ordered and with nothing sent yet: their papers, or none (nothing
    matched) or their note, for recommendations alone (the channel and groups' robots are not
    a reader's)."""
    reader = row.kind == SUBSCRIBER or (row.kind == NOTE and not row.paper_ids)
    return (
        row.chat_id is not None and reader
        and row.messages_sent == 0 and row.recommended is None
    )  # fmt: skip


def _with(row: ClaimedDelivery, order: RowOrder | None) -> ClaimedDelivery:
    if order is None:
        return row
    return replace(row, paper_ids=order.paper_ids, recommended=order.recommended, kind=order.kind)
