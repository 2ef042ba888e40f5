"""The admins' notices and the weekly round-up's title and week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.render.content import telegram_html
from domain.guard_flags import NUMBER, GuardFlag
from domain.types import (
    IssueItemView,
    IssueStatus,
    IssueView,
    PaperView,
    StoredSummary,
    SummaryContent,
    SummarySource,
)
from jobs import notices
from jobs.weekly import week_of, weekly_title
from tests.conftest import make_settings
from tests.factories import make_paper


def _paper(title: str, n: int = 1, flags: tuple[str, ...] = ()) -> PaperView:
    summary = StoredSummary(
        id=n, paper_id=n, language="zh", model="m", prompt_version="p", source=SummarySource.LLM,
        content=SummaryContent(title_translated="", tldr="x", rating=4), flags=flags,
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )  # fmt: skip
    return PaperView(id=n, meta=make_paper(title=title), summary=summary)


def _issue(title: str, flags: tuple[str, ...] = ()) -> IssueView:
    items = tuple(
        IssueItemView(position=i, included=i != 3, paper=_paper(f"P{i}: x", i, flags))
        for i in (1, 2, 3)
    )
    day = date(2026, 11, 20)
    return IssueView(
        id=1, number=12, title=title, language="zh", status=IssueStatus.DRAFT,
        period_start=day, period_end=day, created_at=datetime(2026, 11, 20, tzinfo=UTC),
        items=items,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("delay", "text"),
    [
        (timedelta(hours=2), "2h"),
        (timedelta(minutes=90), "90min"),
        (timedelta(days=1, hours=2), "1d 2h"),
        (timedelta(days=2), "2d"),
        (timedelta(seconds=45), "45s"),
        (timedelta(seconds=61), "61s"),
    ],
)
def test_human_delay(delay: timedelta, text: str) -> None:
    assert notices.human_delay(delay) == text


def test_draft_notice_names_the_issue_and_the_review_command() -> None:
    settings = make_settings(auto_publish_after="7200")
    text = telegram_html(
        notices.draft_ready(_issue("【第12期】20261120: A<B & C"), settings.editorial)
    )
    assert text.splitlines() == [
        "📝 Draft <b>第12期</b> awaits review (2 papers): "
        "<i>【第12期】20261120: A&lt;B &amp; C</i>",
        "/review 12",
        "Untouched, it is published automatically in 2h.",
    ]


def test_draft_notice_without_approval_says_when_it_goes_out() -> None:
    text = telegram_html(
        notices.draft_ready(_issue("t"), make_settings(require_approval=False).editorial)
    )
    assert text.endswith("REQUIRE_APPROVAL is off: it goes out at the next publish run.")


@pytest.mark.parametrize(
    ("settings", "ending"),
    [
        ({"auto_publish_after": "7200"}, "auto-publish waits for you (AUTO_PUBLISH_FLAGGED=hold)."),
        (
            {"auto_publish_after": "7200", "auto_publish_flagged": "drop"},
            "auto-publish leaves them out (AUTO_PUBLISH_FLAGGED=drop).",
        ),
        ({}, "/review shows what."),
    ],
)
def test_draft_notice_names_flagged_papers_and_what_auto_publish_does(
    settings: dict[str, str], ending: str
) -> None:
    flags = (GuardFlag(NUMBER, "tldr", "15%").encode(),)
    text = telegram_html(
        notices.draft_ready(_issue("t", flags), make_settings(**settings).editorial)
    )
    assert text.splitlines()[-1] == f"⚠️ Papers 1, 2 flagged by the summary guards: {ending}"


def test_plain_flags_are_not_named_in_the_draft_notice() -> None:
    text = telegram_html(
        notices.draft_ready(_issue("t", ("llm_failed",)), make_settings().editorial)
    )
    assert "⚠️" not in text


def test_auto_published_notice() -> None:
    text = telegram_html(notices.auto_published(7, timedelta(hours=2), "sent 3/3 <ok>"))
    assert text == (
        "🤖 <b>第7期</b> was published automatically after 2h without review. sent 3/3 &lt;ok&gt;"
    )


def test_weekly_title_like_the_seed() -> None:
    papers = [_paper("TR-DPO: trust region", 1), _paper("LaCo: layer collapse", 2)]
    first, last = date(2026, 11, 16), date(2026, 11, 22)
    assert weekly_title(first, last, papers, "zh") == "【极速前进】20261116-20261122: TR-DPO、LaCo"
    expected_en = "[Fast Forward] 20261116-20261122: TR-DPO, LaCo"
    assert weekly_title(first, last, papers, "en") == expected_en
    assert weekly_title(first, last, [], "zh") == "【极速前进】20261116-20261122"


def test_week_is_the_seven_days_ending_today_in_timezone() -> None:
    late_saturday_utc = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)  # Sunday 01:00 in Shanghai
    assert week_of(late_saturday_utc, ZoneInfo("Asia/Shanghai")) == (
        date(2026, 11, 16),
        date(2026, 11, 22),
    )
    assert week_of(late_saturday_utc, ZoneInfo("UTC")) == (date(2026, 11, 15), date(2026, 11, 21))
