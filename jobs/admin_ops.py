"""The jobs admins run from chat (`bot.commands.context.AdminOps`), as recorded runs.

/fetch, /compose and /publish N go through `jobs.runs.run_job` with trigger "admin" like any
other run: one `job_runs` row each, and never beside a live run of the same job. The
composition root builds this once, up front, with the configured `Platforms` (whose running
senders carry reports and broadcasts) and what an approval sets off (the 公众号 draft).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.services.broadcast import broadcast
from domain.types import IssueKind
from jobs.context import JobContext, JobParams, Progress
from jobs.platforms import Platforms
from jobs.runs import answered, run_job

log = logging.getLogger(__name__)

# After issue N was approved: a line for the admins, or None (e.g. WeChat not configured).
ApprovedFn = Callable[[int], Awaitable[str | None]]


class JobAdminOps:
    def __init__(self, ctx: JobContext, platforms: Platforms, on_approved: ApprovedFn) -> None:
        self.ctx, self.platforms, self.on_approved = ctx, platforms, on_approved

    async def fetch(self) -> str:
        """Fetch today's papers, then summarize what is new: the pipeline minus compose."""
        result = answered(await run_job("fetch", self.ctx, trigger="admin"))
        return result.summary.replace("\n", "; ")

    async def compose(self) -> str:
        result = answered(await run_job("compose", self.ctx, trigger="admin"))
        return result.summary.removeprefix("compose: ")  # the admin's reply names the job

    async def publish(
        self,
        number: int,
        actor: str,
        progress: Progress | None,
        kind: IssueKind = IssueKind.DAILY,
    ) -> str:
        """Issue `number` (of `kind`) on every configured platform; a line per platform."""
        params = JobParams(number=number, actor=actor, progress=progress, kind=kind)
        result = await run_job("publish_issue", self.ctx, trigger="admin", params=params)
        return answered(result).summary

    async def approved(self, number: int) -> list[str]:
        """Follow-ups of an approval: the 公众号 draft when WeChat is configured."""
        line = await self.on_approved(number)
        return [line] if line else []

    async def broadcast(self, html: str) -> int:
        return await broadcast(self.ctx.db, self.platforms.running(), html)

    async def tell(self, platform: str, target: str, html: str) -> None:
        sender = self.platforms.running().get(platform)
        if sender is None:
            log.warning("no %s sender running: report to %s dropped", platform, target)
            return
        try:
            await sender.send(target, html)
        except Exception:  # a report that cannot be delivered must not kill the job's task
            log.warning("could not report to %s:%s", platform, target, exc_info=True)
