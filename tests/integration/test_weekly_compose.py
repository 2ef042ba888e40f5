"""The weekly round-up on both databases: its own numbering, the week's top 5 from published
dailies, one per week even when composers race, the LLM's entries under the guards."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.services import review
from domain.errors import NothingToDo
from domain.types import IssueKind, IssueStatus
from jobs.context import JobContext
from jobs.runs import run_job
from jobs.weekly import AlreadyComposed, compose_weekly
from storage.db import Database
from storage.models import AuditLog, Issue, SummarizeRun
from storage.queries.issues import get_issue_view, list_issues, next_issue_number
from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.weekly_helpers import NOW, published_week, vote


def _settings(db: Database, **overrides: object):  # type: ignore[no-untyped-def]
    return make_settings(database_url=db.url, **overrides)


async def test_weekly_numbering_is_its_own(db: Database) -> None:
    await published_week(db, [4, 3])
    await published_week(db, [2])
    settings = _settings(db)
    weekly = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    assert (weekly.kind, weekly.number) == (IssueKind.WEEKLY, 1)
    async with db.session() as s:
        assert await next_issue_number(s) == 3  # dailies go on from 2
        assert await next_issue_number(s, kind=IssueKind.WEEKLY) == 2
        daily_1 = await get_issue_view(s, number=1)
        listed = await list_issues(s, offset=0, limit=10)
    assert daily_1 is not None and daily_1.kind is IssueKind.DAILY and daily_1.id != weekly.id
    assert sorted((i.kind.value, i.number) for i in listed.items) == [
        ("daily", 1), ("daily", 2), ("weekly", 1)
    ]  # fmt: skip


async def test_top_five_by_rating_then_readers(db: Database) -> None:
    ids = await published_week(db, [3, 5, 3, 4, 3, 2, None])
    await vote(db, ids[4], 2)  # ties at 3 stars: more readers' 👍 first
    await vote(db, ids[2], 1)
    await published_week(db, [5], status=IssueStatus.DRAFT)  # not published: not in the week
    settings = _settings(db)
    weekly = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    assert [item.paper.id for item in weekly.items] == [ids[1], ids[3], ids[4], ids[2], ids[0]]
    assert weekly.title == (
        "【极速前进】20261116-20261122: 压缩与智能的线性关系、多样本上下文学习、合成数据综述、"
        "模拟伪代码执行、信任域偏好优化"
    )
    assert weekly.status is IssueStatus.DRAFT and weekly.period_end == NOW.date()
    for item in weekly.items:  # no LLM key: extractive, the summary's Chinese TL;DR as heading
        assert item.heading == item.paper.summary.content.tldr  # type: ignore[union-attr]
        assert item.explanation and "%" in item.explanation


async def test_once_a_week_and_nothing_published_says_so(db: Database) -> None:
    settings = _settings(db)
    with pytest.raises(NothingToDo) as nothing:
        await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    assert "没有已发布的日刊" in nothing.value.message_for("zh")
    await published_week(db, [4])
    await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    with pytest.raises(AlreadyComposed) as again:
        await compose_weekly(settings.editorial, settings.llm, db, now=NOW + timedelta(days=3))
    assert "/review w1" in again.value.message_for("en")


async def test_concurrent_composers_make_one_weekly(db: Database) -> None:
    await published_week(db, [4, 3, 5])
    settings = _settings(db)
    other = Database(db.url)  # a second process's engine on the same database
    try:
        results = await asyncio.gather(
            *(compose_weekly(settings.editorial, settings.llm, handle, now=NOW)
              for handle in (db, other, db, other)),
            return_exceptions=True,
        )  # fmt: skip
    finally:
        await other.dispose()
    made = [r for r in results if not isinstance(r, BaseException)]
    assert len(made) == 1, results
    assert all(isinstance(r, NothingToDo) for r in results if isinstance(r, BaseException))
    async with db.session() as s:
        weeklies = list(await s.scalars(select(Issue.number).where(Issue.kind == "weekly")))
        dailies = list(await s.scalars(select(Issue.number).where(Issue.kind == "daily")))
    assert weeklies == [1] and dailies == [1]


async def test_llm_entries_and_the_guards(db: Database, fake_openai: FakeOpenAI) -> None:
    await published_week(db, [5, 4])
    settings = _settings(
        db, openai_api_key="sk-test", openai_base_url=fake_openai.base_url, llm_model="m"
    )
    weekly = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    first = weekly.items[0]
    assert first.heading == "Method0：本文的方法带来更好的效果"
    assert first.explanation is not None and "10.5%" in first.explanation
    assert "$\\mathcal{L}$" in first.explanation  # formulas kept as the model wrote them
    assert "weekly round-up" in fake_openai.requests[0].messages[0]["content"]


async def test_invented_numbers_fall_back_to_extractive(
    db: Database, fake_openai: FakeOpenAI
) -> None:
    await published_week(db, [5])
    fake_openai.content_patch = {"explanation": "本文把准确率提升了百分之八十七，达到97.3%。"}
    settings = _settings(
        db, openai_api_key="sk-test", openai_base_url=fake_openai.base_url, llm_model="m"
    )
    weekly = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    (item,) = weekly.items
    assert item.explanation is not None and "97.3" not in item.explanation
    assert item.heading == "本文提出方法0，准确率提升10.5%。"
    async with db.session() as s:
        row = await s.scalar(select(AuditLog).where(AuditLog.target == "weekly:1"))
    assert row is not None and row.detail["sources"] == ["extractive"]
    assert any("97.3" in flag for flag in row.detail["flags"][0])


async def test_the_publish_run_sends_an_approved_weekly_like_a_daily(db: Database) -> None:
    await published_week(db, [4, 5])
    await published_week(db, [3], status=IssueStatus.APPROVED)  # daily 2, approved
    settings = _settings(db)
    weekly = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    calls: list[tuple[int, str, IssueKind]] = []

    async def publish(number: int, actor: str, kind: IssueKind = IssueKind.DAILY, /) -> str:
        calls.append((number, actor, kind))
        return "sent to 3 of 3 chats"

    ctx = JobContext(settings, db, publish=publish, clock=lambda: NOW)
    waiting = await run_job("publish", ctx, trigger="cli")  # a weekly draft waits for an editor
    assert calls == [(2, "schedule", IssueKind.DAILY)]
    await review.approve(db, number=weekly.number, admin_id="cli", kind=IssueKind.WEEKLY)
    calls.clear()  # (this fake publishes nothing for real: the daily is still approved)
    result = await run_job("publish", ctx, trigger="cli")
    assert calls == [(2, "schedule", IssueKind.DAILY), (1, "schedule", IssueKind.WEEKLY)]
    assert "published 第2期" in waiting.summary and "周报" not in waiting.summary
    assert "published 周报第1期: sent to 3 of 3 chats" in result.summary


async def test_llm_usage_is_recorded_and_the_budget_holds(
    db: Database, fake_openai: FakeOpenAI
) -> None:
    await published_week(db, [5, 4])
    keys = {"openai_api_key": "sk-test", "openai_base_url": fake_openai.base_url}
    settings = _settings(db, llm_model="m", **keys)
    await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    async with db.session() as s:
        (run,) = list(await s.scalars(select(SummarizeRun)))
    assert (run.model, run.llm_calls, run.llm_ok) == ("m (weekly)", 2, 2)
    assert run.tokens_in > 0 and run.tokens_out > 0


async def test_past_the_daily_budget_entries_are_extractive(
    db: Database, fake_openai: FakeOpenAI
) -> None:
    await published_week(db, [5])
    keys = {"openai_api_key": "sk-test", "openai_base_url": fake_openai.base_url}
    settings = _settings(db, llm_model="m", llm_daily_token_budget=100, **keys)
    weekly = await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    assert fake_openai.calls == 0
    assert weekly.items[0].heading == "本文提出方法0，准确率提升10.5%。"  # the extractive one
