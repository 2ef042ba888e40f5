"""The fetch job: today's announcement (RSS → API), a backfill window, or specific ids.

Every run is recorded in `fetch_runs`. Papers and the watermark they justify are committed in
one transaction per batch, so a failure mid-fetch leaves the watermark at the last stored batch
and re-running is harmless (papers upsert by id; the newest version wins).

The feed shows only the latest announcement, so every daily fetch also catches up days announced
while the process was down (`jobs.fetch.calendar.missed_window`): the API date window from the
watermark, bounded and paced like every arXiv call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from core import metrics
from core.config_groups import ArxivSettings
from domain.arxiv_ids import ArxivId, parse_arxiv_ids
from domain.errors import InvalidInput
from domain.types import PaperMeta
from jobs.fetch.api import ID_BATCH, ArxivClient, describe, window_pages
from jobs.fetch.calendar import CATCH_UP_LIMIT, missed_window
from jobs.fetch.report import FetchMode, FetchReport, FetchStatus
from jobs.fetch.resolve import UPSTREAM_ERRORS, convert_all, resolve_ids
from jobs.fetch.rss import Announcement, fetch_announcement
from storage.db import Database
from storage.queries import fetch_runs
from storage.queries.papers import upsert_papers
from storage.types import utcnow

log = logging.getLogger(__name__)

FALLBACK_LOOKBACK = timedelta(days=3)  # window start when no run has stored anything yet
_RSS_ERRORS = (httpx.HTTPError, ValueError)


async def run_fetch(
    arxiv: ArxivSettings,
    db: Database,
    *,
    since: date | None = None,
    until: date | None = None,
    ids: Sequence[str] = (),
    now: datetime | None = None,
) -> FetchReport:
    """Fetch and store papers; returns what happened (never raises for arXiv failures).

    Default: today's RSS announcement resolved through the API, falling back to the API date
    window from the last watermark when the feed fails. `since`/`until` (dates in
    `TIMEZONE`, inclusive): backfill that window. `ids`: those papers. Malformed ids or an
    `until` without `since` raise `InvalidInput` before any request is made. `now` (default:
    the clock) decides which announcement days count as missed.
    """
    if ids:
        return await _fetch_ids(arxiv, db, parse_arxiv_ids(list(ids)))
    if since is not None:
        start, end = backfill_window(arxiv, since, until)
        return await _fetch_window(arxiv, db, FetchReport("api"), start, end)
    if until is not None:
        raise InvalidInput("An end date needs a start date (--since).")
    async with db.session() as session:
        watermark = await fetch_runs.last_watermark(session)
    report = await _fetch_today(arxiv, db)
    gap = None if report.fell_back else missed_window(watermark, now or utcnow())
    if gap is not None:  # the fallback's window already started at the watermark
        start, end = (moment.astimezone(UTC) for moment in gap)
        log.info("catching up announcements missed while down: %s to %s", start, end)
        report.caught_up = await _fetch_window(arxiv, db, FetchReport("api"), start, end)
    return report


def backfill_window(
    arxiv: ArxivSettings, since: date, until: date | None
) -> tuple[datetime, datetime]:
    """Local midnight of `since` to the end of `until` (default: now), as UTC datetimes."""
    now = utcnow()
    start = datetime.combine(since, time(), tzinfo=arxiv.timezone)
    end = (
        now
        if until is None
        else datetime.combine(until + timedelta(days=1), time(), arxiv.timezone)
    )
    end = min(end, now)
    if start >= end:
        raise InvalidInput(f"Nothing to fetch between {since} and {until or 'now'}.")
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


async def _start(db: Database, arxiv: ArxivSettings, report: FetchReport, **window: Any) -> None:
    async with db.session() as session:
        report.run_id = await fetch_runs.start_run(
            session, mode=report.mode, categories=arxiv.categories, **window
        )


async def _store(
    db: Database,
    report: FetchReport,
    papers: Sequence[PaperMeta],
    *,
    seen: int,
    skipped: int = 0,
    watermark: datetime | None = None,
) -> None:
    """One transaction: the batch's papers, its counts and (if given) the new watermark."""
    assert report.run_id is not None
    async with db.session() as session:
        result = await upsert_papers(session, papers=papers)
        await fetch_runs.record_batch(
            session,
            run_id=report.run_id,
            seen=seen,
            inserted=result.inserted,
            updated=result.updated,
            skipped=skipped,
            watermark=watermark,
        )
    report.add(result)
    report.seen += seen
    report.skipped += skipped
    if watermark is not None and (report.watermark is None or watermark > report.watermark):
        report.watermark = watermark


async def _finish(
    db: Database, report: FetchReport, status: FetchStatus, *errors: str
) -> FetchReport:
    report.status = status
    report.errors.extend(errors)
    if report.run_id is not None:
        async with db.session() as session:
            await fetch_runs.finish_run(
                session,
                run_id=report.run_id,
                status=status,
                errors=errors,
                announced_on=report.announced_on,
                window_start=report.window_start,
                window_end=report.window_end,
            )
    metrics.record_fetch(report.mode, status, inserted=report.inserted, updated=report.updated,
                         unchanged=report.unchanged)  # fmt: skip
    log_at = logging.WARNING if status == "failed" else logging.INFO
    log.log(log_at, "fetch (%s): %s", report.mode, report.message)
    return report


async def _guarded(
    db: Database, report: FetchReport, work: Awaitable[list[str] | None]
) -> FetchReport:
    """Run `work` (which may return notes for the run's errors); arXiv failures end the run as
    failed, anything else (a bug, the database) is recorded as failed and raised."""
    try:
        notes = await work
    except UPSTREAM_ERRORS as error:
        return await _finish(db, report, "failed", describe(error))
    except BaseException as error:
        with contextlib.suppress(Exception):
            await asyncio.shield(_finish(db, report, "failed", f"internal error: {error!r}"))
        raise
    return await _finish(db, report, "ok", *(notes or []))


async def _fetch_today(arxiv: ArxivSettings, db: Database) -> FetchReport:
    report = FetchReport("rss")
    await _start(db, arxiv, report)
    try:
        announcement = await fetch_announcement(arxiv)
    except _RSS_ERRORS as error:
        await _finish(db, report, "failed", f"RSS feed failed: {_describe_rss(error)}")
        return await _fallback(arxiv, db, report.errors)
    report.announced_on = announcement.announced_on
    if not announcement.papers:
        report.no_announcement = announcement.is_empty
        report.skipped = announcement.ignored
        return await _finish(db, report, "empty")
    return await _guarded(db, report, _store_announcement(arxiv, db, report, announcement))


async def _store_announcement(
    arxiv: ArxivSettings, db: Database, report: FetchReport, announcement: Announcement
) -> list[str] | None:
    """Resolve the announced ids in batches; the watermark moves only with the last batch."""
    announced = {item.arxiv_id.arxiv_id: item for item in announcement.papers}
    wanted = [ArxivId(arxiv_id) for arxiv_id in announced]  # no version: the latest
    batches = [wanted[i : i + ID_BATCH] for i in range(0, len(wanted), ID_BATCH)]
    latest: datetime | None = None
    client = ArxivClient(arxiv)
    try:
        for number, batch in enumerate(batches, start=1):
            converted = await resolve_ids(client, batch)
            papers = [_announced(p, announced, announcement.announced_on) for p in converted.papers]
            for paper in papers:
                latest = paper.published_at if latest is None else max(latest, paper.published_at)
            skipped = (len(batch) - len(papers)) + (announcement.ignored if number == 1 else 0)
            is_last = number == len(batches)
            await _store(
                db,
                report,
                papers,
                seen=len(batch),
                skipped=skipped,
                watermark=latest if is_last else None,
            )
    finally:
        client.close()
    return None


def _announced(paper: PaperMeta, announced: dict[str, Any], on: date | None) -> PaperMeta:
    return replace(paper, announced_on=on, announce_type=announced[paper.arxiv_id].announce_type)


def _describe_rss(error: BaseException) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.HTTPError):
        return f"network error ({type(error).__name__})"
    return str(error)


async def _fallback(arxiv: ArxivSettings, db: Database, errors: list[str]) -> FetchReport:
    """The feed failed: fetch the API date window from the last watermark to now."""
    async with db.session() as session:
        watermark = await fetch_runs.last_watermark(session)
    end = utcnow()
    start = max(watermark or end - FALLBACK_LOOKBACK, end - CATCH_UP_LIMIT)
    report = FetchReport("api", fell_back=True, errors=list(errors))
    return await _fetch_window(arxiv, db, report, start, end)


async def _fetch_window(
    arxiv: ArxivSettings, db: Database, report: FetchReport, start: datetime, end: datetime
) -> FetchReport:
    report.window_start, report.window_end = start, end
    await _start(db, arxiv, report, window_start=start, window_end=end)
    return await _guarded(db, report, _store_window(arxiv, db, report, start, end))


async def _store_window(
    arxiv: ArxivSettings, db: Database, report: FetchReport, start: datetime, end: datetime
) -> list[str] | None:
    """Page by page, oldest first: each page and its watermark commit together."""
    client = ArxivClient(arxiv)
    pages = window_pages(client, arxiv.categories, start, end)
    try:
        while page := await asyncio.to_thread(next, pages, None):
            converted = convert_all(page)
            watermark = max(result.published for result in page)
            await _store(
                db,
                report,
                converted.papers,
                seen=len(page),
                skipped=converted.unusable,
                watermark=watermark,
            )
    finally:
        with contextlib.suppress(ValueError):  # still running in a cancelled worker thread
            pages.close()
        client.close()
    return None


async def _fetch_ids(arxiv: ArxivSettings, db: Database, wanted: list[ArxivId]) -> FetchReport:
    report = FetchReport("ids")
    await _start(db, arxiv, report)
    return await _guarded(db, report, _store_ids(arxiv, db, report, wanted))


async def _store_ids(
    arxiv: ArxivSettings, db: Database, report: FetchReport, wanted: list[ArxivId]
) -> list[str] | None:
    """Ids are a lookup, not a window: they never move the watermark."""
    client = ArxivClient(arxiv)
    try:
        converted = await resolve_ids(client, wanted)
    finally:
        client.close()
    found = {paper.arxiv_id for paper in converted.papers}
    missing = [str(item) for item in wanted if item.arxiv_id not in found]
    await _store(db, report, converted.papers, seen=len(wanted), skipped=len(missing))
    return [f"not found on arXiv: {', '.join(missing)}"] if missing else None


__all__ = ["FetchMode", "FetchReport", "backfill_window", "run_fetch"]
