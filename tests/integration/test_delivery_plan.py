"""Planning an issue's deliveries and the ledger's claim/fence rules, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.telegram.targets import TelegramTargets
from core.services.chats import mark_blocked, start_chat, stop_chat, update_settings
from core.services.delivery import plan_deliveries, start_publication
from domain.types import IssueStatus, IssueView
from storage.db import Database
from storage.models import Delivery
from storage.queries import deliveries as ledger
from storage.queries.issues import get_issue_view
from storage.types import utcnow
from tests.e2e.publish_helpers import TG, make_issue

TG_TARGETS = TelegramTargets()


async def _issue(db: Database) -> IssueView:
    await make_issue(db, status=IssueStatus.APPROVED)
    async with db.session() as session:
        view = await get_issue_view(session, number=1)
    assert view is not None
    return view


async def _chat(db: Database, chat_id: str, language: str = "zh") -> None:
    await start_chat(db, platform=TG, chat_id=chat_id, chat_type="private", language_code=language)


async def test_plan_covers_channel_modes_notes_and_excludes_inactive(db: Database) -> None:
    from core.services.subscriptions import subscribe

    view = await _issue(db)
    ids = tuple(item.paper.id for item in view.items)  # categories CL, CV, LG, CV
    for chat_id in ("1", "2", "3", "4", "5", "6", "7"):
        await _chat(db, chat_id)
    await subscribe(db, platform=TG, chat_id="2", text="cat:cs.CV")
    await update_settings(db, platform=TG, chat_id="2", digest_mode="topics")
    for chat_id in ("3", "4"):
        await subscribe(db, platform=TG, chat_id=chat_id, text="cat:q-bio.NC")
        await update_settings(db, platform=TG, chat_id=chat_id, digest_mode="topics")
    await update_settings(db, platform=TG, chat_id="4", no_match_note=True)
    await update_settings(db, platform=TG, chat_id="5", paused=True)
    await stop_chat(db, platform=TG, chat_id="6")
    await mark_blocked(db, platform=TG, chat_id="7")

    rows = await plan_deliveries(db, issue=view, targets=TelegramTargets(channel_id="@digest"))

    assert [(r.target, r.kind, r.status, r.paper_ids) for r in rows] == [
        ("@digest", "channel", "pending", ids),
        ("1", "subscriber", "pending", ids),
        ("2", "subscriber", "pending", (ids[1], ids[3])),
        ("3", "subscriber", "skipped", ()),
        ("4", "note", "pending", ()),
    ]


async def test_planning_twice_adds_no_rows(db: Database) -> None:
    view = await _issue(db)
    await _chat(db, "1")
    rows = await plan_deliveries(db, issue=view, targets=TG_TARGETS)
    assert await start_publication(db, issue=view, platform=TG, rows=rows, actor="t")
    assert not await start_publication(db, issue=view, platform=TG, rows=rows, actor="t")
    async with db.session() as session:
        again = await ledger.create_deliveries(session, issue_id=view.id, platform=TG, rows=rows)
        total = await ledger.count_deliveries(session, issue_id=view.id, platform=TG)
    assert (again, total) == (0, 1)


async def _planned(db: Database, chats: int) -> IssueView:
    view = await _issue(db)
    for n in range(chats):
        await _chat(db, str(n + 1))
    rows = await plan_deliveries(db, issue=view, targets=TG_TARGETS)
    await start_publication(db, issue=view, platform=TG, rows=rows, actor="t")
    return view


async def test_claims_are_exclusive_and_writes_fenced(db: Database) -> None:
    view = await _planned(db, 2)
    fresh = utcnow() - timedelta(seconds=60)
    async with db.session() as session:
        first = await ledger.claim_one(session, issue_id=view.id, platform=TG, stale_before=fresh)
        second = await ledger.claim_one(session, issue_id=view.id, platform=TG, stale_before=fresh)
        none = await ledger.claim_one(session, issue_id=view.id, platform=TG, stale_before=fresh)
    assert first and second and none is None and first.id != second.id
    assert (first.token, first.interrupted, first.language) == (1, False, "zh")
    async with db.session() as session:
        wrong = await ledger.record_part(
            session, delivery_id=first.id, token=99, message_ids=["1"], messages_total=2
        )
        right = await ledger.record_part(
            session, delivery_id=first.id, token=1, message_ids=["1"], messages_total=2
        )
        replay = await ledger.record_part(
            session, delivery_id=first.id, token=1, message_ids=["1"], messages_total=2
        )
    assert (wrong, right, replay) == (False, True, False)


async def test_silent_lease_is_taken_over_and_old_worker_fenced_off(db: Database) -> None:
    view = await _planned(db, 1)
    async with db.session() as session:
        now = utcnow()
        old = await ledger.claim_one(session, issue_id=view.id, platform=TG, stale_before=now)
        assert old is not None
        await ledger.record_part(
            session, delivery_id=old.id, token=old.token, message_ids=["7"], messages_total=3
        )
        live = await ledger.claim_one(
            session, issue_id=view.id, platform=TG, stale_before=now - timedelta(seconds=10)
        )
        assert live is None  # its worker is alive as far as anyone can tell
        past = utcnow() - timedelta(minutes=5)
        await session.execute(update(Delivery).where(Delivery.id == old.id).values(updated_at=past))
        new = await ledger.claim_one(session, issue_id=view.id, platform=TG, stale_before=now)
        fenced = await ledger.heartbeat(session, delivery_id=old.id, token=old.token)
    assert new is not None and new.interrupted and new.token == old.token + 1
    assert (new.messages_sent, new.message_ids) == (1, ("7",)) and not fenced


async def test_finish_and_counts(db: Database) -> None:
    view = await _planned(db, 2)
    since = utcnow() - timedelta(seconds=1)
    async with db.session() as session:
        a = await ledger.claim_one(session, issue_id=view.id, platform=TG, stale_before=since)
        b = await ledger.claim_one(session, issue_id=view.id, platform=TG, stale_before=since)
        assert a and b
        await ledger.record_part(
            session, delivery_id=a.id, token=a.token, message_ids=["1"], messages_total=1
        )
        await ledger.finish(session, delivery_id=a.id, token=a.token, status=ledger.SENT)
        await ledger.finish(
            session, delivery_id=b.id, token=b.token, status=ledger.FAILED, error="Chat not found"
        )
        counts = await ledger.status_counts(session, issue_id=view.id, platform=TG)
        today = await ledger.sent_since(session, since=since)
        errors = list(await session.scalars(select(Delivery.last_error).order_by(Delivery.id)))
    assert counts == {("subscriber", "sent"): 1, ("subscriber", "failed"): 1}
    assert today == (1, 1) and errors == [None, "Chat not found"]
