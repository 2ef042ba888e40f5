"""/fetch, /compose, /publish, /stats, /broadcast: editors run the jobs and talk to readers.

The jobs come in through `Deps.ops` (built by the composition root), so `bot` never imports
`jobs`. Long ones (fetch + summarize, publish, broadcast) run as background tasks that report
to the chat that started them; /compose is quick and answers with the new draft's preview.
Only editors get here: the command table flags these admin and dispatch checks (`ctx.admin`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.commands import admin_preview
from bot.commands.admin_review import issue_ref
from bot.commands.context import AdminOps, Context
from bot.commands.reply import Button, Reply, replies
from bot.commands.stats_reading import reading_lines
from bot.i18n import say, t, user_error
from bot.render.content import telegram_html
from core.services import editor_votes, reading_stats, review
from core.services.chats import active_chats
from core.services.issues import get_issue, list_issues
from domain.content import bold, paragraph
from domain.errors import DigestError, InvalidInput
from domain.types import IssueKind

log = logging.getLogger(__name__)

BROADCAST = "bc"
# The review service's publish refusals this command answers at once, in the admin's language.
REFUSAL_KEYS: dict[str | None, str] = {
    "rejected": "publish_rejected",
    "needs_approval": "publish_needs_approval",
}
MAX_BROADCAST = 3500  # leaves room in the preview for its header
VOTES_OVER = timedelta(days=7)  # /stats counts readers' votes of the last week


def _ops(ctx: Context) -> AdminOps:
    if ctx.deps.ops is None:
        raise user_error("ops_unavailable")
    return ctx.deps.ops


async def fetch_command(ctx: Context, argument: str) -> list[Reply]:
    admin, ops = ctx.admin, _ops(ctx)
    await review.record_admin_action(
        ctx.db, admin_id=admin.actor, action="fetch", target=None, detail={}
    )
    return _in_background(ctx, "fetch", ops.fetch)


async def compose_command(ctx: Context, argument: str) -> list[Reply]:
    admin, ops = ctx.admin, _ops(ctx)
    before = await _latest_number(ctx)
    report = await ops.compose()
    await review.record_admin_action(
        ctx.db, admin_id=admin.actor, action="compose", target=None, detail={"report": report}
    )
    answer = replies(say(ctx.language, "job_done", job="compose", report=report))
    after = await _latest_number(ctx)
    if after is None or after == before:
        return answer
    return answer + admin_preview.preview(
        await review.review_issue(ctx.db, number=after), ctx.language
    )


async def publish_command(ctx: Context, argument: str) -> list[Reply]:
    admin, ops = ctx.admin, _ops(ctx)
    ref = issue_ref(argument, "/publish")  # `12` a daily, `w3` a weekly round-up
    number = ref.number
    issue = await get_issue(ctx.db, number=number, language=ctx.language, kind=ref.kind)
    refusal = review.publish_refusal(issue, require_approval=ctx.settings.require_approval)
    if refusal in REFUSAL_KEYS:  # "empty" is the publish run's to report, in the background
        raise user_error(REFUSAL_KEYS[refusal], InvalidInput, number=ref.token)
    target = f"issue:{number}" if ref.kind is IssueKind.DAILY else f"weekly:{number}"
    await review.record_admin_action(
        ctx.db, admin_id=admin.actor, action="publish", target=target, detail={}
    )
    progress = _progress(ctx, ops, number)
    return _in_background(
        ctx, f"publish {ref.token}", lambda: ops.publish(number, admin.actor, progress, ref.kind)
    )


async def stats_command(ctx: Context, argument: str) -> list[Reply]:
    tz = ctx.settings.tz
    figures = await review.stats(ctx.db, now=datetime.now(tz), tz=tz)
    L = ctx.language
    issues = " · ".join(
        f"{count} {t(L, f'status_{status}')}"
        for status, count in sorted(figures.issues_by_status.items())
    )
    title = bold(t(L, "stats_heading"))
    lines = [
        say(L, "stats_title", title=title, day=figures.day.isoformat(), tz=ctx.settings.timezone),
        say(L, "stats_subscribers", active=figures.subscribers_active,
          paused=figures.subscribers_paused, blocked=figures.subscribers_blocked),
        say(L, "stats_papers", papers=figures.papers),
        say(L, "stats_issues", issues=issues or t(L, "stats_none")),
        say(L, "stats_deliveries", sent=figures.deliveries_today,
          failed=figures.deliveries_failed_today),
        say(L, "stats_llm", tokens_in=f"{figures.llm_tokens_in_today:,}",
          tokens_out=f"{figures.llm_tokens_out_today:,}", cost=f"{figures.llm_cost_today:.4f}"),
    ]  # fmt: skip
    if n := figures.llm_papers_today:  # what one paper costs, full text or abstract
        lines.append(say(L, "stats_llm_paper", tokens_in=f"{figures.llm_tokens_in_today // n:,}",
          cost=f"{figures.llm_cost_today / n:.5f}"))  # fmt: skip
    if figures.paid_messages_today or ctx.settings.telegram_paid_broadcast:
        lines.append(say(L, "stats_paid", paid=f"{figures.paid_messages_today:,}"))
    reading = await reading_stats.reading_stats(ctx.db, now=datetime.now(tz), tz=tz)
    lines += reading_lines(L, reading, tz)
    week = await editor_votes.votes_since(ctx.db, since=datetime.now(tz) - VOTES_OVER)
    lines.append(say(L, "stats_votes", up=week.up, down=week.down, saved=week.saved))
    return replies(lines)


async def broadcast_command(ctx: Context, argument: str) -> list[Reply]:
    admin = ctx.admin
    text = argument.strip()
    if not text:
        raise user_error("broadcast_usage", InvalidInput)
    if len(text) > MAX_BROADCAST:
        raise user_error("too_long", InvalidInput, limit=MAX_BROADCAST)
    key = hashlib.blake2s(text.encode("utf-8"), digest_size=6).hexdigest()
    ctx.deps.broadcasts[(admin.actor, key)] = text
    count = len(await active_chats(ctx.db))
    title = bold(t(ctx.language, "broadcast_heading"))
    preview = say(ctx.language, "broadcast_preview", title=title, count=count, text=text)
    buttons = (
        Button(t(ctx.language, "confirm"), BROADCAST, (key, "y")),
        Button(t(ctx.language, "cancel"), BROADCAST, (key, "n")),
    )
    return replies(preview, (buttons,))


async def broadcast_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Confirm or Cancel on a broadcast preview; each preview can be confirmed only once, and
    only by the admin who wrote it (on the same platform)."""
    admin = ctx.admin
    if len(args) != 2 or args[1] not in ("y", "n"):
        raise user_error("expired_button", InvalidInput)
    text = ctx.deps.broadcasts.pop((admin.actor, args[0]), None)
    if text is None:
        raise user_error("expired_button", InvalidInput)
    if args[1] == "n":
        return replies(t(ctx.language, "broadcast_cancelled"), edit=True)
    ops = _ops(ctx)
    count = len(await active_chats(ctx.db))
    html = telegram_html((paragraph(text),))

    async def send() -> str:
        sent = await ops.broadcast(html)
        await review.record_admin_action(
            ctx.db, admin_id=admin.actor, action="broadcast", target=None,
            detail={"chars": len(text), "chats": count, "sent": sent},
        )  # fmt: skip
        return t(ctx.language, "broadcast_done", sent=sent, count=count)

    _in_background(ctx, "broadcast", send, plain=False)
    return replies(t(ctx.language, "broadcast_sending", count=count), edit=True)


def _in_background(
    ctx: Context, job: str, work: Callable[[], Awaitable[str]], *, plain: bool = True
) -> list[Reply]:
    """Start `work` as a task that tells this chat its report; answer "started" (or "busy").

    `plain`: the report is the job's one line, told as "✅ job: report"; otherwise it is the
    whole sentence to tell."""
    ops, c, L = _ops(ctx), ctx.caller, ctx.language

    async def run() -> None:
        try:
            report = await work()
            told = say(L, "job_done", job=job, report=report) if plain else paragraph(report)
        except DigestError as error:
            told = say(L, "job_failed", job=job, error=error.message_for(L))
        except Exception as error:
            log.exception("admin job %s failed", job)
            told = say(L, "job_failed", job=job, error=type(error).__name__)
        await ops.tell(c.platform, c.chat_id, telegram_html((told,)))

    if not ctx.deps.jobs.start(job, run):
        return replies(t(L, "job_busy", job=job))
    return replies(t(L, "job_started", job=job))


def _progress(ctx: Context, ops: AdminOps, number: int) -> Callable[[int, int], Awaitable[None]]:
    """Tell the chat at each quarter of the way, not on every message."""
    c, L, told = ctx.caller, ctx.language, {0}

    async def progress(sent: int, total: int) -> None:
        quarter = 4 * sent // total if total else 4
        if quarter in told:
            return
        told.add(quarter)
        line = say(L, "publish_progress", number=number, sent=sent, total=total)
        await ops.tell(c.platform, c.chat_id, telegram_html((line,)))

    return progress


async def _latest_number(ctx: Context) -> int | None:
    newest = await list_issues(ctx.db, offset=0, limit=1)
    return newest.items[0].number if newest.items else None
