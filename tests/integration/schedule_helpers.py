"""Shared pieces of the scheduler tests: recording publish/notify callables, papers, job rows.

`publish` and `notify_admins` are dependencies the front end injects into the jobs (delivery
and the admin chat live in other packages), so the tests hand in real callables that record
what they were asked to do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.render.content import telegram_html
from domain.content import Content
from domain.types import SummaryContent
from jobs.context import JobContext
from storage.db import Database
from storage.models import AuditLog, Issue, JobRun
from tests.conftest import make_settings
from tests.factories import make_paper, store_paper

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # Sunday 11:00 in Shanghai


@dataclass
class Recorder:
    """`publish(number, actor) -> str` and `notify_admins(html)` that remember every call.

    `hold` keeps publish waiting until set; numbers in `fail` raise like a broken delivery.
    """

    published: list[tuple[int, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    fail: set[int] = field(default_factory=set)
    hold: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    async def publish(self, number: int, actor: str) -> str:
        self.entered.set()
        if self.hold is not None:
            await self.hold.wait()
        if number in self.fail:
            raise RuntimeError(f"delivery of {number} broke")
        self.published.append((number, actor))
        return f"sent 第{number}期 to 3 of 3 chats"

    async def notify(self, notice: Content) -> None:
        self.notices.append(telegram_html(notice))  # as the admin chat gets it


def context(db: Database, recorder: Recorder | None = None, **settings: Any) -> JobContext:
    clock = settings.pop("clock", lambda: NOW)
    recorder = recorder or Recorder()
    return JobContext(
        make_settings(database_url=db.url, **settings),
        db,
        publish=recorder.publish,
        notify_admins=recorder.notify,
        clock=clock,
    )


async def add_papers(
    db: Database,
    count: int,
    *,
    day: date = date(2026, 11, 20),
    ratings: list[int] | None = None,
    prefix: str = "Paper",
) -> list[int]:
    ids = []
    async with db.session() as session:
        for i in range(count):
            rating = ratings[i] if ratings else 3
            meta = make_paper(title=f"{prefix}{i}: about things", announced_on=day)
            content = SummaryContent(title_translated=f"论文{i}", tldr="x", rating=rating)
            ids.append(await store_paper(session, meta, content))
    return ids


async def job_rows(db: Database, name: str | None = None) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.id)
    if name is not None:
        query = query.where(JobRun.name == name)
    async with db.session() as session:
        return list(await session.scalars(query))


async def issue_row(db: Database, number: int) -> Issue:
    async with db.session() as session:
        issue = await session.scalar(select(Issue).where(Issue.number == number))
    assert issue is not None
    return issue


async def audit_rows(db: Database, target: str) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditLog).where(AuditLog.target == target).order_by(AuditLog.id)
        )
        return [(row.actor, row.action) for row in rows]


async def set_status(db: Database, number: int, status: str, **values: Any) -> None:
    async with db.session() as session:
        issue = await session.scalar(select(Issue).where(Issue.number == number))
        assert issue is not None
        issue.status = status
        for key, value in values.items():
            setattr(issue, key, value)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)
