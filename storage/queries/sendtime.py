"""What the deliverer reads to order a reader's papers when it claims their row ("for you" at
send time, `core.services.sendtime`), and how it keeps that order in the row.

Kept apart from the ledger's claim/record queries: these run once per claimed batch, only with
"for you" on (`RANKING_FOR_YOU`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Delivery
from storage.models_ranking import ReaderModel
from storage.queries.deliveries import SENDING
from storage.queries.ranking import Stamp


async def trained_chats(
    session: AsyncSession, *, chat_ids: Sequence[int], min_examples: int
) -> dict[int, tuple[Stamp, str]]:
    """Which of these chats have a trained model with enough feedback and left "for you" on,
    each with its model's stamp and its digest mode ("all" | "topics")."""
    if not chat_ids:
        return {}
    query = (
        select(
            ReaderModel.chat_id, ReaderModel.trained_revision, ReaderModel.intercept,
            Chat.digest_mode,
        )
        .join(Chat, Chat.id == ReaderModel.chat_id)
        .where(
            ReaderModel.chat_id.in_(list(chat_ids)), ReaderModel.examples >= min_examples,
            ReaderModel.indices.is_not(None), Chat.for_you.is_(True),
        )
    )  # fmt: skip
    rows = await session.execute(query)
    return {chat: ((revision, b), mode) for chat, revision, b, mode in rows}


@dataclass(frozen=True)
class RowOrder:
    """A claimed row's papers in its reader's order, and which of them are recommendations."""

    delivery_id: int
    token: int
    paper_ids: tuple[int, ...]
    recommended: tuple[int, ...]


async def store_orders(session: AsyncSession, *, orders: Sequence[RowOrder]) -> set[int]:
    """Keep each row's send-time order; the ids stored. Fenced like every ledger write (the
    claim's token, still "sending") and only while nothing was sent and the row was never
    ordered, so a row's order is written once and a resumed row keeps it."""
    stored = set()
    for order in orders:
        statement = (
            update(Delivery)
            .where(
                Delivery.id == order.delivery_id, Delivery.attempts == order.token,
                Delivery.status == SENDING, Delivery.messages_sent == 0,
                Delivery.recommended_ids.is_(None),
            )
            .values(paper_ids=list(order.paper_ids), recommended_ids=list(order.recommended))
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if (await session.execute(statement)).rowcount:  # type: ignore[attr-defined]
            stored.add(order.delivery_id)
    return stored
