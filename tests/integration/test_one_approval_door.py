"""Every way an issue gets approved goes through the one door, `core.services.review.approve`.

The admin command (here at the console), `digestbot approve`, the publish job with
REQUIRE_APPROVAL=false and auto-publish each approve a fresh draft on both databases; the rows
they leave have the same shape (the review service's audit detail, with the included paper
count), and each refuses a draft with no included paper, the service's own rule.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from contextlib import suppress

import pytest
from sqlalchemy import select, update

from bot.commands.context import Deps
from bot.console.app import ConsoleBot
from cli.review import cmd_approve
from domain.errors import InvalidInput
from domain.issue_ref import IssueRef
from domain.types import IssueStatus
from jobs.compose import compose_issue
from jobs.runs import run_job
from storage.db import Database
from storage.models import AuditLog, IssueItem
from tests.integration.schedule_helpers import NOW, add_papers, context, hours_ago, issue_row

Approver = Callable[[Database, int], Awaitable[None]]


async def _console(db: Database, number: int) -> None:
    await ConsoleBot(Deps(settings=context(db).settings, db=db)).answer(f"/approve {number}")


async def _cli(db: Database, number: int) -> None:
    with suppress(InvalidInput):  # refused: `digestbot` prints the line and exits 1
        await cmd_approve(argparse.Namespace(ref=IssueRef(number)), context(db).settings, db)


async def _schedule(db: Database, number: int) -> None:
    await run_job("publish", context(db, require_approval=False))


async def _auto(db: Database, number: int) -> None:
    await run_job("auto_publish", context(db, auto_publish_after="PT2H"))


PATHS: dict[str, tuple[Approver, str]] = {
    "admin command": (_console, "console:operator"),
    "cli": (_cli, "cli"),
    "schedule": (_schedule, "schedule"),
    "auto-publish": (_auto, "auto"),
}


async def _draft(db: Database) -> int:
    await add_papers(db, 2)
    issue = await compose_issue(context(db).settings.editorial, db, now=hours_ago(3))
    return issue.number


async def _approvals(db: Database, number: int) -> list[tuple[str, dict[str, object]]]:
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditLog)
            .where(AuditLog.target == f"issue:{number}", AuditLog.action == "issue.approve")
            .order_by(AuditLog.id)
        )
        return [(row.actor, dict(row.detail or {})) for row in rows]


@pytest.mark.parametrize("path", PATHS)
async def test_every_path_approves_through_the_review_service(db: Database, path: str) -> None:
    approve, actor = PATHS[path]
    number = await _draft(db)
    await approve(db, number)
    issue = await issue_row(db, number)
    assert (issue.status, issue.approved_by) == (IssueStatus.APPROVED.value, actor)
    if path in ("schedule", "auto-publish"):
        assert issue.approved_at == NOW  # the jobs' clock
    [(who, detail)] = await _approvals(db, number)
    assert who == actor and detail["papers"] == 2


@pytest.mark.parametrize("path", PATHS)
async def test_every_path_refuses_a_draft_with_no_included_paper(db: Database, path: str) -> None:
    approve, _ = PATHS[path]
    number = await _draft(db)
    async with db.session() as session:  # emptied without an audit row: still "untouched"
        await session.execute(update(IssueItem).values(included=False))
    await approve(db, number)
    assert (await issue_row(db, number)).status == IssueStatus.DRAFT.value
    assert await _approvals(db, number) == []
