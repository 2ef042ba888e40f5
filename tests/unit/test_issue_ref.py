"""How people name an issue now that weekly round-ups are numbered apart: `12` a daily, `w3` /
`周报3` a weekly, on every front end; and WEEKLY_CRON, off when empty, checked like the others."""

from __future__ import annotations

import pytest

from bot.wechat.commands import route
from core.config_report import BadSettings, load_settings
from domain.issue_ref import IssueRef, parse_issue_ref
from domain.types import IssueKind
from jobs.scheduler import job_specs
from tests.conftest import make_settings

WEEKLY = IssueKind.WEEKLY


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", IssueRef(12)), ("第12期", IssueRef(12)), (" 7 ", IssueRef(7)),
        ("w3", IssueRef(3, WEEKLY)), ("W3", IssueRef(3, WEEKLY)), ("周报3", IssueRef(3, WEEKLY)),
        ("周报第3期", IssueRef(3, WEEKLY)), ("weekly 3", IssueRef(3, WEEKLY)),
    ],
)  # fmt: skip
def test_references_parse(typed: str, expected: IssueRef) -> None:
    assert parse_issue_ref(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "w", "w0", "0", "-3", "w-1", "３", "w３", "x3", "w3x", "9" * 40]
)
def test_anything_else_names_no_issue(typed: str) -> None:
    assert parse_issue_ref(typed) is None


def test_labels_and_tokens() -> None:
    weekly = IssueRef(3, WEEKLY)
    assert (weekly.token, weekly.label("zh"), weekly.label("en")) == ("w3", "周报第3期", "Weekly 3")
    assert (IssueRef(3).token, IssueRef(3).label("zh")) == ("3", "第3期")
    assert parse_issue_ref(weekly.token) == weekly


def test_wechat_words_reach_the_weekly() -> None:
    assert route("周报3") == route("周报 第3期") == route("/issue w3")
    assert route("周报3").argument == "w3" and route("第3期").argument == "3"


def test_weekly_cron_is_off_when_empty_and_checked_when_set() -> None:
    names = [spec.name for spec in job_specs(make_settings().schedule)]
    assert "weekly" not in names
    on = make_settings(weekly_cron="0 10 * * sun").schedule
    (spec,) = [spec for spec in job_specs(on) if spec.name == "weekly"]
    assert spec.rule == "0 10 * * sun"
    with pytest.raises(BadSettings) as bad:
        load_settings(lambda: make_settings(weekly_cron="61 * * * *"))
    assert bad.value.lines[0].startswith("WEEKLY_CRON='61 * * * *': expected")
