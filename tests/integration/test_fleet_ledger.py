"""The fleet's share of the ledger and the send budget on the real PostgreSQL: SKIP LOCKED
claims never hand a row to two runs, budget slots never overlap, the paid cap holds."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, timedelta

from domain.types import IssueStatus, SummaryContent
from storage.db import Database
from storage.queries import deliveries as ledger
from storage.queries import send_budget
from storage.queries.deliveries import NewDelivery
from storage.queries.issues import NewItem, create_issue
from storage.types import utcnow
from tests.factories import make_paper, store_paper


async def _issue(db: Database, targets: int) -> int:
    async with db.session() as session:
        content = SummaryContent(title_translated="标题", tldr="要点。")
        paper = await store_paper(session, make_paper(), content, language="zh")
        issue_id = await create_issue(
            session, number=1, title="第1期", language="zh",
            period_start=date(2026, 11, 20), period_end=date(2026, 11, 20),
            items=[NewItem(paper_id=paper, summary_id=None)], status=IssueStatus.APPROVED,
        )  # fmt: skip
        rows = [NewDelivery(target=str(1000 + i), kind="subscriber", chat_id=None)
                for i in range(targets)]  # fmt: skip
        await ledger.create_deliveries(session, issue_id=issue_id, platform="telegram", rows=rows)
        return issue_id


async def _claim_all(db: Database, issue_id: int, batch: int) -> list[int]:
    taken: list[int] = []
    while True:
        async with db.session() as session:
            rows = await ledger.claim_batch(
                session, issue_id=issue_id, platform="telegram",
                stale_before=utcnow() - timedelta(seconds=60), limit=batch,
            )  # fmt: skip
        if not rows:
            return taken
        assert all(row.token == 1 and not row.interrupted for row in rows)
        taken.extend(row.id for row in rows)


async def test_skip_locked_claims_hand_each_row_to_exactly_one_run(postgres_db: Database) -> None:
    issue_id = await _issue(postgres_db, 300)
    runs = await asyncio.gather(*(_claim_all(postgres_db, issue_id, 7) for _ in range(6)))
    every = [row for run in runs for row in run]
    assert len(every) == 300 and len(set(every)) == 300
    assert sum(1 for run in runs if run) > 1  # the runs really did share the work


async def test_a_stale_claim_is_taken_over_with_a_new_token(postgres_db: Database) -> None:
    issue_id = await _issue(postgres_db, 2)
    async with postgres_db.session() as session:
        first = await ledger.claim_batch(
            session, issue_id=issue_id, platform="telegram",
            stale_before=utcnow() - timedelta(seconds=60), limit=5,
        )  # fmt: skip
    async with postgres_db.session() as session:  # the first run went silent
        again = await ledger.claim_batch(
            session, issue_id=issue_id, platform="telegram",
            stale_before=utcnow() + timedelta(seconds=1), limit=5,
        )  # fmt: skip
    assert [row.id for row in again] == [row.id for row in first]
    assert all(row.token == 2 and row.interrupted for row in again)
    async with postgres_db.session() as session:  # the old token is fenced off
        assert not await ledger.heartbeat(session, delivery_id=first[0].id, token=1)
        assert await ledger.heartbeat(session, delivery_id=again[0].id, token=2)


async def _slots(db: Database, count: int, interval: float) -> list[float]:
    starts = []
    for _ in range(count):
        slots = await send_budget.reserve(db, key="test", interval=interval, count=3)
        starts.extend(slots.first_at + i * interval for i in range(3))
    return starts


async def test_budget_slots_of_concurrent_reservers_never_overlap(postgres_db: Database) -> None:
    interval = 0.01
    runs = await asyncio.gather(*(_slots(postgres_db, 10, interval) for _ in range(4)))
    slots = sorted(slot for run in runs for slot in run)
    assert len(slots) == 120
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= interval * 0.999  # every slot its own, `interval` apart


async def test_paid_messages_stop_at_the_cap_across_runs(postgres_db: Database) -> None:
    issue_id = await _issue(postgres_db, 1)

    async def take(count: int) -> int:
        async with postgres_db.session() as session:
            return await send_budget.take_paid(
                session, issue_id=issue_id, platform="telegram", count=count, cap=100
            )

    granted = await asyncio.gather(*(take(15) for _ in range(10)))
    assert sum(granted) == 100 and sorted(granted)[:3] == [0, 0, 0]
    async with postgres_db.session() as session:
        await send_budget.give_back_paid(session, issue_id=issue_id, platform="telegram", count=5)
        assert await send_budget.paid_used(session, issue_id=issue_id, platform="telegram") == 95
    assert await take(50) == 5
