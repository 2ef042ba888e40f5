"""A weekly round-up end to end on the real PTB bot against the fake Bot API: the week's daily
is published, the weekly job composes 周报第1期 (numbered apart), an editor reviews, approves and
publishes it with `w1`, and a reader gets it in seed 001's shape and finds it in /issues."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from core.services.review import review_issue
from domain.types import IssueKind, IssueStatus
from jobs.context import JobContext
from jobs.runs import run_job
from storage.db import Database
from tests.e2e.admin_harness import audit_rows, editors, running_admin_bot
from tests.fakes.telegram_server import FakeTelegram

WEEK_END = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # the demo daily (20261201) is in this week


@pytest.fixture(autouse=True)
def _clean(fake_telegram: FakeTelegram):
    yield
    assert fake_telegram.violations == []
    assert fake_telegram.errors == []


async def test_weekly_compose_review_publish(fake_telegram, sqlite_db: Database) -> None:
    admin, _, group = editors(fake_telegram)
    reader = fake_telegram.user(first_name="Reader", language_code="zh")
    async with running_admin_bot(fake_telegram, sqlite_db, require_approval=False) as deps:
        fake_telegram.send_text(reader, "/start")
        await fake_telegram.wait_for_sent(reader)
        fake_telegram.send_text(admin, "/publish 1", chat=group)  # the week's daily goes out
        await fake_telegram.wait_for_sent(group, count=2, timeout=30)
        await fake_telegram.wait_for_sent(reader, timeout=30)
        await asyncio.wait_for(deps.jobs.wait(), timeout=30)  # the whole daily delivered
        ctx = JobContext(deps.settings, sqlite_db, clock=lambda: WEEK_END)
        composed = await run_job("weekly", ctx, trigger="cli")
        fake_telegram.send_text(admin, "/review w1", chat=group)
        (preview,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/edit w1 2 title 编辑改写的<论断>", chat=group)
        (edited,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.press_button(admin, preview, preview.button("Approve").get("callback_data"))
        (approved,) = await fake_telegram.wait_for_sent(group)
        before = len(fake_telegram.sent(reader))
        fake_telegram.send_text(admin, "/publish w1", chat=group)
        await fake_telegram.wait_for_sent(group, count=2, timeout=30)
        await fake_telegram.wait_for_sent(reader, timeout=30)
        await asyncio.wait_for(deps.jobs.wait(), timeout=30)  # the whole weekly delivered
        delivered = fake_telegram.sent(reader)[before:]
        fake_telegram.send_text(reader, "/issues")
        (listing,) = await fake_telegram.wait_for_sent(reader)
        weekly = (await review_issue(sqlite_db, number=1, kind=IssueKind.WEEKLY)).issue
        daily = (await review_issue(sqlite_db, number=1)).issue
    assert composed.status == "ok" and "周报第1期 (5 papers, draft)" in composed.summary
    assert "weekly 1 · draft" in preview.text and "5 of 5 papers included" in preview.text
    assert [b.get("text") for b in preview.buttons] == ["✅ Approve"]
    assert "/edit w1 <paper#> title|tldr" in preview.text
    assert "weekly 1, paper 2: title updated" in edited.text
    assert "Weekly 1 approved" in approved.text and "/publish w1" in approved.text
    text = "\n".join(message.text for message in delivered)
    assert "\n二、编辑改写的<论断>" in text  # the editor's heading, escaped on the way
    assert text.startswith("【极速前进】20261127-20261203") and "周报第1期" in text
    for numeral in "一二三四五":
        assert f"\n{numeral}、" in text
    assert text.count("论文地址：https://arxiv.org/pdf/") == 5
    assert "周报第1期 · 【极速前进】" in listing.text and "第1期 · 【第1期】" in listing.text
    assert weekly.status is IssueStatus.PUBLISHED and daily.status is IssueStatus.PUBLISHED
    assert weekly.id != daily.id
    rows = await audit_rows(sqlite_db)
    assert (
        ("issue.edit", "weekly:1") in rows
        and ("issue.approve", "weekly:1") in rows
        and ("admin.publish", "weekly:1") in rows
    )
