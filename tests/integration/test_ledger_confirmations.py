"""Confirming parts of several rows at once (`record_parts`, `jobs.confirm.Confirmations`):
each row keeps its own fence, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.telegram.targets import TelegramTargets
from core.services.chats import start_chat
from core.services.delivery import plan_deliveries, start_publication
from domain.types import IssueStatus
from jobs.confirm import Confirmations
from storage.db import Database
from storage.models import Delivery
from storage.queries import deliveries as ledger
from storage.queries.deliveries import ClaimedDelivery, ConfirmedPart
from storage.queries.issues import get_issue_view
from storage.types import utcnow
from tests.e2e.publish_helpers import TG, make_issue


async def _claimed(db: Database, chats: int) -> list[ClaimedDelivery]:
    await make_issue(db, status=IssueStatus.APPROVED)
    for n in range(chats):
        await start_chat(
            db, platform=TG, chat_id=str(n + 1), chat_type="private", language_code="zh"
        )
    async with db.session() as session:
        view = await get_issue_view(session, number=1)
    assert view is not None
    rows = await plan_deliveries(db, issue=view, targets=TelegramTargets())
    await start_publication(db, issue=view, platform=TG, rows=rows, actor="t")
    claims: list[ClaimedDelivery] = []
    async with db.session() as session:
        while claim := await ledger.claim_one(
            session, issue_id=view.id, platform=TG, stale_before=utcnow() - timedelta(seconds=60)
        ):
            claims.append(claim)
    return claims


async def _rows(db: Database) -> dict[int, tuple[str, int, list[str]]]:
    async with db.session() as session:
        query = select(Delivery.id, Delivery.status, Delivery.messages_sent, Delivery.message_ids)
        return {row_id: (status, sent, ids) for row_id, status, sent, ids in
                await session.execute(query)}  # fmt: skip


async def test_record_parts_fences_each_row_on_its_own(db: Database) -> None:
    a, b, c, d = await _claimed(db, 4)
    parts = [
        ConfirmedPart(a.id, a.token, ("11",), messages_total=2),
        ConfirmedPart(b.id, b.token, ("21",), messages_total=1, last=True),
        ConfirmedPart(c.id, c.token + 1, ("31",), messages_total=1, last=True),  # stale token
        ConfirmedPart(d.id, d.token, ("41", "42"), messages_total=2),  # part 1 never recorded
    ]
    recorded = await ledger.record_parts(db, parts)
    assert recorded == {a.id, b.id}
    rows = await _rows(db)
    assert rows[a.id] == ("sending", 1, ["11"]) and rows[b.id] == ("sent", 1, ["21"])
    assert rows[c.id] == ("sending", 0, []) and rows[d.id] == ("sending", 0, [])


async def test_confirmations_commit_many_workers_parts_together(db: Database) -> None:
    claims = await _claimed(db, 30)
    confirmations = Confirmations(db)

    async def worker(claim: ClaimedDelivery) -> list[bool]:
        first = ConfirmedPart(claim.id, claim.token, ("1",), messages_total=2)
        second = ConfirmedPart(claim.id, claim.token, ("1", "2"), messages_total=2, last=True)
        return [await confirmations.record(first), await confirmations.record(second)]

    results = await asyncio.gather(*(worker(claim) for claim in claims))
    replay = ConfirmedPart(claims[0].id, claims[0].token, ("1", "2"), 2, last=True)
    assert not await confirmations.record(replay)  # already sent: fenced
    await confirmations.close()
    assert results == [[True, True]] * len(claims)
    assert list((await _rows(db)).values()) == [("sent", 2, ["1", "2"])] * len(claims)
