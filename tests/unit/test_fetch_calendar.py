"""arXiv's announcement calendar over every 20 minutes of three weeks (DST change included),
and the missed-days window for many watermarks: the gap is found exactly when an announced
window before the latest one is missing, and never reaches past the bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.fetch.calendar import (
    CATCH_UP_LIMIT,
    announced_window,
    latest_announcement,
    missed_window,
)
from jobs.fetch.rss import ARXIV_TZ

START = datetime(2026, 10, 26, tzinfo=UTC)  # spans the 1 November 2026 DST change
MOMENTS = [START + timedelta(minutes=20 * n) for n in range(3 * 7 * 24 * 3)]


def _et(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ARXIV_TZ)


@pytest.mark.parametrize(
    ("now", "window"),
    [
        ("2026-11-23 21:00", ("2026-11-20 14:00", "2026-11-23 14:00")),  # Monday: the weekend
        ("2026-11-22 20:30", ("2026-11-19 14:00", "2026-11-20 14:00")),  # Sunday: Friday's
        ("2026-11-21 12:00", ("2026-11-18 14:00", "2026-11-19 14:00")),  # Saturday: Thursday's
        ("2026-11-19 19:59", ("2026-11-17 14:00", "2026-11-18 14:00")),  # before 20:00
        ("2026-11-19 20:00", ("2026-11-18 14:00", "2026-11-19 14:00")),  # at 20:00
    ],
)
def test_known_days(now: str, window: tuple[str, str]) -> None:
    assert announced_window(latest_announcement(_et(now))) == (_et(window[0]), _et(window[1]))


def test_calendar_invariants() -> None:
    for now in MOMENTS:
        _check_calendar(now)


def _check_calendar(now: datetime) -> None:
    latest = latest_announcement(now)
    local = latest.astimezone(ARXIV_TZ)
    assert latest <= now < latest + timedelta(days=3)
    assert local.weekday() in (6, 0, 1, 2, 3) and (local.hour, local.minute) == (20, 0)
    start, end = announced_window(latest)
    assert start < end <= latest
    for cut in (start, end):
        cut_local = cut.astimezone(ARXIV_TZ)
        assert cut_local.weekday() < 5 and (cut_local.hour, cut_local.minute) == (14, 0)
    # The previous announcement's window ends where this one starts: no gap, no overlap.
    previous = latest_announcement(latest - timedelta(minutes=1))
    assert announced_window(previous)[1] == start


def test_missed_window_for_many_watermarks() -> None:
    for now in MOMENTS[::7]:
        _check_gaps(now)


def _check_gaps(now: datetime) -> None:
    latest = latest_announcement(now)
    current_start, _ = announced_window(latest)
    previous_start = announced_window(latest_announcement(latest - timedelta(minutes=1)))[0]
    for hours in range(0, 24 * 20, 5):
        watermark = current_start + timedelta(hours=2) - timedelta(hours=hours)
        gap = missed_window(watermark, now)
        if watermark > previous_start:  # the day before the feed's was stored
            assert gap is None
            continue
        assert gap is not None
        assert gap == (max(watermark, now - CATCH_UP_LIMIT), current_start)
        assert gap[1] - gap[0] <= CATCH_UP_LIMIT
    assert missed_window(None, now) is None  # a fresh database has nothing to catch up
