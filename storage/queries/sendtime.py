"""What the deliverer reads to order a reader's papers when it claims their row ("for you" at
send time, `core.services.sendtime`), and how it keeps that order in the row.

Kept apart from the ledger's claim/record queries: these run once per claimed batch, only with
"for you" on (`RANKING_FOR_YOU`); `with_models` once per planning page with "topics" readers
nothing matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Delivery
from storage.models_ranking import ReaderModel
from storage.queries.deliveries import SENDING
from storage.queries.ranking import Stamp

# Built once: at one row per claim (SQLite) building the statements cost more than running them.
_TRAINED = (
    select(
        ReaderModel.chat_id, ReaderModel.trained_revision, ReaderModel.intercept, Chat.digest_mode
    )
    .join(Chat, Chat.id == ReaderModel.chat_id)
    .where(
        ReaderModel.chat_id.in_(bindparam("chat_ids", expanding=True)),
        ReaderModel.examples >= bindparam("min_examples"),
        ReaderModel.indices.is_not(None), Chat.for_you.is_(True),
    )
)  # fmt: skip
# Planning's question for the readers nothing matched: the chat ids alone, from the covering
# partial index `ix_reader_models_plan` (the page's chats are known, "for you" setting included).
_MODELLED = select(ReaderModel.chat_id).where(
    ReaderModel.chat_id.in_(bindparam("chat_ids", expanding=True)),
    ReaderModel.examples >= bindparam("min_examples"),
    ReaderModel.indices.is_not(None),
)
_STORE = (
    update(Delivery)
    .where(
        Delivery.id == bindparam("row_id"), Delivery.attempts == bindparam("token"),
        Delivery.status == SENDING, Delivery.messages_sent == 0,
        Delivery.recommended_ids.is_(None),
    )
    .values(
        paper_ids=bindparam("papers"), recommended_ids=bindparam("recommended"),
        kind=bindparam("kind"),
    )
)  # fmt: skip


async def trained_chats(
    session: AsyncSession, *, chat_ids: Sequence[int], min_examples: int
) -> dict[int, tuple[Stamp, str]]:
    """Which of these chats have a trained model with enough feedback and left "for you" on,
    each with its model's stamp and its digest mode ("all" | "topics")."""
    if not chat_ids:
        return {}
    params = {"chat_ids": list(chat_ids), "min_examples": min_examples}
    rows = await (await session.connection()).execute(_TRAINED, params)
    return {chat: ((revision, b), mode) for chat, revision, b, mode in rows}


async def with_models(
    session: AsyncSession, *, chat_ids: Sequence[int], min_examples: int
) -> set[int]:
    """Which of these chats have a trained model with enough feedback (planning keeps their
    row when nothing matched, `core.services.planning`)."""
    if not chat_ids:
        return set()
    params = {"chat_ids": list(chat_ids), "min_examples": min_examples}
    return set((await (await session.connection()).execute(_MODELLED, params)).scalars())


@dataclass(frozen=True)
class RowOrder:
    """A claimed row's papers in its reader's order, which of them are recommendations, and its
    kind (a note row given recommendations becomes a subscriber's)."""

    delivery_id: int
    token: int
    paper_ids: tuple[int, ...]
    recommended: tuple[int, ...]
    kind: str


async def store_orders(session: AsyncSession, *, orders: Sequence[RowOrder]) -> set[int]:
    """Keep each row's send-time order; the ids stored. Fenced like every ledger write (the
    claim's token, still "sending") and only while nothing was sent and the row was never
    ordered, so a row's order is written once and a resumed row keeps it."""
    connection = await session.connection()
    stored = set()
    for order in orders:
        params = {
            "row_id": order.delivery_id, "token": order.token,
            "papers": list(order.paper_ids), "recommended": list(order.recommended),
            "kind": order.kind,
        }  # fmt: skip
        if (await connection.execute(_STORE, params)).rowcount:
            stored.add(order.delivery_id)
    return stored
