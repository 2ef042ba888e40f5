"""Fetch → summarize → compose in one call: what the daily schedule and `digestbot pipeline` run.

Each step reports one line. A step that has nothing to do (weekend, nothing new) says so and the
next still runs on what is stored; an unreachable arXiv does not stop summarizing what we have.
"""

from __future__ import annotations

import logging

from core.config import Settings
from domain.errors import DigestError, NothingToDo
from jobs.compose import compose_issue
from jobs.fetch.job import run_fetch
from jobs.summarize.job import run_summarize
from storage.db import Database

log = logging.getLogger(__name__)


async def run_pipeline(settings: Settings, db: Database) -> list[str]:
    lines = [await _fetch_line(settings, db)]
    summarized = await run_summarize(settings.llm, db)
    lines.append(f"summarize: {summarized.message}")
    lines.append(await _compose_line(settings, db))
    return lines


async def _fetch_line(settings: Settings, db: Database) -> str:
    try:
        report = await run_fetch(settings.arxiv, db)
    except DigestError as exc:
        log.warning("fetch failed: %s", exc)
        return f"fetch: {exc.user_message}"
    return f"fetch: {report.message}"


async def _compose_line(settings: Settings, db: Database) -> str:
    try:
        issue = await compose_issue(settings.editorial, db)
    except NothingToDo as exc:
        return f"compose: {exc.user_message}"
    return f"compose: 第{issue.number}期 ({len(issue.items)} papers, draft) {issue.title}"
