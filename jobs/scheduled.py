"""The bodies of the jobs `jobs.runs.run_job` runs, for every trigger, plus what to tell admins.

- fetch: today's announcement, then summarize what lacks a summary (`jobs.fetch_summarize`).
  No announcement (weekend, holiday) says so and stops there.
- compose: the next draft: papers since the last issue (with DIGEST_FREQUENCY=weekly, the
  week's round-up instead, as `weekly`). A new draft asks the admins for review; no new papers
  says so.
- publish: every approved, unpublished issue (with REQUIRE_APPROVAL=false, the newest draft is
  approved first) through the injected `publish`.
- publish_issue: `JobParams.number` on every platform (`digestbot publish N`, an admin's
  /publish N; `jobs.publish_everywhere`).
- fetch_only: `digestbot fetch` (its window or ids, no summarizing).
- pipeline: fetch, summarize, compose in one run (`jobs.pipeline`).
- weekly: this week's round-up (周报, numbered apart; `jobs.weekly`), at most once a week.
- auto_publish: see `jobs.autopublish`.
- rank_index, rank_refresh: paper vectors and stale reader models (`jobs.rank`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.services import review
from domain.content import Content
from domain.errors import DigestError, InvalidInput, NotFound, NothingToDo
from domain.issue_ref import IssueRef
from domain.types import IssueKind
from jobs import notices
from jobs.autopublish import auto_publish_job
from jobs.compose import compose_issue
from jobs.context import JobContext, JobName, JobOutcome, JobParams, PublishFn, describe_error
from jobs.fetch_summarize import Fetched, fetch_then_summarize
from jobs.pipeline import pipeline_job
from jobs.platforms import joined
from jobs.publish_everywhere import publish_everywhere
from jobs.rank import rank_index_job, rank_refresh_job
from jobs.weekly import AlreadyComposed, compose_weekly
from storage.queries import schedule as q

log = logging.getLogger(__name__)

SCHEDULE_ACTOR = "schedule"
JobBody = Callable[[JobContext, JobParams], Awaitable[JobOutcome]]


async def fetch_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    return _fetched(await fetch_then_summarize(ctx.settings, ctx.db))


async def fetch_only_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """`digestbot fetch`: the window or ids asked for, not summarized (its own command)."""
    fetched = await fetch_then_summarize(
        ctx.settings, ctx.db, since=params.since, until=params.until, ids=params.ids,
        summarize=False,
    )  # fmt: skip
    return _fetched(fetched)


def _fetched(fetched: Fetched) -> JobOutcome:
    lines = fetched.lines
    return JobOutcome("\n".join(lines), notices.fetched(lines), fetched.ok, fetched)


async def compose_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    if ctx.settings.digest_frequency == "weekly":  # round-ups only: on its cron, once a week
        return await weekly_job(ctx, params)
    try:
        issue = await compose_issue(ctx.settings.editorial, ctx.db, now=ctx.clock())
    except NothingToDo as exc:
        said = exc.message_for(ctx.settings.digest_language)
        return JobOutcome(f"compose: {said}", notices.nothing_to_compose(said), value=exc)
    summary = f"compose: 第{issue.number}期 ({len(issue.items)} papers, draft) {issue.title}"
    await _post_preview(ctx, issue.number)
    return JobOutcome(summary, notices.draft_ready(issue, ctx.settings.editorial), value=issue)


async def weekly_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """This week's round-up as a draft; already composed is quiet, no published daily says so."""
    settings = ctx.settings
    try:
        issue = await compose_weekly(settings.editorial, settings.llm, ctx.db, now=ctx.clock())
    except AlreadyComposed as exc:  # on the other days of a daily cron: quiet
        return JobOutcome(f"weekly: {exc.message_for(settings.digest_language)}", value=exc)
    except NothingToDo as exc:
        said = exc.message_for(settings.digest_language)
        return JobOutcome(f"weekly: {said}", notices.nothing_to_compose(said), value=exc)
    summary = f"weekly: 周报第{issue.number}期 ({len(issue.items)} papers, draft) {issue.title}"
    return JobOutcome(summary, notices.draft_ready(issue, settings.editorial), value=issue)


async def _post_preview(ctx: JobContext, number: int) -> None:
    """The draft's preview with review buttons; a failure here must not fail the compose."""
    if ctx.on_draft is None:
        return
    try:
        await ctx.on_draft(number)
    except Exception:
        log.warning("could not post the preview of draft %s", number, exc_info=True)


async def publish_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    publish = _publisher(ctx)
    refs = [IssueRef(number) for number in await _to_publish(ctx)]
    async with ctx.db.session() as session:  # approved round-ups go out like dailies
        refs += [IssueRef(n, IssueKind.WEEKLY) for n in await q.approved_unpublished(
            session, kind=IssueKind.WEEKLY)]  # fmt: skip
    if not refs:
        return await _nothing_published(ctx)
    results = [await _publish_one(publish, ref) for ref in refs]
    ok = all(published for published, _, _ in results)
    lines = "\n".join(line for _, line, _ in results)
    return JobOutcome(lines, notices.joined(text for _, _, text in results), ok=ok)


async def publish_issue_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """Issue `params.number` on every platform, a line each; a failed platform fails the run
    (the others did deliver; publishing again resumes it)."""
    if params.number is None:
        raise InvalidInput("publish_issue needs an issue number")
    if ctx.platforms is None:
        raise DigestError("publishing is not available in this process (no delivery configured)")
    results = await publish_everywhere(
        ctx.settings.delivery, ctx.db, ctx.platforms, number=params.number,
        actor=params.actor or SCHEDULE_ACTOR, progress=params.progress, kind=params.kind,
    )  # fmt: skip
    ok = all(result.report is not None for result in results)
    return JobOutcome(joined(results), ok=ok, value=results)


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


async def _publish_one(publish: PublishFn, ref: IssueRef) -> tuple[bool, str, Content]:
    """One issue; its failure is reported and does not stop the others."""
    label = ref.label("zh")
    try:
        if ref.kind is IssueKind.DAILY:
            report = await publish(ref.number, SCHEDULE_ACTOR)
        else:
            report = await publish(ref.number, SCHEDULE_ACTOR, ref.kind)
    except Exception as exc:
        error = describe_error(exc)
        log.warning("publishing %s failed: %s", label, error)
        return False, f"failed {label}: {error}", notices.publish_failed(ref, error)
    return True, f"published {label}: {report}", notices.published(ref, report)


async def _auto_publish(ctx: JobContext, params: JobParams) -> JobOutcome:
    return await auto_publish_job(ctx)


JOBS: dict[JobName, JobBody] = {
    "fetch": fetch_job,
    "compose": compose_job,
    "publish": publish_job,
    "auto_publish": _auto_publish,
    "pipeline": pipeline_job,
    "publish_issue": publish_issue_job,
    "fetch_only": fetch_only_job,
    "rank_index": rank_index_job,
    "rank_refresh": rank_refresh_job,
    "weekly": weekly_job,
}
