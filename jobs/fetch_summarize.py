"""Fetch, then summarize what is new: the one body behind the scheduled fetch job, the
pipeline (`digestbot pipeline`, the console's background run) and an admin's /fetch.

Each step reports one line. An unreachable arXiv is the fetch line (and fails the run) but
does not stop summarizing what is stored. The last line is the new papers' vectors for
personal relevance (`jobs.rank`), which never fails the run. No announcement (weekend,
holiday) with nothing to catch up says so and stops there: there is nothing new to summarize.
`jobs/on_demand.py` fetches and summarizes one paper for a reader, on its own path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.config import Settings
from domain.errors import DigestError
from jobs.fetch.job import FetchReport, run_fetch
from jobs.rank import index_line
from jobs.summarize.job import run_summarize
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetched:
    """Each step's line; `ok` False when the fetch failed or reported errors."""

    lines: list[str]
    ok: bool
    report: FetchReport | None = None  # None: arXiv could not be reached at all…
    error: DigestError | None = None  # …and why


async def fetch_then_summarize(
    settings: Settings,
    db: Database,
    *,
    since: date | None = None,
    until: date | None = None,
    ids: Sequence[str] = (),
    summarize: bool = True,
) -> Fetched:
    """Fetch (today's announcement, or the `since`/`until`/`ids` the CLI asks for), then
    summarize unless `summarize` is False or nothing new was announced."""
    try:
        report = await run_fetch(settings.arxiv, db, since=since, until=until, ids=ids)
    except DigestError as exc:  # arXiv down: still summarize what is stored
        log.warning("fetch failed: %s", exc)
        lines = [f"fetch: {exc.user_message}"]
        return Fetched(lines + await _summarize(settings, db, summarize), False, error=exc)
    lines = [f"fetch: {report.message}"]
    if report.no_announcement and report.caught_up is None:
        return Fetched(lines, ok=report.ok, report=report)
    lines += await _summarize(settings, db, summarize)
    return Fetched([*lines, await index_line(db, settings.llm)], report.ok, report)


async def _summarize(settings: Settings, db: Database, summarize: bool) -> list[str]:
    if not summarize:
        return []
    summarized = await run_summarize(settings.llm, db, reader=settings.reader)
    return [f"summarize: {summarized.message}"]
