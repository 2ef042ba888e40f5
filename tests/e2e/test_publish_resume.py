"""Resuming a row an earlier run left mid-delivery, on the real PTB stack against the fake.

The ledger state is what a crash leaves: the row "sending", part 1 confirmed, the lease silent.
The resumed run continues after the last confirmed part; a part that Telegram had accepted but
the ledger never recorded (the crash window `jobs.deliver` documents) is sent again, by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.commands.context import Deps
from bot.telegram.app import telegram_sender
from domain.types import IssueStatus
from jobs.publish import publish_issue
from storage.db import Database
from storage.models import Delivery
from storage.types import utcnow
from tests.e2e.publish_helpers import (
    expected_parts,
    guard_send_spacing,
    make_issue,
    publish,
    received,
    settings_for,
    subscriber,
)
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture(autouse=True)
def _send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    """The rule guard: what each test delivers keeps within Telegram's send limits."""
    yield from guard_send_spacing(request)


async def _as_if_crashed(db: Database, *, confirmed: int, seconds_ago: float) -> None:
    async with db.session() as session:
        await session.execute(
            update(Delivery).values(
                status="sending", messages_sent=confirmed,
                message_ids=[str(n + 1) for n in range(confirmed)], attempts=1,
                updated_at=utcnow() - timedelta(seconds=seconds_ago), sent_at=None,
            )
        )  # fmt: skip


async def test_resume_continues_after_the_last_confirmed_part(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    reader = await subscriber(fake_telegram, sqlite_db)
    first = await publish(fake_telegram, sqlite_db)
    parts = await expected_parts(sqlite_db, number=1, language="zh")
    assert len(parts) >= 3 and first.messages == len(parts)
    # The crash window: parts 2.. were accepted by Telegram, only part 1 reached the ledger.
    await _as_if_crashed(sqlite_db, confirmed=1, seconds_ago=60)

    resumed = await publish(fake_telegram, sqlite_db)

    assert received(fake_telegram, reader) == parts + parts[1:]  # part 1 never twice
    assert (resumed.resumed, resumed.messages, resumed.sent) == (1, len(parts) - 1, 1)


async def test_a_live_lease_is_waited_out_not_stolen(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    reader = await subscriber(fake_telegram, sqlite_db)
    first = await publish(fake_telegram, sqlite_db)
    await _as_if_crashed(sqlite_db, confirmed=first.messages, seconds_ago=0)

    settings = settings_for(fake_telegram, sqlite_db)
    async with telegram_sender(Deps(settings=settings, db=sqlite_db)) as sender:
        report = await publish_issue(
            settings.delivery, sqlite_db, sender, number=1, actor="t", stale_after=1.0
        )

    # Every part was confirmed: taking the row over finishes it without sending anything.
    assert received(fake_telegram, reader) == await expected_parts(
        sqlite_db, number=1, language="zh"
    )
    assert (report.resumed, report.messages, report.sent, report.pending) == (1, 0, 1, 0)
