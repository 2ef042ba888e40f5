"""Run the demo: store the sample, summarize (LLM if configured, else recorded), compose, return."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.services.issues import latest_issue
from domain.errors import NothingToDo
from domain.types import IssueView, SummarySource
from jobs.compose import compose_issue
from jobs.demo.sample import RECORDED_MODEL, RECORDED_PROMPT, load_sample, recorded_summary, to_meta
from jobs.summarize.job import run_summarize
from storage.db import Database
from storage.queries.papers import upsert_papers
from storage.queries.summaries import save_summary
from storage.types import utcnow


async def run_demo(settings: Settings, db: Database) -> tuple[IssueView, list[str]]:
    records = load_sample()
    today = utcnow().astimezone(settings.tz).date()
    async with db.session() as session:
        stored = await upsert_papers(session, papers=[to_meta(r, today) for r in records])
        recorded = not settings.llm.enabled and settings.digest_language == "zh"
        if recorded:
            await _store_recorded(session, records, stored.paper_ids)
    lines = [f"demo: stored {len(records)} sample papers ({stored.inserted} new)"]
    if recorded:
        lines.append(
            "summarize: recorded LLM summaries from the seed (set OPENAI_API_KEY to go live)"
        )
    else:
        report = await run_summarize(settings.llm, db, paper_ids=stored.paper_ids)
        lines.append(f"summarize: {report.message}")
    issue = await _compose_or_latest(settings, db)
    lines.append(f"compose: 第{issue.number}期 with {len(issue.included_items)} papers")
    return issue, lines


async def _compose_or_latest(settings: Settings, db: Database) -> IssueView:
    """A second demo run finds nothing new: show the issue the first run made."""
    try:
        return await compose_issue(settings.editorial, db)
    except NothingToDo:
        return await latest_issue(db, language=settings.digest_language)


async def _store_recorded(
    session: AsyncSession, records: list[dict[str, Any]], paper_ids: list[int]
) -> None:
    for record, paper_id in zip(records, paper_ids, strict=True):
        await save_summary(
            session,
            paper_id=paper_id,
            paper_version=1,
            language="zh",
            model=RECORDED_MODEL,
            prompt_version=RECORDED_PROMPT,
            source=SummarySource.LLM,
            content=recorded_summary(record),
        )
