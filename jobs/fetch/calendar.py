"""arXiv's announcement calendar, and the announcement days a process that was down missed.

arXiv announces Sunday to Thursday at 20:00 America/New_York; an announcement lists what was
submitted between two cut-offs (14:00 ET, Monday to Friday): Monday's covers Friday 14:00 to
Monday 14:00, Sunday's Thursday 14:00 to Friday 14:00. The RSS feed shows only the latest
announcement, so days announced while the process was down are only reachable through the API
date window. `missed_window` finds that gap from the fetch watermark (the latest submission
stored): if the window announced before the latest one is not stored, everything from the
watermark to the latest window's start is fetched — at most `CATCH_UP_LIMIT` back (older gaps
are an operator's `digestbot fetch --since`). Holidays are not modelled: on the day after one,
the gap may reach into the window the feed also announces, which costs a few duplicate
(idempotent) upserts, never a missed paper.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from jobs.fetch.rss import ARXIV_TZ

ANNOUNCE_AT = time(20, 0)
ANNOUNCE_DAYS = frozenset({6, 0, 1, 2, 3})  # Sunday–Thursday (Monday is 0)
CUTOFF_AT = time(14, 0)
CUTOFF_DAYS = frozenset({0, 1, 2, 3, 4})  # Monday–Friday
CATCH_UP_LIMIT = timedelta(days=14)


def _latest(moment: datetime, at: time, days: frozenset[int], *, strictly: bool) -> datetime:
    """The latest local `at` on one of `days` at or before (strictly: before) `moment`."""
    local = moment.astimezone(ARXIV_TZ)
    for back in range(8):
        day = local.date() - timedelta(days=back)
        candidate = datetime.combine(day, at, tzinfo=ARXIV_TZ)
        before = candidate < local if strictly else candidate <= local
        if day.weekday() in days and before:
            return candidate
    raise AssertionError("every week has announcement and cut-off days")


def latest_announcement(now: datetime) -> datetime:
    return _latest(now, ANNOUNCE_AT, ANNOUNCE_DAYS, strictly=False)


def announced_window(announcement: datetime) -> tuple[datetime, datetime]:
    """The submissions an announcement lists: (previous cut-off, its cut-off]."""
    end = _latest(announcement, CUTOFF_AT, CUTOFF_DAYS, strictly=False)
    return _latest(end, CUTOFF_AT, CUTOFF_DAYS, strictly=True), end


def missed_window(watermark: datetime | None, now: datetime) -> tuple[datetime, datetime] | None:
    """The API window to fetch for days announced while down, or None when nothing is missing.

    Nothing is missing when the window announced before the latest one was stored (the
    watermark lies inside or after it); the latest one itself is the feed's. Without a
    watermark (a fresh database) there is no "since" to catch up from."""
    if watermark is None:
        return None
    current_start, _ = announced_window(latest_announcement(now))
    previous_start = _latest(current_start, CUTOFF_AT, CUTOFF_DAYS, strictly=True)
    if watermark > previous_start:
        return None
    start = max(watermark, now - CATCH_UP_LIMIT)
    return (start, current_start) if start < current_start else None
