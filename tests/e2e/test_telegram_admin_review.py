"""Editors review a draft in the admin group on the real PTB bot against the fake Bot API:
the preview, its buttons (edited in place), /edit, approval, rejection, and refusals."""

from __future__ import annotations

import pytest

from bot.telegram.admin_notify import send_draft_preview
from bot.telegram.app import build_application
from core.services.review import review_issue
from domain.types import IssueStatus
from storage.db import Database
from tests.e2e.admin_harness import ADMIN, audit_rows, editors, running_admin_bot
from tests.e2e.telegram_harness import ADMIN_CHAT
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture(autouse=True)
def _clean(fake_telegram: FakeTelegram):
    yield
    assert fake_telegram.violations == []
    assert fake_telegram.errors == []


def _order(review) -> list[str]:
    return [entry.item.paper.meta.arxiv_id for entry in review.items]


async def test_admin_shapes_and_approves_a_draft(fake_telegram, sqlite_db: Database) -> None:
    admin, _, group = editors(fake_telegram)
    async with running_admin_bot(fake_telegram, sqlite_db):
        before = await review_issue(sqlite_db)
        fake_telegram.send_text(admin, "/review", chat=group)
        (preview,) = await fake_telegram.wait_for_sent(group)
        first_text = preview.text
        fake_telegram.press_button(admin, preview, preview.button("✅ 3").get("callback_data"))
        (edited,) = await fake_telegram.wait_for_edits(group)
        excluded_text = edited.text
        fake_telegram.press_button(admin, edited, edited.button("↓ 1").get("callback_data"))
        (moved,) = await fake_telegram.wait_for_edits(group)
        fake_telegram.press_button(admin, moved, moved.button("Next").get("callback_data"))
        (second_page,) = await fake_telegram.wait_for_edits(group)
        second_text = second_page.text
        fake_telegram.send_text(admin, "/edit 1 2 tldr A sharper one-line <summary>", chat=group)
        (edit_reply,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/review 1", chat=group)
        (fresh,) = await fake_telegram.wait_for_sent(group)
        fresh_text = fresh.text
        fake_telegram.press_button(admin, fresh, fresh.button("Approve").get("callback_data"))
        (approved_note,) = await fake_telegram.wait_for_sent(group)
        approved_preview = fake_telegram.message(group, fresh.message_id)
        after = await review_issue(sqlite_db, number=1)
    assert "issue 1 · draft" in first_text and "20 of 20 papers included" in first_text
    assert "page 1/2" in first_text and "\n1. ✅ " in first_text
    assert "3. ⬜" in excluded_text and "19 of 20 papers included" in excluded_text
    assert "\n11. ✅" in second_text and "\n1. ✅" not in second_text
    assert "paper 2: tldr updated" in edit_reply.text and "<summary>" in edit_reply.text
    assert "A sharper one-line <summary>" in fresh_text and "✏️ edited" in fresh_text
    assert "Issue 1 approved" in approved_note.text and "/publish 1" in approved_note.text
    assert (
        "issue 1 · approved" in approved_preview.text
        and "Approved by 555001" in approved_preview.text
    )
    assert "Approve" not in str(approved_preview.buttons)  # approved: only edits and Reject left
    assert after.issue.status is IssueStatus.APPROVED and after.issue.approved_by == str(ADMIN)
    order = _order(before)
    assert _order(after) == [order[1], order[0], *order[2:]]
    assert [e.item.included for e in after.items].count(False) == 1 and not after.items[
        2
    ].item.included
    assert after.items[1].item.tldr_override == "A sharper one-line <summary>"
    assert await audit_rows(sqlite_db) == [
        ("issue.exclude", "issue:1"), ("issue.move", "issue:1"), ("issue.edit", "issue:1"),
        ("issue.approve", "issue:1"),
    ]  # fmt: skip


async def test_a_non_admin_cannot_press_or_type_admin_commands(fake_telegram, sqlite_db):
    admin, member, group = editors(fake_telegram)
    async with running_admin_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(admin, "/review", chat=group)
        (preview,) = await fake_telegram.wait_for_sent(group)
        text, keyboard = preview.text, preview.reply_markup
        for label in ("✅ 1", "↓ 1", "Approve", "Reject", "Next"):
            fake_telegram.press_button(member, preview, preview.button(label).get("callback_data"))
            (refusal,) = await fake_telegram.wait_for_sent(group)
            assert "only the digest's editors" in refusal.text
        refusals = []
        for typed in ("/approve 1", "/reject 1 spam", "/edit 1 1 tldr hacked", "/stats",
                      "/review", "/broadcast hi", "/publish 1", "/fetch", "/compose"):  # fmt: skip
            fake_telegram.send_text(member, typed, chat=group)
            refusals += await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(member, "/stats")  # nor in a private chat
        (private,) = await fake_telegram.wait_for_sent(member)
        unchanged = fake_telegram.message(group, preview.message_id)
        draft = await review_issue(sqlite_db)
    assert all("only the digest's editors" in m.text for m in [*refusals, private])
    assert len(refusals) == 9
    assert (unchanged.text, unchanged.reply_markup, unchanged.edits) == (text, keyboard, [])
    assert draft.issue.status is IssueStatus.DRAFT and draft.issue.number == 1
    assert all(e.item.included and not e.edited for e in draft.items)
    assert [e.item.position for e in draft.items] == list(range(1, 21))
    assert await audit_rows(sqlite_db, f"telegram:{member.id}") == []


async def test_reject_needs_a_reason(fake_telegram, sqlite_db: Database) -> None:
    admin, _, group = editors(fake_telegram)
    async with running_admin_bot(fake_telegram, sqlite_db):
        answers = []
        for typed in ("/reject", "/reject 1", "/reject abc too long"):
            fake_telegram.send_text(admin, typed, chat=group)
            answers += await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/review", chat=group)
        (preview,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.press_button(admin, preview, preview.button("Reject").get("callback_data"))
        (prompt,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/reject 1 too   scattered", chat=group)
        (done,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/review 1", chat=group)
        (history,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/approve 1", chat=group)
        (too_late,) = await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(admin, "/review", chat=group)
        (no_draft,) = await fake_telegram.wait_for_sent(group)
    assert ["Usage: /reject" in a.text for a in answers] == [True, True, False]
    assert "Give an issue number" in answers[2].text
    assert "send /reject 1 <reason>" in prompt.text
    assert "Issue 1 rejected: too scattered" in done.text
    assert "issue 1 · rejected" in history.text and "Rejected: too scattered" in history.text
    assert history.buttons == []
    assert "Issue 1 is rejected" in too_late.text
    assert "No draft is waiting" in no_draft.text
    assert await audit_rows(sqlite_db) == [("issue.reject", "issue:1")]


async def test_admin_commands_work_in_chinese_too(fake_telegram, sqlite_db: Database) -> None:
    li = fake_telegram.user(ADMIN, "Li", language_code="zh-hans")
    fake_telegram.group(ADMIN_CHAT, "编辑部", members=(li,))
    async with running_admin_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(li, "/review 第1期")
        (preview,) = await fake_telegram.wait_for_sent(li)
        fake_telegram.send_text(li, "/edit 1 99 title 新标题")
        (wrong,) = await fake_telegram.wait_for_sent(li)
        fake_telegram.send_text(li, "/edit 1 2 summary 新标题")
        (usage,) = await fake_telegram.wait_for_sent(li)
    assert "第1期 · 草稿" in preview.text and "收录 20/20 篇" in preview.text
    assert "没有第99篇" in wrong.text
    assert "用法：/edit" in usage.text


async def test_new_draft_preview_goes_to_the_admin_chat(fake_telegram, sqlite_db) -> None:
    """What the scheduler calls after composing: the admin group gets a working preview."""
    admin, _, group = editors(fake_telegram)
    async with running_admin_bot(fake_telegram, sqlite_db) as deps:
        app = build_application(deps)  # a second client of the same bot, as a scheduler holds
        async with app:
            assert await send_draft_preview(app, 1)
        (preview,) = fake_telegram.sent(group)
        posted = preview.text
        fake_telegram.press_button(admin, preview, preview.button("✅ 1").get("callback_data"))
        (edited,) = await fake_telegram.wait_for_edits(group)
    assert "第1期 · 草稿" in posted  # posted in DIGEST_LANGUAGE; the presser's language after
    assert "\n1. ⬜" in edited.text
