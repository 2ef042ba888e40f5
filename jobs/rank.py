"""Keeping personal relevance current: paper vectors after each fetch, and the on-demand
`rank_index` / `rank_refresh` jobs (`digestbot rank index|refresh`).

Vectors are what "for you", `/similar` and `like:` subscriptions read; each is computed once
per paper (`core.services.ranking.index_papers`, incremental and idempotent), so indexing
after every fetch costs the day's new papers only, and the first run after an upgrade
backfills the archive in batches. A failure to index is a line in the run's report, never a
failed fetch: the next run picks the papers up again. `rank_refresh` retrains the models
left behind their readers' feedback (a training that failed when they voted).
"""

from __future__ import annotations

import logging

from core.services import ranking
from jobs.context import JobContext, JobOutcome, JobParams, describe_error
from storage.db import Database

log = logging.getLogger(__name__)


async def index_line(db: Database) -> str:
    """Vectorize the papers that have none yet; the report's line (failures included)."""
    try:
        added = await ranking.index_papers(db)
    except Exception as exc:  # the fetch itself succeeded: say so and let the next run retry
        log.warning("indexing paper vectors failed: %s", describe_error(exc))
        return f"rank: indexing failed ({describe_error(exc)})"
    return f"rank: {added} new paper vector{'' if added == 1 else 's'}"


async def rank_index_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """`digestbot rank index`: vectors for every paper that lacks one (a backfill at first)."""
    added = await ranking.index_papers(ctx.db)
    return JobOutcome(f"rank: {added} new paper vector{'' if added == 1 else 's'}", value=added)


async def rank_refresh_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """`digestbot rank refresh`: retrain every model behind its reader's feedback."""
    added = await ranking.index_papers(ctx.db)
    retrained = await ranking.refresh_models(ctx.db)
    summary = f"rank: {added} new paper vectors, {retrained} reader models retrained"
    return JobOutcome(summary, value=retrained)
