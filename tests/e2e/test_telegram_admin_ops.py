"""Editors run jobs and talk to readers from chat, on the real PTB bot against the fake Bot API:
/fetch and /compose against the fake arXiv, /publish's checks, /stats, /broadcast, the menu."""

from __future__ import annotations

from datetime import date

import pytest

from core.services.review import review_issue
from domain.types import IssueStatus
from storage.db import Database
from tests.e2e.admin_harness import audit_rows, editors, running_admin_bot
from tests.e2e.telegram_harness import ADMIN_CHAT
from tests.fakes.arxiv_feeds import Announced, make_papers
from tests.fakes.arxiv_server import FakeArxiv, utc
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture(autouse=True)
def _clean(fake_telegram: FakeTelegram):
    yield
    assert fake_telegram.violations == []
    assert [e for e in fake_telegram.errors if "blocked" not in str(e)] == []


async def test_fetch_then_compose_from_chat(fake_telegram, fake_arxiv: FakeArxiv, sqlite_db):
    papers = make_papers(3, start=utc(2026, 11, 19, 12), categories=("cs.CL",))
    fake_arxiv.announce([Announced(p, "new") for p in papers], on=date(2026, 11, 20))
    admin, _, group = editors(fake_telegram)
    overrides = fake_arxiv.settings_overrides(arxiv_categories="cs.CL")
    async with running_admin_bot(fake_telegram, sqlite_db, demo=False, **overrides):
        fake_telegram.send_text(admin, "/fetch", chat=group)
        started, report = await fake_telegram.wait_for_sent(group, count=2, timeout=30)
        fake_telegram.send_text(admin, "/compose", chat=group)
        composed, preview = await fake_telegram.wait_for_sent(group, count=2)
        fake_telegram.send_text(admin, "/compose", chat=group)
        (nothing,) = await fake_telegram.wait_for_sent(group)
        draft = await review_issue(sqlite_db)
    assert "fetch started" in started.text
    assert "fetched 3 papers announced 2026-11-20 (3 new, 0 updated)" in report.text
    assert "summarize:" in report.text and "3 extractive" in report.text
    assert "✅ compose: 第1期 (3 papers, draft)" in composed.text
    assert "issue 1 · draft" in preview.text and "3 of 3 papers included" in preview.text
    assert "3 to check" in preview.text and "extractive summary" in preview.text
    assert preview.button("Approve") and preview.button("✅ 3")
    assert "自第1期以来没有新论文" in nothing.text
    assert len(draft.items) == 3 and draft.issue.status is IssueStatus.DRAFT
    assert await audit_rows(sqlite_db) == [
        ("admin.fetch", None), ("admin.compose", None), ("admin.compose", None)
    ]  # fmt: skip


async def test_publish_checks_before_anything_runs(fake_telegram, sqlite_db: Database) -> None:
    admin, _, group = editors(fake_telegram)
    async with running_admin_bot(fake_telegram, sqlite_db):
        answers = []
        for typed in ("/publish", "/publish abc", "/publish 99", "/publish 1"):
            fake_telegram.send_text(admin, typed, chat=group)
            answers += await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/reject 1 wrong papers", chat=group)
        await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/publish 1", chat=group)
        (rejected,) = await fake_telegram.wait_for_sent(group)
    texts = [a.text for a in answers]
    assert "Give an issue number, e.g. /publish 12" in texts[0] and "/publish 12" in texts[1]
    assert "Issue 99 does not exist" in texts[2]
    assert "Issue 1 is a draft; approve it first (/approve 1)" in texts[3]
    assert "Issue 1 was rejected; it cannot be published" in rejected.text
    assert ("admin.publish", "issue:1") not in await audit_rows(sqlite_db)


async def test_stats_figures(fake_telegram, sqlite_db: Database) -> None:
    admin, _, group = editors(fake_telegram)
    readers = [fake_telegram.user(language_code="en") for _ in range(3)]
    async with running_admin_bot(fake_telegram, sqlite_db):
        for reader in readers:
            fake_telegram.send_text(reader, "/start")
            await fake_telegram.wait_for_sent(reader)
        fake_telegram.send_text(readers[1], "/settings")
        (panel,) = await fake_telegram.wait_for_sent(readers[1])
        fake_telegram.press_button(readers[1], panel, panel.button("Pause").get("callback_data"))
        await fake_telegram.wait_for_edits(readers[1])
        fake_telegram.send_text(admin, "/approve", chat=group)
        await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/stats", chat=group)
        (stats,) = await fake_telegram.wait_for_sent(group)
    assert "Subscribers: 2 active · 1 paused · 0 blocked" in stats.text
    assert "Papers: 20" in stats.text and "Issues: 1 approved" in stats.text
    assert "Deliveries today: 0 sent · 0 failed" in stats.text
    assert "LLM today: 0 tokens in · 0 out · $0.0000" in stats.text
    assert "(Asia/Shanghai)" not in stats.text and "Asia/Shanghai" in stats.text


async def test_broadcast_confirm_and_cancel(fake_telegram, sqlite_db: Database) -> None:
    admin, _, group = editors(fake_telegram)
    readers = [fake_telegram.user(language_code="en") for _ in range(2)]
    gone = fake_telegram.user(language_code="en")
    async with running_admin_bot(fake_telegram, sqlite_db):
        for reader in (*readers, gone):
            fake_telegram.send_text(reader, "/start")
            await fake_telegram.wait_for_sent(reader)
        fake_telegram.send_text(admin, "/broadcast", chat=group)
        (usage,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/broadcast Not this one", chat=group)
        (first,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.press_button(admin, first, first.button("Cancel").get("callback_data"))
        (cancelled,) = await fake_telegram.wait_for_edits(group)
        cancelled_text = cancelled.text
        fake_telegram.send_text(admin, "/broadcast No issue on Friday <3", chat=group)
        (second,) = await fake_telegram.wait_for_sent(group)
        preview_text, confirm = second.text, second.button("Send").get("callback_data")
        fake_telegram.block(gone)
        fake_telegram.press_button(admin, second, confirm)
        (done,) = await fake_telegram.wait_for_sent(group, timeout=15)
        sending = fake_telegram.message(group, second.message_id).text
        fake_telegram.press_button(admin, second, confirm, forge=True)  # pressed again
        (again,) = await fake_telegram.wait_for_sent(group)
        received = [fake_telegram.sent(reader)[-1].text for reader in readers]
    assert "Usage: /broadcast" in usage.text
    assert "Broadcast cancelled" in cancelled_text and "Not this one" not in received[0]
    assert "goes to 3 chats" in preview_text and "No issue on Friday <3" in preview_text
    assert "Sending to 3 chats" in sending
    assert received == ["No issue on Friday <3"] * 2
    assert "Broadcast delivered to 2 of 3 chats" in done.text
    assert "expired" in again.text
    assert await audit_rows(sqlite_db) == [("admin.broadcast", None)]


async def test_admin_menu_only_in_the_admin_chat(fake_telegram, sqlite_db: Database) -> None:
    editors(fake_telegram)
    async with running_admin_bot(fake_telegram, sqlite_db):
        pass
    commands = fake_telegram.commands
    public = {c["command"] for c in commands[("default", "en")]}
    admin_zh = {c["command"]: c["description"] for c in commands[(f"chat:{ADMIN_CHAT}", "zh")]}
    admin_en = {c["command"] for c in commands[(f"chat:{ADMIN_CHAT}", "en")]}
    assert not public & {"review", "approve", "reject", "edit", "publish", "stats", "broadcast"}
    assert {"review", "approve", "reject", "edit", "publish", "fetch", "compose", "stats",
            "broadcast", "start", "search"} <= admin_en  # fmt: skip
    assert admin_zh["review"].startswith("审阅")


async def test_help_stays_public(fake_telegram, sqlite_db: Database) -> None:
    admin, _, _ = editors(fake_telegram)
    async with running_admin_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(admin, "/help")
        (help_text,) = await fake_telegram.wait_for_sent(admin)
    assert "/search" in help_text.text and "/review" not in help_text.text
