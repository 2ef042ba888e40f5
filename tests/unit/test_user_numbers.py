"""Numbers typed by users are ASCII digits only, on every parser: `²`, `٣`, `１２` and thousands
of digits are refused with our own error, never accepted and never a crash in `int()`."""

from __future__ import annotations

import sys

import pytest

from bot.commands import admin_review, issues, registry
from bot.wechat.commands import issue_argument, route
from core import cron as crontab
from domain.errors import DigestError
from domain.issue_ref import IssueRef
from domain.numbers import bounded_int, is_ascii_digits
from domain.types import IssueKind

# Every character Python calls a digit, decimal or numeric that is not 0-9 (about 1,900).
NOT_ASCII = [
    chr(c)
    for c in range(sys.maxunicode + 1)
    if (chr(c).isdigit() or chr(c).isdecimal() or chr(c).isnumeric()) and not chr(c).isascii()
]
SHAPES = ("{c}", "1{c}", "{c}1", "{c}{c}", "#{c}", "第{c}期", "1{c}2")
TYPED = [shape.format(c=c) for c in NOT_ASCII for shape in SHAPES]
HUGE = ["9" * 5000, "1" + "0" * 4400, "0" * 5000 + "1", "0" * 4999 + "12", "1" * 20]


def test_there_are_many_such_characters() -> None:
    assert len(NOT_ASCII) > 1500 and {"²", "٣", "１", "൬", "Ⅻ", "〇"} <= set(NOT_ASCII)


def test_core_check_refuses_every_non_ascii_digit() -> None:
    for text in [*TYPED, " 1", "1 ", "1\n", "+1", "-1", "1_000", "", "1.0", "0x1"]:
        assert not is_ascii_digits(text), text
        assert bounded_int(text, 10**9) is None, text


def test_ascii_numbers_still_parse_with_bounds() -> None:
    for n in [*range(0, 1200), 999_999, 1_000_000, 10**9]:
        assert bounded_int(str(n), 10**9) == n
        assert bounded_int("000" + str(n), 10**9) == n
    assert bounded_int("1000001", 1_000_000) is None
    for text in HUGE:
        assert bounded_int(text, 1_000_000) in (None, 1, 12)


def test_issue_numbers_refused_with_the_usage_line() -> None:
    for text in TYPED + HUGE[:2] + ["0", "1000000"]:
        with pytest.raises(DigestError):
            issues.parse_ref(text)
        with pytest.raises(DigestError) as refused:
            admin_review.issue_ref(text, "/review")
        assert "/review" in refused.value.user_message
    assert (
        issues.parse_ref("第0012期").number == 12 and admin_review.issue_ref("#7", "/x").number == 7
    )
    assert admin_review.issue_ref("w3", "/x") == IssueRef(3, IssueKind.WEEKLY)


def test_button_numbers_refused_as_expired() -> None:
    for text in TYPED + HUGE[:2]:
        with pytest.raises(DigestError):
            registry._int((text,), 0)
        with pytest.raises(DigestError):
            admin_review._ints((text, "1", "1"), 3)
    assert registry._int(("12",), 0) == 12 and admin_review._ints(("3", "4"), 2) == [3, 4]


def test_cron_day_fields_refuse_other_scripts_digits() -> None:
    for c in NOT_ASCII:
        for field in (c, f"1-{c}", f"{c}-5", f"*/{c}", f"mon,{c}"):
            with pytest.raises(ValueError, match="not a"):
                crontab.cron_weekdays(field)
    assert crontab.cron_weekdays("1-5") == crontab.cron_weekdays("mon-fri")


def test_wechat_words_only_take_ascii_issue_numbers() -> None:
    for c in NOT_ASCII:
        assert route(f"第{c}期").name == "search"
        assert issue_argument(f"{c} 2") == (f"{c} 2", 1)
        assert issue_argument(f"1 {c}") == (f"1 {c}", 1)
    assert route("第12期 2").name == "issue" and route("第12期 2").argument == "12 2"


def test_editors_words_route_only_as_whole_words() -> None:
    assert (route("批准 12").name, route("批准 12").argument) == ("approve", "12")
    assert (route("批准12").name, route("批准12").argument) == ("approve", "12")
    assert (route("退回 3 跑题").name, route("退回 3 跑题").argument) == ("reject", "3 跑题")
    assert route("审核").name == "review" and route("发布 4").name == "publish"
    for search in ("发布会", "审核机制", "批准率 对齐", "退回策略"):
        assert (route(search).name, route(search).argument) == ("search", search)
