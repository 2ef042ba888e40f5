"""Paid broadcasts (TELEGRAM_PAID_BROADCAST): issue parts go out with allow_paid_broadcast
until the issue's cap (TELEGRAM_PAID_MAX_MESSAGES, counted in the database), then at the free
rate; the report and /stats show how many were paid; replies to readers are never paid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.services import review
from domain.types import IssueStatus
from storage.db import Database
from tests.e2e.publish_helpers import (
    expected_parts,
    guard_send_spacing,
    make_issue,
    publish,
    received,
    subscriber,
)
from tests.e2e.telegram_harness import running_bot
from tests.fakes.telegram_server import FakeTelegram

PAID = {"telegram_paid_broadcast": True, "telegram_paid_max_messages": 5}


@pytest.fixture(autouse=True)
def _send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from guard_send_spacing(request)


def _paid_calls(fake: FakeTelegram) -> list[bool]:
    """For each accepted sendMessage, in order: was it a paid broadcast?"""
    calls = fake.calls("sendMessage")
    return [bool(call.params.get("allow_paid_broadcast")) for call in calls if call.ok]


async def test_paid_up_to_the_cap_then_free(fake_telegram: FakeTelegram, db: Database) -> None:
    await make_issue(db, status=IssueStatus.APPROVED)
    users = [await subscriber(fake_telegram, db) for _ in range(4)]
    parts = await expected_parts(db, number=1, language="zh")
    assert len(parts) * len(users) > PAID["telegram_paid_max_messages"]

    report = await publish(fake_telegram, db, **PAID)

    for user in users:
        assert received(fake_telegram, user) == parts  # the free rate took over at the cap
    paid = _paid_calls(fake_telegram)
    assert sum(paid) == 5 and len(paid) == len(parts) * len(users)
    assert (report.paid, report.paid_total) == (5, 5)
    assert "5 paid (5 paid for this issue in all)" in report.message
    figures = await review.stats(db, now=datetime.now(UTC), tz=ZoneInfo("UTC"))
    assert figures.paid_messages_today == 5

    again = await publish(fake_telegram, db, **PAID)  # a resume sends nothing, pays nothing
    assert (again.messages, again.paid, again.paid_total) == (0, 0, 5)
    assert len(_paid_calls(fake_telegram)) == len(parts) * len(users)


async def test_without_the_setting_nothing_is_paid(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    await subscriber(fake_telegram, sqlite_db)
    report = await publish(fake_telegram, sqlite_db)
    assert report.messages > 0 and report.paid == 0 and "paid" not in report.message
    assert not any(_paid_calls(fake_telegram))


async def test_replies_to_readers_are_never_paid(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    reader = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db, settings_extra=PAID):
        fake_telegram.send_text(reader, "/start")
        await fake_telegram.wait_for_sent(reader)
        fake_telegram.send_text(reader, "/help")
        await fake_telegram.wait_for_sent(reader)
    calls = [call for call in fake_telegram.calls() if call.method.startswith("send")]
    assert len(calls) >= 2
    assert not any(call.params.get("allow_paid_broadcast") for call in calls)
