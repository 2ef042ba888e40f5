"""A paper whose LLM summary keeps failing is retried across runs with doubling backoff, at most
`MAX_FAILURES` times, and keeps its extractive summary meanwhile; a success clears the count.
The provider is the fake OpenAI server answering errors or garbage over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.types import SummarySource
from jobs.summarize import run_summarize
from jobs.summarize.job import FIRST_BACKOFF, FLAG_LLM_FAILED, MAX_FAILURES
from storage.db import Database
from storage.queries.summary_failures import get_failure
from storage.types import utcnow
from tests.factories import make_paper
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_summarize_job import best, llm_settings, store

BAD_ANSWERS = ("500", "invalid_json", "truncated", "schema_violation")


async def _failures(db: Database, paper_id: int) -> tuple[int, object] | None:
    async with db.session() as session:
        row = await get_failure(session, paper_id=paper_id, language="zh")
    return None if row is None else (row.failures, row.next_attempt_at)


async def test_failing_paper_backs_off_then_gives_up(db: Database, fake_openai: FakeOpenAI) -> None:
    (paper_id,) = await store(db, make_paper(title="The paper the model chokes on"))
    fake_openai.default_step = "500"
    settings = llm_settings(fake_openai, llm_max_retries=0)
    start = utcnow()
    waits = [FIRST_BACKOFF * 2**n for n in range(MAX_FAILURES)]  # 1 h, 2 h, 4 h, …
    assert waits[:3] == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    at = start
    for attempt, wait in enumerate(waits, start=1):
        calls = fake_openai.calls
        report = await run_summarize(settings.llm, db, now=at)
        assert fake_openai.calls > calls and report.llm_ok == 0, attempt
        assert await _failures(db, paper_id) == (attempt, at + wait)
        early = await run_summarize(settings.llm, db, now=at + wait - timedelta(seconds=1))
        assert (early.papers, early.llm_calls) == (0, 0)  # not due yet: no call at all
        at += wait
    calls = fake_openai.calls
    for later in (at, at + timedelta(days=365)):
        spent = await run_summarize(settings.llm, db, now=later)
        assert (spent.papers, spent.llm_calls) == (0, 0)  # out of attempts: left alone
    assert fake_openai.calls == calls
    summary = (await best(db, [paper_id]))[paper_id]  # the fallback stays
    assert summary.source is SummarySource.EXTRACTIVE and summary.flags == (FLAG_LLM_FAILED,)


@pytest.mark.parametrize("answer", BAD_ANSWERS)
async def test_garbage_counts_as_a_failure_and_success_clears_it(
    sqlite_db: Database, fake_openai: FakeOpenAI, answer: str
) -> None:
    ids = await store(sqlite_db, *(make_paper(title=f"Paper {n}") for n in range(3)))
    fake_openai.default_step = answer
    settings = llm_settings(fake_openai, llm_max_retries=0)
    now = utcnow()
    report = await run_summarize(settings.llm, sqlite_db, now=now)
    assert (report.llm_ok, report.extractive) == (0, 3)
    for paper_id in ids:
        failures = await _failures(sqlite_db, paper_id)
        assert failures is not None and failures[0] == 1

    fake_openai.default_step = "ok"
    healed = await run_summarize(settings.llm, sqlite_db, now=now + FIRST_BACKOFF)
    assert healed.llm_ok == 3
    for paper_id in ids:
        assert await _failures(sqlite_db, paper_id) is None
        assert (await best(sqlite_db, [paper_id]))[paper_id].source is SummarySource.LLM


async def test_one_failing_paper_does_not_hold_back_the_others(
    sqlite_db: Database, fake_openai: FakeOpenAI
) -> None:
    (stuck,) = await store(sqlite_db, make_paper(title="Stuck"))
    settings = llm_settings(fake_openai, llm_max_retries=0)
    fake_openai.default_step = "invalid_json"
    now = utcnow()
    await run_summarize(settings.llm, sqlite_db, now=now)
    fake_openai.default_step = "ok"
    (fresh,) = await store(sqlite_db, make_paper(title="Fresh"))
    report = await run_summarize(settings.llm, sqlite_db, now=now + timedelta(minutes=5))
    assert (report.papers, report.llm_ok) == (1, 1)  # the new paper only
    assert (await best(sqlite_db, [fresh]))[fresh].source is SummarySource.LLM
    assert await _failures(sqlite_db, stuck) is not None
