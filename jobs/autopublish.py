"""Auto-publish: with AUTO_PUBLISH_AFTER set, a draft nobody touched goes out after that delay.

Touched, precisely: some audit-log row about the issue (target `issue:N`, or `issue:N/…` /
`issue:N:…` for its items) was written by an actor other than the system actors below, i.e.
an admin did anything recorded on it (opened the review, included/excluded or moved a paper,
edited a text, approved, rejected). A touched draft waits for its admin; an approved or
rejected issue is no draft any more. The delay counts from the issue's `created_at`.

A paper the summary guards flagged (`core.services.review.flagged_positions`: a number or a
link the paper does not give, instruction-like text) never goes out unread. With
AUTO_PUBLISH_FLAGGED=hold (the default) a draft with one waits for its editor, like a touched
one; with `drop` those papers are excluded first (audited under `auto`, which is no touch) and
the rest goes out — unless nothing is left, when the draft waits too.

The approval goes through `core.services.review.approve` like every other one; its UPDATE
re-checks "still a draft, still untouched", so an admin acting at the same moment either wins
(nothing is auto-published) or sees it approved by `auto`. Publishing happens after that
commit; if it fails the issue stays approved and the next publish run retries it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from core.services import review
from core.services.reading_stats import AUTO_PUBLISH_ACTOR
from domain.content import Content
from domain.errors import DigestError, InvalidInput, NotFound
from jobs import notices
from jobs.context import JobContext, JobOutcome, describe_error
from storage.queries import schedule as q

log = logging.getLogger(__name__)

AUTO_ACTOR = AUTO_PUBLISH_ACTOR  # /stats counts the papers it leaves out by this name
# Actors whose audit rows do not count as a touch: the composer, this job and the scheduler
# (and "system" for anything else the bot writes on its own).
SYSTEM_ACTORS = ("compose", AUTO_ACTOR, "schedule", "system")


async def due_drafts(ctx: JobContext) -> list[int]:
    """Untouched drafts older than AUTO_PUBLISH_AFTER (none when it is not set)."""
    delay = ctx.settings.auto_publish_after
    if delay is None:
        return []
    async with ctx.db.session() as session:
        return await q.untouched_drafts(
            session, created_before=ctx.clock() - delay, system_actors=SYSTEM_ACTORS
        )


async def auto_publish_job(ctx: JobContext) -> JobOutcome:
    delay = ctx.settings.auto_publish_after
    if delay is None:
        return JobOutcome("auto-publish: AUTO_PUBLISH_AFTER is not set")
    if ctx.publish is None:
        raise DigestError("auto-publish needs delivery, which this process does not have")
    lines: list[str] = []
    texts: list[Content] = []
    ok = True
    for number in await due_drafts(ctx):
        held = await _hold_flagged(ctx, number)
        if held:
            lines.append(held)
            continue
        if not await _approve(ctx, number, delay):
            lines.append(f"第{number}期: an admin acted first; left alone")
            continue
        published, line, text = await _publish(ctx, number, delay)
        ok &= published
        lines.append(line)
        texts.append(text)
    summary = "\n".join(lines) or "auto-publish: no untouched draft is due"
    return JobOutcome(summary, notices.joined(texts) or None, ok=ok)


async def _hold_flagged(ctx: JobContext, number: int) -> str | None:
    """Why draft `number` waits for an editor because of flagged papers, or None to go on
    (with AUTO_PUBLISH_FLAGGED=drop, after leaving the flagged papers out)."""
    try:
        issue = (await review.review_issue(ctx.db, number=number)).issue
    except NotFound:
        return f"第{number}期: gone; left alone"
    if not issue.included_items:
        return f"第{number}期: no paper included; left for an editor"
    flagged = review.flagged_positions(issue)
    if not flagged:
        return None
    shown = ", ".join(map(str, flagged))
    if ctx.settings.auto_publish_flagged == "hold":
        log.info("draft %s held: papers %s flagged by the summary guards", number, shown)
        return (
            f"第{number}期: held for an editor, papers {shown} flagged (AUTO_PUBLISH_FLAGGED=hold)"
        )
    try:
        await review.drop_flagged(ctx.db, number=number, admin_id=AUTO_ACTOR)
    except (InvalidInput, NotFound) as refused:  # an editor acted meanwhile: theirs now
        return f"第{number}期: not auto-published ({refused})"
    if len(flagged) == len(issue.included_items):
        return f"第{number}期: every paper flagged and left out; held for an editor"
    log.info("draft %s: flagged papers %s left out (AUTO_PUBLISH_FLAGGED=drop)", number, shown)
    return None


async def _approve(ctx: JobContext, number: int, delay: timedelta) -> bool:
    """Through the review service like any approval; refused (an admin acted first) is False."""
    try:
        await review.approve(
            ctx.db, number=number, admin_id=AUTO_ACTOR, now=ctx.clock(),
            reason=f"AUTO_PUBLISH_AFTER: untouched for {notices.human_delay(delay)}",
            untouched_by=SYSTEM_ACTORS,
        )  # fmt: skip
    except (InvalidInput, NotFound) as refused:
        log.info("draft %s not auto-approved: %s", number, refused)
        return False
    return True


async def _publish(ctx: JobContext, number: int, delay: timedelta) -> tuple[bool, str, Content]:
    assert ctx.publish is not None
    try:
        report = await ctx.publish(number, AUTO_ACTOR)
    except Exception as exc:
        error = describe_error(exc)
        log.warning("auto-publishing 第%d期 failed: %s", number, error)
        return (
            False,
            f"第{number}期 approved, publish failed: {error}",
            (notices.auto_publish_failed(number, delay, error)),
        )
    log.info("第%d期 auto-published after %s", number, delay)
    return (
        True,
        f"第{number}期 auto-published: {report}",
        (notices.auto_published(number, delay, report)),
    )
