"""Compose and fetch as scheduled jobs on both databases: weekly round-ups, notices, weekends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.content import words
from domain.errors import NothingToDo
from domain.types import SummaryContent
from jobs.compose import compose_issue
from jobs.runs import run_job
from jobs.weekly import AlreadyComposed, compose_weekly
from storage.db import Database
from tests.factories import make_paper, store_paper
from tests.fakes.arxiv_feeds import Announced, make_papers
from tests.fakes.arxiv_server import FakeArxiv, utc
from tests.integration.schedule_helpers import (
    NOW,
    Recorder,
    add_papers,
    context,
    issue_row,
    job_rows,
    set_status,
)

WEEK = (date(2026, 11, 16), date(2026, 11, 22))  # NOW is Sunday the 22nd in Shanghai


async def test_weekly_round_up_takes_the_weeks_best(db: Database) -> None:
    await add_papers(db, 2, day=date(2026, 11, 15), ratings=[5, 5], prefix="Old")  # last week
    await add_papers(db, 3, day=date(2026, 11, 16), ratings=[2, 5, 3], prefix="Mon")
    await add_papers(db, 2, day=date(2026, 11, 20), ratings=[4, 1], prefix="Fri")
    settings = context(db, digest_frequency="weekly").settings  # no dailies: the week's papers

    issue = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)

    assert (issue.period_start, issue.period_end) == WEEK
    assert [item.paper.meta.title.split(":")[0] for item in issue.items] == [
        "Mon1",
        "Fri0",
        "Mon2",
        "Mon0",
        "Fri1",
    ]  # fmt: skip: the top 5
    assert issue.title == "【极速前进】20261116-20261122: Mon1、Fri0、Mon2、Mon0、Fri1"
    assert issue.number == 1 and issue.status.value == "draft" and issue.kind.value == "weekly"


async def test_weekly_round_up_in_english_repeats_papers_of_daily_issues(db: Database) -> None:
    await add_papers(db, 2, day=date(2026, 11, 18), prefix="Wed")  # zh only: not in English
    settings = context(db, digest_language="en").settings
    await add_papers_en(db)
    daily = await compose_issue(settings.editorial, db, now=NOW - timedelta(days=3))
    await set_status(db, daily.number, "published")  # the round-up takes published dailies
    weekly = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    assert weekly.title == "[Fast Forward] 20261116-20261122: Thu0"
    assert {i.paper.id for i in weekly.items} == {i.paper.id for i in daily.items}
    assert (daily.number, weekly.number) == (1, 1)  # numbered apart


async def add_papers_en(db: Database) -> None:
    async with db.session() as session:
        meta = make_paper(title="Thu0: english", announced_on=date(2026, 11, 19))
        await store_paper(session, meta, SummaryContent(title_translated="", tldr="x", rating=5),
                          language="en")  # fmt: skip


async def test_weekly_composes_at_most_once_a_week(db: Database) -> None:
    await add_papers(db, 2, day=date(2026, 11, 20))
    settings = context(db, digest_frequency="weekly").settings
    editorial, llm = settings.editorial, settings.llm
    first = await compose_weekly(editorial, llm, db, now=NOW)

    await add_papers(db, 1, day=date(2026, 11, 23))
    for days in (1, 6):  # Monday .. Saturday: still this round-up's week
        with pytest.raises(AlreadyComposed, match=f"Weekly {first.number}"):
            await compose_weekly(editorial, llm, db, now=NOW + timedelta(days=days))

    await set_status(db, first.number, "rejected")  # a rejected round-up does not count
    again = await compose_weekly(editorial, llm, db, now=NOW + timedelta(days=1))
    assert (again.number, again.period_end) == (2, date(2026, 11, 23))

    await add_papers(db, 1, day=date(2026, 11, 30))
    nxt = await compose_weekly(editorial, llm, db, now=NOW + timedelta(days=8))
    assert (nxt.period_start, nxt.period_end) == (date(2026, 11, 24), date(2026, 11, 30))


async def test_week_without_papers_is_nothing_to_do_not_already_composed(db: Database) -> None:
    await add_papers(db, 2, day=date(2026, 11, 1))
    settings = context(db, digest_frequency="weekly").settings
    with pytest.raises(NothingToDo) as caught:
        await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    assert not isinstance(caught.value, AlreadyComposed)
    assert "No summarized papers from 2026-11-16 to 2026-11-22" in caught.value.user_message


async def test_compose_job_asks_admins_to_review(db: Database) -> None:
    await add_papers(db, 3)
    recorder = Recorder()
    result = await run_job("compose", context(db, recorder, auto_publish_after="PT2H"))
    issue = await issue_row(db, 1)
    assert issue.created_at == NOW
    assert recorder.notices == [
        f"📝 Draft <b>第1期</b> awaits review (3 papers): <i>{issue.title}</i>\n/review 1\n"
        "Untouched, it is published automatically in 2h."
    ]
    assert result.summary == f"compose: 第1期 (3 papers, draft) {issue.title}"


async def test_compose_job_with_nothing_new_tells_admins_and_makes_no_issue(db: Database) -> None:
    recorder = Recorder()
    result = await run_job("compose", context(db, recorder))
    assert result.status == "ok"
    assert recorder.notices == ["📭 Nothing to compose: 还没有已摘要的论文可以组刊。"]


async def test_weekly_compose_job_is_quiet_on_the_other_days(db: Database) -> None:
    await add_papers(db, 2, day=date(2026, 11, 20))
    recorder = Recorder()
    first = await run_job("compose", context(db, recorder, digest_frequency="weekly"))
    assert "/review w1" in words(first.notice or ())
    later = context(db, recorder, digest_frequency="weekly", clock=lambda: NOW + timedelta(1))
    second = await run_job("compose", later)
    assert second.status == "ok" and second.notice is None
    assert len(recorder.notices) == 1
    assert "周报已经组好" in (await job_rows(db))[-1].summary  # type: ignore[operator]


async def test_fetch_job_on_a_weekend_says_so_and_stops(db: Database, fake_arxiv: FakeArxiv):
    fake_arxiv.announce_nothing(on=date(2026, 11, 21))
    recorder = Recorder()
    ctx = context(db, recorder, **fake_arxiv.settings_overrides(arxiv_categories="cs.CL"))
    result = await run_job("fetch", ctx)
    assert result.summary == "fetch: no new papers announced today (weekend or holiday)"
    assert recorder.notices == ["📥 fetch: no new papers announced today (weekend or holiday)"]
    assert [r.status for r in await job_rows(db)] == ["ok"]


async def test_fetch_job_fetches_then_summarizes(db: Database, fake_arxiv: FakeArxiv) -> None:
    papers = make_papers(3, start=utc(2026, 11, 19, 12), categories=("cs.CL",))
    fake_arxiv.announce([Announced(p, "new") for p in papers], on=date(2026, 11, 20))
    recorder = Recorder()
    ctx = context(db, recorder, **fake_arxiv.settings_overrides(arxiv_categories="cs.CL"))
    result = await run_job("fetch", ctx)
    lines = result.summary.splitlines()
    assert lines[0] == "fetch: fetched 3 papers announced 2026-11-20 (3 new, 0 updated)"
    assert lines[1].startswith("summarize: Summarized 3 papers (zh, extractive)")
    assert lines[2] == "rank: 3 new paper vectors"  # the day's papers, ready for "for you"
    assert result.status == "ok" and len(recorder.notices) == 1
