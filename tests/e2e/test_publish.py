"""Publishing end to end: the real PTB bot (AIORateLimiter) against the fake Bot API over HTTP,
the delivery ledger in a real database. Every reader's messages are compared, in order, with
what the renderer makes of exactly their papers in their language."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from core.services.chats import get_chat_state, start_chat
from domain.errors import InvalidInput
from domain.types import IssueStatus
from storage.db import Database
from storage.models import AuditLog, Delivery, Issue
from tests.e2e.publish_helpers import (
    TG,
    expected_parts,
    guard_send_spacing,
    make_issue,
    publish,
    received,
    subscriber,
)
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture(autouse=True)
def _send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    """The rule guard: what each test delivers keeps within Telegram's send limits."""
    yield from guard_send_spacing(request)


async def _ledger(db: Database) -> dict[str, Delivery]:
    async with db.session() as session:
        return {row.target: row for row in await session.scalars(select(Delivery))}


async def test_each_reader_gets_their_papers_in_their_language(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    await make_issue(db, status=IssueStatus.APPROVED)
    channel = fake_telegram.group(type="channel", title="Digest", username="digestchan")
    zh_all = await subscriber(fake_telegram, db, language="zh")
    en_all = await subscriber(fake_telegram, db, language="en")
    en_cv = await subscriber(fake_telegram, db, language="en", topic="cat:cs.CV")
    no_match = await subscriber(fake_telegram, db, language="zh", topic="cat:q-bio.NC")
    noted = await subscriber(fake_telegram, db, language="en", topic="cat:q-bio.NC", note=True)

    report = await publish(fake_telegram, db, channel_id="@digestchan")

    assert received(fake_telegram, channel) == await expected_parts(db, number=1, language="zh")
    assert received(fake_telegram, zh_all) == await expected_parts(db, number=1, language="zh")
    assert received(fake_telegram, en_all) == await expected_parts(db, number=1, language="en")
    cv = await expected_parts(db, number=1, language="en", categories=("cs.CV",))
    assert received(fake_telegram, en_cv) == cv and "English title 2" in cv[0]
    assert received(fake_telegram, no_match) == []
    assert received(fake_telegram, noted) == ["Issue 1 has no papers matching your topics. "
                                              "Use /settings to get every paper."]  # fmt: skip
    assert (report.targets, report.sent, report.notes, report.skipped) == (6, 4, 1, 1)
    assert (report.failed, report.blocked, report.pending) == (0, 0, 0)
    assert report.newly_published
    assert report.message.startswith(
        "第1期 published: 5/6 delivered (4 issues, 1 notes), 1 skipped"
    )
    assert report.messages == sum(len(fake_telegram.sent(c)) for c in
                                  (channel, zh_all, en_all, en_cv, noted))  # fmt: skip
    assert fake_telegram.violations == []


async def test_publishing_marks_the_issue_and_audits_the_actor(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    await subscriber(fake_telegram, sqlite_db)
    await publish(fake_telegram, sqlite_db)
    async with sqlite_db.session() as session:
        issue = await session.scalar(select(Issue).where(Issue.number == 1))
        audit = list(
            await session.scalars(select(AuditLog).where(AuditLog.action == "issue.publish"))
        )
    assert issue is not None and issue.status == "published" and issue.published_at is not None
    assert [(a.actor, a.detail["targets"]) for a in audit] == [("test:admin", 1)]


async def test_rerun_sends_nothing_twice(fake_telegram: FakeTelegram, sqlite_db: Database) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    users = [await subscriber(fake_telegram, sqlite_db) for _ in range(3)]
    first = await publish(fake_telegram, sqlite_db)
    late = await subscriber(fake_telegram, sqlite_db)  # subscribed after publication
    again = await publish(fake_telegram, sqlite_db)

    expected = await expected_parts(sqlite_db, number=1, language="zh")
    assert all(received(fake_telegram, user) == expected for user in users)
    assert received(fake_telegram, late) == []
    assert first.messages == 3 * len(expected) and again.messages == 0
    assert (
        not again.newly_published and again.sent == 3 and again.message.startswith("第1期 resumed")
    )


async def test_blocked_reader_is_recorded_and_marked_inactive(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    ok = await subscriber(fake_telegram, sqlite_db)
    gone = await subscriber(fake_telegram, sqlite_db)
    fake_telegram.block(gone)

    report = await publish(fake_telegram, sqlite_db)

    assert received(fake_telegram, ok) == await expected_parts(sqlite_db, number=1, language="zh")
    assert (report.sent, report.blocked) == (1, 1)
    row = (await _ledger(sqlite_db))[str(gone.id)]
    assert row.status == "blocked" and row.messages_sent == 0
    state = await get_chat_state(sqlite_db, platform=TG, chat_id=str(gone.id))
    assert not state.active and state.blocked


async def test_flood_storm_still_delivers_everything_once(
    fake_telegram: FakeTelegram, sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    users = [await subscriber(fake_telegram, sqlite_db) for _ in range(8)]
    # More 429s than AIORateLimiter retries (3): our own retry layer has to take over too.
    fake_telegram.force_flood(times=40, retry_after=1, methods=["sendMessage"])

    report = await publish(fake_telegram, sqlite_db)

    expected = await expected_parts(sqlite_db, number=1, language="zh")
    assert all(received(fake_telegram, user) == expected for user in users)
    assert report.sent == 8 and report.pending == 0
    assert sum(1 for call in fake_telegram.errors if call.status == 429) >= 40
    # Every flood retry is one plain line; no record carries a traceback.
    assert [r for r in caplog.records if r.exc_info or r.exc_text] == []
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert retries and all("\n" not in line and "Flood" in line for line in retries)


async def test_transient_errors_are_retried(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    users = [await subscriber(fake_telegram, sqlite_db) for _ in range(3)]
    fake_telegram.fail_next(times=3, status=502, methods=["sendMessage"])
    fake_telegram.drop_next(times=2, methods=["sendMessage"])

    report = await publish(fake_telegram, sqlite_db)

    expected = await expected_parts(sqlite_db, number=1, language="zh")
    assert all(received(fake_telegram, user) == expected for user in users)
    assert report.sent == 3 and report.failed == 0
    assert sum(1 for call in fake_telegram.errors if call.status == 502) == 3


async def test_permanent_error_is_recorded_and_others_unaffected(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    before = await subscriber(fake_telegram, sqlite_db)
    ghost = "777000111"  # in our database, unknown to Telegram: 400 chat not found
    await start_chat(sqlite_db, platform=TG, chat_id=ghost, chat_type="private")
    after = await subscriber(fake_telegram, sqlite_db)

    report = await publish(fake_telegram, sqlite_db)

    expected = await expected_parts(sqlite_db, number=1, language="zh")
    assert received(fake_telegram, before) == expected == received(fake_telegram, after)
    row = (await _ledger(sqlite_db))[ghost]
    assert row.status == "failed" and "chat not found" in (row.last_error or "").lower()
    assert (report.sent, report.failed, report.pending) == (2, 1, 0)


async def test_drafts_need_approval_unless_disabled(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.DRAFT)
    user = await subscriber(fake_telegram, sqlite_db)
    with pytest.raises(InvalidInput, match="approve it first"):
        await publish(fake_telegram, sqlite_db)
    assert received(fake_telegram, user) == []

    report = await publish(fake_telegram, sqlite_db, require_approval=False)
    assert report.sent == 1 and received(fake_telegram, user)


async def test_rejected_issue_cannot_be_published(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.REJECTED)
    await subscriber(fake_telegram, sqlite_db)
    with pytest.raises(InvalidInput, match="rejected") as error:
        await publish(fake_telegram, sqlite_db, require_approval=False)
    assert error.value.message_for("zh") == "第1期已被拒绝，不能发布。"
    assert fake_telegram.calls("sendMessage") == []
