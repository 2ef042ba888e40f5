"""Cron lines to APScheduler triggers: cron's weekday numbering, the default fetch time, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.config_report import BadSettings, load_settings
from core.cron import cron_trigger, cron_weekdays
from jobs.scheduler import next_runs, schedule_table
from tests.conftest import make_settings

NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def fires(expr: str, tz: ZoneInfo, start: datetime, count: int) -> list[datetime]:
    trigger = cron_trigger(expr, tz)
    times: list[datetime] = []
    now = start
    for _ in range(count):
        fire = trigger.get_next_fire_time(None, now)
        assert fire is not None
        times.append(fire)
        now = fire + timedelta(seconds=1)
    return times


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("sun-thu", "mon,tue,wed,thu,sun"),
        ("0-4", "mon,tue,wed,thu,sun"),  # cron: 0 is Sunday, not Monday
        ("1-5", "mon,tue,wed,thu,fri"),
        ("7", "sun"),
        ("0-7", "mon,tue,wed,thu,fri,sat,sun"),
        ("fri-mon", "mon,fri,sat,sun"),  # through the week's end
        ("*/2", "tue,thu,sat,sun"),  # cron days 0, 2, 4, 6
        ("1-5/2", "mon,wed,fri"),
        ("MON,wed", "mon,wed"),
        ("*", "*"),
    ],
)
def test_weekday_field_keeps_crons_meaning(field: str, expected: str) -> None:
    assert cron_weekdays(field) == expected


@pytest.mark.parametrize("expr", ["30 20 * *", "30 20 * * 8", "30 20 * * funday", "61 * * * *"])
def test_malformed_expressions_are_refused(expr: str) -> None:
    with pytest.raises(ValueError, match=r"30 20|61"):
        cron_trigger(expr, NEW_YORK)


def test_bad_setting_is_named_at_start() -> None:
    with pytest.raises(BadSettings) as bad:
        load_settings(lambda: make_settings(issue_cron="0 25 * * *"))
    assert bad.value.lines == [bad.value.lines[0]]
    assert bad.value.lines[0].startswith("ISSUE_CRON='0 25 * * *': expected")


def test_default_fetch_fires_sunday_to_thursday_evenings_in_new_york() -> None:
    settings = make_settings()
    start = datetime(2026, 11, 16, 12, tzinfo=UTC)  # Monday morning in New York
    times = fires(settings.fetch_cron, ZoneInfo(settings.fetch_timezone), start, 15)
    local = [t.astimezone(NEW_YORK) for t in times]
    assert {t.strftime("%a") for t in local} == {"Sun", "Mon", "Tue", "Wed", "Thu"}
    assert all((t.hour, t.minute) == (20, 30) for t in local)
    assert [t.day for t in local[:7]] == [16, 17, 18, 19, 22, 23, 24]  # skips Fri 20, Sat 21
    assert (local[-1] - local[0]).days < 21


def test_fetch_follows_new_york_across_the_dst_change() -> None:
    # 2026-03-08 (Sunday): New York moves from EST (UTC-5) to EDT (UTC-4) at 02:00.
    times = fires("30 20 * * sun-thu", NEW_YORK, datetime(2026, 3, 5, 12, tzinfo=UTC), 3)
    assert [t.astimezone(UTC) for t in times] == [
        datetime(2026, 3, 6, 1, 30, tzinfo=UTC),  # Thu 5th 20:30 EST
        datetime(2026, 3, 9, 0, 30, tzinfo=UTC),  # Sun 8th 20:30 EDT: an hour earlier in UTC
        datetime(2026, 3, 10, 0, 30, tzinfo=UTC),
    ]
    # ...and back on 2026-11-01.
    autumn = fires("30 20 * * sun-thu", NEW_YORK, datetime(2026, 10, 29, 12, tzinfo=UTC), 2)
    assert [t.utcoffset() for t in autumn] == [timedelta(hours=-4), timedelta(hours=-5)]


def test_compose_and_publish_use_timezone() -> None:
    settings = make_settings(timezone="Asia/Shanghai", issue_cron="0 9 * * *")
    now = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
    runs = {spec.name: fire for spec, fire in next_runs(settings.schedule, now=now)}
    assert runs["compose"] == datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)
    assert runs["publish"] == datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI)
    assert runs["fetch"] == datetime(2026, 11, 22, 20, 30, tzinfo=NEW_YORK)  # Fri 20th: Sun
    assert "auto_publish" not in runs


def test_schedule_table_lists_every_job_with_local_time() -> None:
    settings = make_settings(auto_publish_after="PT2H", digest_frequency="weekly")
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    lines = schedule_table(settings.schedule, now=now)
    assert [line.split()[0] for line in lines] == ["fetch", "compose", "publish", "auto_publish"]
    assert "2026-11-23 09:30 CST (Asia/Shanghai) = Sun 20:30 EST America/New_York" in lines[0]
    assert "compose weekly round-up" in lines[1]
    assert "every minute" in lines[3]
