"""Cron expressions as operators write them, turned into APScheduler 3 triggers.

APScheduler 3 numbers weekdays from Monday = 0 where cron uses Sunday = 0 (or 7), and it refuses
a name range that passes its week's end: `sun-thu` is 6-3 to it. So the day-of-week field is
read with cron's meaning and handed over as an explicit list of day names (`sun,mon,…,thu`),
which both agree on; the other four fields pass through unchanged. One cron rule is not
copied: when both day-of-month and day-of-week are restricted, APScheduler wants both to match.

It lives in `core` because settings validation needs it: a line that parses but can never fire
("0 9 31 2 *", 31 February) is refused at start-up rather than silently scheduling nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from apscheduler.triggers.cron import CronTrigger

from domain.numbers import bounded_int

CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # index = cron's number
MONDAY_FIRST = (1, 2, 3, 4, 5, 6, 0)
SEARCH_START = datetime(2000, 1, 1, tzinfo=UTC)
SEARCH_YEARS = 400  # the Gregorian calendar repeats every 400 years: none within, never at all


def cron_trigger(expr: str, timezone: tzinfo) -> CronTrigger:
    """The trigger for a five-field crontab line in `timezone`; ValueError when malformed."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"{expr!r}: a cron expression has five fields, got {len(fields)}")
    try:
        fields[4] = cron_weekdays(fields[4])
        return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)
    except ValueError as exc:
        raise ValueError(f"{expr!r}: {exc}") from exc


def check_cron(expr: str) -> None:
    """ValueError when `expr` is malformed or names no date that exists (31 February)."""
    trigger = cron_trigger(expr, UTC)
    trigger.end_date = SEARCH_START.replace(year=SEARCH_START.year + SEARCH_YEARS)
    if trigger.get_next_fire_time(None, SEARCH_START) is None:
        raise ValueError(f"{expr!r} never fires: no such day in that month")


def cron_weekdays(field: str) -> str:
    """Cron's day-of-week field as APScheduler day names: `sun-thu` → `mon,tue,wed,thu,sun`."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        days |= _part_days(part)
    return ",".join(CRON_DAYS[day] for day in MONDAY_FIRST if day in days)


def _part_days(part: str) -> set[int]:
    body, slash, step_text = part.partition("/")
    step = _number(step_text, "step") if slash else 1
    if step < 1:
        raise ValueError(f"day-of-week step must be positive: {part!r}")
    if body == "*":
        first, last = 0, 6
    elif "-" in body:
        low, _, high = body.partition("-")
        first, last = _day(low), _day(high)
    else:
        first = _day(body)
        last = 6 if slash else first
    if last < first:  # a range through the week's end, e.g. fri-mon
        last += 7
    return {day % 7 for day in range(first, last + 1, step)}


def _day(token: str) -> int:
    """0-7 (0 and 7 are Sunday) or a day name; 7 stays 7 so `0-7` means the whole week."""
    if token in CRON_DAYS:
        return CRON_DAYS.index(token)
    value = _number(token, "day of week")
    if not 0 <= value <= 7:
        raise ValueError(f"day of week out of range 0-7: {token!r}")
    return value


def _number(text: str, what: str) -> int:
    value = bounded_int(text, 9999)
    if value is None:
        raise ValueError(f"not a {what}: {text!r}")
    return value
