"""Fetch → summarize → compose in one call: what `digestbot pipeline` and the console's
background run do (through `jobs.runs.run_job`, as the "pipeline" job).

Each step reports one line (`jobs.fetch_summarize` for the first two). Nothing to compose says
so; an unreachable arXiv does not stop summarizing and composing what we have.
"""

from __future__ import annotations

import logging

from core.config import Settings
from domain.errors import NothingToDo
from jobs.compose import compose_issue
from jobs.context import JobContext, JobOutcome, JobParams
from jobs.fetch_summarize import fetch_then_summarize
from storage.db import Database

log = logging.getLogger(__name__)


async def run_pipeline(settings: Settings, db: Database) -> list[str]:
    fetched = await fetch_then_summarize(settings, db)
    return [*fetched.lines, await _compose_line(settings, db)]


async def pipeline_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """The pipeline as a recorded run; a failed fetch is a line, not a failed run."""
    return JobOutcome("\n".join(await run_pipeline(ctx.settings, ctx.db)))


async def _compose_line(settings: Settings, db: Database) -> str:
    try:
        issue = await compose_issue(settings.editorial, db)
    except NothingToDo as exc:
        return f"compose: {exc.user_message}"
    return f"compose: 第{issue.number}期 ({len(issue.items)} papers, draft) {issue.title}"
