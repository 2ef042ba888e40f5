"""The bodies of the scheduled jobs: the same code the CLI commands run, plus what to tell admins.

- fetch: today's announcement, then summarize what lacks a summary. No announcement (weekend,
  holiday) says so and stops there.
- compose: the next draft (daily: papers since the last issue; weekly: the week's round-up, at
  most once a week). A new draft asks the admins for review; no new papers says so.
- publish: every approved, unpublished issue (with REQUIRE_APPROVAL=false, the newest draft is
  approved first) through the injected `publish`.
- auto_publish: see `jobs.autopublish`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.services import review
from domain.errors import DigestError, InvalidInput, NotFound, NothingToDo
from jobs import notices
from jobs.autopublish import auto_publish_job
from jobs.compose import AlreadyComposed, compose_issue
from jobs.context import JobContext, JobName, JobOutcome, PublishFn, describe_error
from jobs.fetch.job import run_fetch
from jobs.summarize.job import run_summarize
from storage.queries import schedule as q

log = logging.getLogger(__name__)

SCHEDULE_ACTOR = "schedule"
JobBody = Callable[[JobContext], Awaitable[JobOutcome]]


async def fetch_job(ctx: JobContext) -> JobOutcome:
    report = await run_fetch(ctx.settings.arxiv, ctx.db)
    lines = [f"fetch: {report.message}"]
    if report.no_announcement and report.caught_up is None:
        return JobOutcome(lines[0], notices.fetched(lines))
    summarized = await run_summarize(ctx.settings.llm, ctx.db)
    lines.append(f"summarize: {summarized.message}")
    return JobOutcome("\n".join(lines), notices.fetched(lines), ok=report.ok)


async def compose_job(ctx: JobContext) -> JobOutcome:
    try:
        issue = await compose_issue(ctx.settings.editorial, ctx.db, now=ctx.clock())
    except AlreadyComposed as exc:  # weekly mode on a daily cron: quiet on the other days
        return JobOutcome(f"compose: {exc.message_for(ctx.settings.digest_language)}")
    except NothingToDo as exc:
        said = exc.message_for(ctx.settings.digest_language)
        return JobOutcome(f"compose: {said}", notices.nothing_to_compose(said))
    summary = f"compose: 第{issue.number}期 ({len(issue.items)} papers, draft) {issue.title}"
    await _post_preview(ctx, issue.number)
    return JobOutcome(summary, notices.draft_ready(issue, ctx.settings.editorial))


async def _post_preview(ctx: JobContext, number: int) -> None:
    """The draft's preview with review buttons; a failure here must not fail the compose."""
    if ctx.on_draft is None:
        return
    try:
        await ctx.on_draft(number)
    except Exception:
        log.warning("could not post the preview of draft %s", number, exc_info=True)


async def publish_job(ctx: JobContext) -> JobOutcome:
    publish = _publisher(ctx)
    numbers = await _to_publish(ctx)
    if not numbers:
        return await _nothing_published(ctx)
    results = [await _publish_one(publish, number) for number in numbers]
    ok = all(published for published, _, _ in results)
    lines = "\n".join(line for _, line, _ in results)
    return JobOutcome(lines, "\n".join(text for _, _, text in results), ok=ok)


def _publisher(ctx: JobContext) -> PublishFn:
    if ctx.publish is None:
        raise DigestError("publishing is not available in this process (no delivery configured)")
    return ctx.publish


async def _to_publish(ctx: JobContext) -> list[int]:
    """Approved issues, plus (approval not required) the newest draft, approved on the way
    through the review service like any approval; one it refuses is left as it is."""
    async with ctx.db.session() as session:
        numbers = await q.approved_unpublished(session)
        draft = None if ctx.settings.require_approval else await q.newest_open_draft(session)
    if draft is not None and await _approve(ctx, draft):
        numbers.append(draft)
    return numbers


async def _approve(ctx: JobContext, number: int) -> bool:
    try:
        await review.approve(
            ctx.db, number=number, admin_id=SCHEDULE_ACTOR, now=ctx.clock(),
            reason="REQUIRE_APPROVAL=false",
        )  # fmt: skip
    except (InvalidInput, NotFound) as refused:
        log.info("draft %s not approved: %s", number, refused)
        return False
    return True


async def _nothing_published(ctx: JobContext) -> JobOutcome:
    async with ctx.db.session() as session:
        waiting = await q.newest_open_draft(session)
    if waiting is None:
        return JobOutcome("publish: no approved issue to publish")
    return JobOutcome(
        f"publish: nothing approved; 第{waiting}期 awaits review", notices.still_in_review(waiting)
    )


async def _publish_one(publish: PublishFn, number: int) -> tuple[bool, str, str]:
    """One issue; its failure is reported and does not stop the others."""
    try:
        report = await publish(number, SCHEDULE_ACTOR)
    except Exception as exc:
        error = describe_error(exc)
        log.warning("publishing 第%d期 failed: %s", number, error)
        return False, f"failed 第{number}期: {error}", notices.publish_failed(number, error)
    return True, f"published 第{number}期: {report}", notices.published(number, report)


JOBS: dict[JobName, JobBody] = {
    "fetch": fetch_job,
    "compose": compose_job,
    "publish": publish_job,
    "auto_publish": auto_publish_job,
}
