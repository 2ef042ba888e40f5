"""Planning in batches gives exactly what the per-chat rule gives, on SQLite and PostgreSQL.

The reference is the rule as it was applied before batching, one chat at a time through the
public services: `active_chats`, then for each chat every paper (digest mode "all" or no
topics) or `papers_for_chat` (a query per chat), then its row (papers → pending subscriber; none
→ a pending note when `no_match_note` is on, else a skipped subscriber). The world is real: the
20 papers of a real arXiv day and topics written from that corpus (`tests/planning_world.py`),
with paused, stopped and unreadable-topic chats, and batch sizes that do not divide it.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.telegram.targets import TelegramTargets
from core.services.chats import active_chats
from core.services.delivery import plan_deliveries, publish_plan
from core.services.subscriptions import papers_for_chat
from domain.types import DigestMode, IssueView
from storage.db import Database
from storage.models import AuditLog, Delivery
from tests.planning_world import store_chats, store_issue

Row = tuple[str, str, str, int | None, tuple[int, ...]]
TG = "telegram"


async def _reference(db: Database, issue: IssueView, channel: str | None) -> list[Row]:
    papers = [item.paper for item in issue.included_items]
    every = tuple(paper.id for paper in papers)
    rows: list[Row] = [(channel, "channel", "pending", None, every)] if channel else []
    for chat in await active_chats(db, platform=TG):
        ids = every
        if chat.digest_mode is DigestMode.TOPICS and chat.topic_count:
            chosen = await papers_for_chat(db, platform=TG, chat_id=chat.chat_id, papers=papers)
            ids = tuple(paper.id for paper in chosen)
        if ids:
            rows.append((chat.chat_id, "subscriber", "pending", chat.id, ids))
        elif chat.no_match_note:
            rows.append((chat.chat_id, "note", "pending", chat.id, ()))
        else:
            rows.append((chat.chat_id, "subscriber", "skipped", chat.id, ()))
    return rows


async def test_batched_plan_equals_the_per_chat_rule(db: Database) -> None:
    issue = await store_issue(db)
    await store_chats(db, chats=2000, unreadable=3)
    expected = await _reference(db, issue, "@digest")

    planned = await plan_deliveries(
        db, issue=issue, targets=TelegramTargets(channel_id="@digest"), batch_size=97
    )

    got = [(r.target, r.kind, r.status, r.chat_id, r.paper_ids) for r in planned]
    assert got == expected
    every = len(issue.included_items)
    shapes = Counter(
        "all" if len(ids) == every else "some" if ids else f"{kind}-{status}"
        for _, kind, status, _, ids in got[1:]
    )
    # the world exercises every branch: all papers, a subset, notes and silent skips
    assert {"all", "some", "note-pending", "subscriber-skipped"} <= set(shapes)
    assert len(got) - 1 < 2000  # paused and stopped chats are not planned


async def test_publish_plan_streams_the_rows_into_the_ledger_once(db: Database) -> None:
    issue = await store_issue(db)
    await store_chats(db, chats=400, seed=3)
    expected = await _reference(db, issue, None)

    first = await publish_plan(db, issue=issue, targets=TelegramTargets(), actor="t", batch_size=13)
    again = await publish_plan(db, issue=issue, targets=TelegramTargets(), actor="t", batch_size=7)

    async with db.session() as session:
        stored = (await session.execute(select(Delivery).order_by(Delivery.id))).scalars().all()
        audits = (await session.scalars(select(AuditLog.detail))).all()
    got = [(d.target, d.kind, d.status, d.chat_id, tuple(d.paper_ids)) for d in stored]
    assert (first, again) == (True, False)
    assert got == expected  # in delivery order, nothing added by the second run
    assert [a["targets"] for a in audits if a and "targets" in a] == [len(expected)]
