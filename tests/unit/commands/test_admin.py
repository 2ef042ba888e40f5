"""The editors' commands through their content: /review and its buttons, /approve, /reject,
/edit, /stats, /broadcast; and everyone else refused."""

from __future__ import annotations

import pytest

from bot.commands import admin_ops, admin_review
from bot.commands.admin_preview import APPROVE, INCLUDE, REJECT
from bot.commands.context import Deps
from bot.commands.dispatch import run_command
from domain.content import Blank, bold, italic, strike
from domain.errors import InvalidInput
from tests.unit.commands.conftest import context, only, paragraphs, text_of

HOSTILE = 'a<b & c "q" $\\alpha<\\beta$ 强化学习'


async def test_review_shows_the_draft_with_its_buttons(demo: Deps) -> None:
    (preview,) = await admin_review.review_command(await context(demo), "")
    title, name, counts, help_line = paragraphs(preview.content)[:4]
    assert title.runs[1] == bold("issue 1") and title.text == "📝 issue 1 · draft"
    assert name.runs == (italic(name.text),)
    assert "papers included" in counts.text and help_line.runs[0].style == "italic"
    assert Blank() in preview.content
    first_paper = paragraphs(preview.content)[4]
    assert first_paper.text.startswith("1. ✅") and first_paper.runs[1].style == "bold"
    actions = {b.action for row in preview.buttons for b in row}
    assert {INCLUDE, APPROVE, REJECT} <= actions


async def test_dropping_a_paper_strikes_it_through(demo: Deps) -> None:
    ctx = await context(demo)
    (preview,) = await admin_review.include_action(ctx, ("1", "1", "0"))
    dropped = paragraphs(preview.content)[4]
    assert preview.edit and dropped.text.startswith("1. ⬜")
    assert dropped.runs[1] == strike(dropped.runs[1].text)


async def test_edit_then_restore_a_tldr(demo: Deps) -> None:
    ctx = await context(demo)
    done = paragraphs(only(await admin_review.edit_command(ctx, f"1 1 tldr {HOSTILE}")))[0]
    assert done.text.endswith(f"tldr updated:\n{HOSTILE}")  # as typed: the renderer escapes
    (preview,) = await admin_review.review_command(ctx, "1")
    assert "✏️ edited" in paragraphs(preview.content)[4].text
    assert "restored" in text_of(await admin_review.edit_command(ctx, "1 1 tldr -"))
    with pytest.raises(InvalidInput):
        await admin_review.edit_command(ctx, "1 x tldr words")


async def test_reject_needs_a_reason_and_quotes_it(demo: Deps) -> None:
    ctx = await context(demo)
    with pytest.raises(InvalidInput):
        await admin_review.reject_command(ctx, "1")
    answer = text_of(await admin_review.reject_command(ctx, f"1 {HOSTILE}"))
    assert answer == f"❌ Issue 1 rejected: {HOSTILE}"
    (preview,) = await admin_review.review_command(ctx, "1")
    assert f"Rejected: {HOSTILE}" in text_of([preview]) and not preview.buttons


async def test_reject_button_asks_for_the_command(demo: Deps) -> None:
    answer = text_of(await admin_review.reject_action(await context(demo), ("1",)))
    assert answer == "To reject issue 1, send /reject 1 <reason>"


async def test_approve_the_newest_draft(demo: Deps) -> None:
    ctx = await context(demo, "zh")
    (done,) = await admin_review.approve_command(ctx, "")
    assert text_of([done]).startswith("✅ 第1期已批准")
    (preview,) = await admin_review.review_command(ctx, "1")
    assert any(p.text.startswith("由 ") for p in paragraphs(preview.content))  # approved by


async def test_stats_are_one_paragraph_a_line_under_a_bold_title(demo: Deps) -> None:
    content = only(await admin_ops.stats_command(await context(demo), ""))
    lines = paragraphs(content)
    assert lines[0].runs[1] == bold("Stats") and "Asia/Shanghai" in lines[0].text
    assert [line.text.split(":")[0] for line in lines[1:3]] == ["Subscribers", "Papers"]
    assert lines[3].text == "Issues: 1 draft"


async def test_broadcast_preview_quotes_the_text_and_asks_to_confirm(demo: Deps) -> None:
    (preview,) = await admin_ops.broadcast_command(await context(demo), HOSTILE)
    sentence = paragraphs(preview.content)[0]
    assert sentence.runs[1] == bold("Broadcast preview") and sentence.text.endswith(HOSTILE)
    assert [b.args[1] for b in preview.buttons[0]] == ["y", "n"]
    cancelled = await admin_ops.broadcast_action(await context(demo), (preview.buttons[0][1].args))
    assert "cancelled" in text_of(cancelled)


async def test_jobs_need_a_process_that_can_run_them(demo: Deps) -> None:
    assert "cannot run jobs" in str(await _error(admin_ops.fetch_command(await context(demo), "")))


async def _error(call: object) -> Exception:
    try:
        await call  # type: ignore[misc]
    except Exception as error:
        return error
    raise AssertionError("no error")


@pytest.mark.parametrize("name", ["review", "approve", "stats"])
async def test_readers_are_refused(demo: Deps, name: str) -> None:
    """The table's one admin check (in dispatch) answers a reader, in their language."""
    ctx = await context(demo, admin=False)
    (reply,) = await run_command(demo, ctx.caller, name, "1")
    assert reply.text == "Sorry, only the digest's editors can do that."


class FakeOps:
    """The composition root's jobs, as canned one-line reports; what the chat was told."""

    def __init__(self) -> None:
        self.told: list[str] = []

    def bind_sender(self, sender: object) -> None:
        pass

    async def fetch(self) -> str:
        return f"fetched {HOSTILE}"

    async def compose(self) -> str:
        return "nothing new"

    async def publish(self, number: int, actor: str, progress: object) -> str:
        return "sent"

    async def approved(self, number: int) -> list[str]:
        return [f"WeChat draft <{number}> saved"]

    async def broadcast(self, html: str) -> int:
        return 0

    async def tell(self, platform: str, target: str, html: str) -> None:
        self.told.append(html)


async def test_compose_reports_in_a_sentence_and_approve_adds_the_follow_ups(demo: Deps) -> None:
    demo.ops = FakeOps()
    ctx = await context(demo)
    assert text_of(await admin_ops.compose_command(ctx, "")) == "✅ compose: nothing new"
    done, follow_up = await admin_review.approve_command(ctx, "1")
    assert text_of([follow_up]) == "WeChat draft <1> saved"
    assert text_of([done]).startswith("✅ Issue 1 approved")


async def test_a_background_job_tells_its_report_as_escaped_html(demo: Deps) -> None:
    demo.ops = ops = FakeOps()
    assert "started" in text_of(await admin_ops.fetch_command(await context(demo), ""))
    await demo.jobs.wait()
    assert ops.told == [
        "✅ fetch: fetched a&lt;b &amp; c &quot;q&quot; $\\alpha&lt;\\beta$ 强化学习"
    ]


async def test_publish_refuses_a_draft_when_approval_is_required(demo: Deps) -> None:
    demo.ops = FakeOps()
    with pytest.raises(InvalidInput):
        await admin_ops.publish_command(await context(demo), "1")
