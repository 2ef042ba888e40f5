"""Publishing to WeCom group robots end to end: the real WeComSender (httpx) against the fake
robot endpoint over HTTP, the same delivery ledger as Telegram in a real database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.wecom.sender import WeComSender
from bot.wecom.targets import robot_id
from cli.platforms import ConfiguredPlatforms
from core.config import Settings
from domain.types import IssueStatus
from jobs.platforms import PlatformReport
from jobs.publish import PublishReport, publish_issue
from jobs.publish_everywhere import publish_everywhere
from storage.db import Database
from storage.models import Delivery
from storage.queries.issues import get_issue_view
from tests.e2e.publish_helpers import (
    expected_parts,
    guard_send_spacing,
    make_issue,
    received,
    sender_for,
    settings_for,
    subscriber,
)
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wecom_robot import FakeWeComRobot

KEYS = ("secret-key-alpha-0001", "secret-key-beta-0002")


@pytest.fixture(autouse=True)
def _send_spacing(request: pytest.FixtureRequest) -> Iterator[None]:
    """The rule guard: what each test delivers keeps within Telegram's send limits."""
    yield from guard_send_spacing(request)


@pytest.fixture
def wecom_robot() -> Iterator[FakeWeComRobot]:
    with FakeWeComRobot(keys=KEYS) as robot:
        yield robot


def _settings(fake: FakeTelegram, db: Database, urls: list[str], **extra: Any) -> Settings:
    return settings_for(fake, db, wecom_webhook_urls=",".join(urls), **extra)


async def _everywhere(settings: Settings, db: Database, telegram: Any) -> list[PlatformReport]:
    """The publishing job as in the running bot: Telegram through the bot's own sender."""
    platforms = ConfiguredPlatforms(settings, db)
    with platforms.serving(telegram):
        return await publish_everywhere(
            settings.delivery, db, platforms, number=1, actor="test:admin"
        )


async def _publish(settings: Settings, db: Database, **sender_args: Any) -> PublishReport:
    async with httpx.AsyncClient() as http:
        sender = WeComSender(settings.wecom_webhook_urls, http, **sender_args)
        return await publish_issue(settings.delivery, db, sender, number=1, actor="test:admin")


async def _expected(db: Database) -> list[str]:
    async with db.session() as session:
        view = await get_issue_view(session, number=1, language="zh")
    assert view is not None
    async with httpx.AsyncClient() as http:
        return WeComSender((), http).render(replace(view, items=view.items), language="zh")


async def _rows(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list(await session.scalars(select(Delivery).where(Delivery.platform == "wecom")))


async def test_each_robot_gets_the_issue_once_and_a_rerun_sends_nothing(
    fake_telegram: FakeTelegram, wecom_robot: FakeWeComRobot, db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    await make_issue(db, status=IssueStatus.APPROVED)
    urls = [wecom_robot.url(key) for key in KEYS]
    settings = _settings(fake_telegram, db, urls)

    first = await _publish(settings, db)
    again = await _publish(settings, db)

    expected = await _expected(db)
    assert len(expected) > 1  # the four long papers need several messages
    assert wecom_robot.messages == {key: expected for key in KEYS}
    assert wecom_robot.violations == []
    assert (first.targets, first.sent, first.failed, first.messages) == (2, 2, 0, 2 * len(expected))
    assert (again.sent, again.messages) == (2, 0)
    rows = await _rows(db)
    assert sorted(row.target for row in rows) == sorted(robot_id(url) for url in urls)
    assert {(row.kind, row.status, row.messages_sent) for row in rows} == {
        ("group_robot", "sent", len(expected))
    }
    stored = " ".join(f"{r.target} {r.message_ids} {r.last_error}" for r in rows)
    for key in KEYS:
        assert key not in stored and key not in caplog.text


async def test_frequency_limit_and_server_errors_are_retried(
    fake_telegram: FakeTelegram, wecom_robot: FakeWeComRobot, sqlite_db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    settings = _settings(fake_telegram, sqlite_db, [wecom_robot.url(KEYS[0])])
    wecom_robot.flood_next(2)
    wecom_robot.fail_next(1, status=502)

    report = await _publish(settings, sqlite_db, flood_retry=0.05, network_retry=0.05)

    expected = await _expected(sqlite_db)
    assert wecom_robot.messages[KEYS[0]] == expected  # each part exactly once, in order
    assert [code for _, code in wecom_robot.answers].count(45009) == 2
    assert wecom_robot.requests == len(expected) + 3
    assert (report.sent, report.failed, report.pending) == (1, 0, 0)
    assert KEYS[0] not in caplog.text


async def test_an_invalid_key_fails_and_is_recorded_while_telegram_and_others_go_out(
    fake_telegram: FakeTelegram, wecom_robot: FakeWeComRobot, db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    await make_issue(db, status=IssueStatus.APPROVED)
    reader = await subscriber(fake_telegram, db, language="zh")
    bad = wecom_robot.url("secret-key-revoked-9999")
    settings = _settings(fake_telegram, db, [bad, wecom_robot.url(KEYS[1])])

    async with sender_for(settings, db) as telegram:
        results = await _everywhere(settings, db, telegram)

    assert received(fake_telegram, reader) == await expected_parts(db, number=1, language="zh")
    assert [r.platform for r in results] == ["telegram", "wecom"]
    assert (results[0].report.sent, results[0].report.failed) == (1, 0)
    assert (results[1].report.sent, results[1].report.failed) == (1, 1)
    assert results[1].line.startswith("wecom: 第1期")
    assert wecom_robot.messages[KEYS[1]] == await _expected(db)
    (failed,) = [row for row in await _rows(db) if row.status == "failed"]
    assert failed.target == robot_id(bad) and "errcode 93000" in (failed.last_error or "")
    assert "secret-key-revoked-9999" not in (failed.last_error or "") + caplog.text


async def test_without_webhook_urls_only_telegram_is_published(
    fake_telegram: FakeTelegram, sqlite_db: Database
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    reader = await subscriber(fake_telegram, sqlite_db)
    settings = settings_for(fake_telegram, sqlite_db)
    async with sender_for(settings, sqlite_db) as telegram:
        results = await _everywhere(settings, sqlite_db, telegram)
    assert [r.platform for r in results] == ["telegram"]
    assert results[0].line.startswith("第1期 published: 1/1 delivered")
    assert len(received(fake_telegram, reader)) == results[0].report.messages
    assert await _rows(sqlite_db) == []
