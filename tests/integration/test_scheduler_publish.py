"""The publish and auto-publish jobs on both databases, with a recording `publish` callable.

Touched (see `jobs.autopublish`): an audit row about the issue by anyone but the system.
"""

from __future__ import annotations

from dataclasses import replace

from domain.types import IssueStatus
from jobs.compose import compose_issue
from jobs.runs import run_job
from storage.db import Database
from storage.queries import audit
from tests.integration.schedule_helpers import (
    NOW,
    Recorder,
    add_papers,
    audit_rows,
    context,
    hours_ago,
    issue_row,
    job_rows,
    set_status,
)


async def _draft(db: Database, *, composed_hours_ago: float) -> int:
    await add_papers(db, 2)
    issue = await compose_issue(
        context(db).settings.editorial, db, now=hours_ago(composed_hours_ago)
    )
    return issue.number


async def _touch(db: Database, target: str, actor: str = "tg:4242") -> None:
    async with db.session() as session:
        await audit.record(session, actor=actor, action="issue.item.exclude", target=target)


async def test_publish_job_publishes_every_approved_issue(db: Database) -> None:
    one = await _draft(db, composed_hours_ago=30)
    two = await _draft(db, composed_hours_ago=5)
    three = await _draft(db, composed_hours_ago=1)
    await set_status(db, one, IssueStatus.APPROVED.value)
    await set_status(db, two, IssueStatus.APPROVED.value)
    recorder = Recorder()

    result = await run_job("publish", context(db, recorder))

    assert result.status == "ok"
    assert recorder.published == [(one, "schedule"), (two, "schedule")]  # not the draft
    assert recorder.notices == [
        f"📬 <b>第{one}期</b> published: sent 第{one}期 to 3 of 3 chats\n"
        f"📬 <b>第{two}期</b> published: sent 第{two}期 to 3 of 3 chats"
    ]
    assert (await issue_row(db, three)).status == "draft"


async def test_nothing_approved_reminds_admins_of_the_waiting_draft(db: Database) -> None:
    number = await _draft(db, composed_hours_ago=3)
    recorder = Recorder()
    result = await run_job("publish", context(db, recorder))
    assert recorder.published == []
    assert result.summary == f"publish: nothing approved; 第{number}期 awaits review"
    assert recorder.notices == [
        f"⏳ Nothing published: <b>第{number}期</b> still awaits review. /review {number}"
    ]


async def test_without_required_approval_the_newest_draft_goes_out(db: Database) -> None:
    old = await _draft(db, composed_hours_ago=30)
    new = await _draft(db, composed_hours_ago=2)
    recorder = Recorder()
    await run_job("publish", context(db, recorder, require_approval=False))
    assert recorder.published == [(new, "schedule")]
    issue = await issue_row(db, new)
    assert (issue.status, issue.approved_by, issue.approved_at) == ("approved", "schedule", NOW)
    assert (await audit_rows(db, f"issue:{new}"))[-1] == ("schedule", "issue.approve")
    assert (await issue_row(db, old)).status == "draft"


async def test_one_failed_issue_does_not_stop_the_next(db: Database) -> None:
    one = await _draft(db, composed_hours_ago=3)
    two = await _draft(db, composed_hours_ago=2)
    for number in (one, two):
        await set_status(db, number, IssueStatus.APPROVED.value)
    recorder = Recorder(fail={one})
    result = await run_job("publish", context(db, recorder))
    assert result.status == "failed"
    assert recorder.published == [(two, "schedule")]
    assert result.summary.splitlines()[1].startswith(f"published 第{two}期")


async def test_untouched_draft_is_auto_published_after_the_delay(db: Database) -> None:
    number = await _draft(db, composed_hours_ago=2.5)
    await _touch(db, "issue:10")  # another issue's row, not a prefix match
    await _touch(db, f"issue:{number}", actor="compose")  # the system's own rows don't count
    recorder = Recorder()

    result = await run_job("auto_publish", context(db, recorder, auto_publish_after="PT2H"))

    assert result.status == "ok"
    assert recorder.published == [(number, "auto")]
    issue = await issue_row(db, number)
    assert (issue.status, issue.approved_by, issue.approved_at) == ("approved", "auto", NOW)
    assert (await audit_rows(db, f"issue:{number}"))[-1] == ("auto", "issue.approve")
    assert recorder.notices == [
        f"🤖 <b>第{number}期</b> was published automatically after 2h without review. "
        f"sent 第{number}期 to 3 of 3 chats"
    ]


async def test_touched_or_young_drafts_wait(db: Database) -> None:
    touched = await _draft(db, composed_hours_ago=5)
    item_touched = await _draft(db, composed_hours_ago=5)
    young = await _draft(db, composed_hours_ago=1.5)
    await _touch(db, f"issue:{touched}")
    await _touch(db, f"issue:{item_touched}/item:2")
    recorder = Recorder()

    result = await run_job("auto_publish", context(db, recorder, auto_publish_after="PT2H"))

    assert recorder.published == [] and recorder.notices == []
    assert result.summary == "auto-publish: no untouched draft is due"
    for number in (touched, item_touched, young):
        assert (await issue_row(db, number)).status == "draft"


async def test_rejected_or_approved_issues_are_not_drafts(db: Database) -> None:
    rejected = await _draft(db, composed_hours_ago=5)
    approved = await _draft(db, composed_hours_ago=5)
    await set_status(db, rejected, IssueStatus.REJECTED.value)
    await set_status(db, approved, IssueStatus.APPROVED.value)
    recorder = Recorder()
    await run_job("auto_publish", context(db, recorder, auto_publish_after="PT2H"))
    assert recorder.published == []


async def test_failed_auto_publish_leaves_it_approved_for_the_publish_run(db: Database) -> None:
    number = await _draft(db, composed_hours_ago=3)
    failing = Recorder(fail={number})
    result = await run_job("auto_publish", context(db, failing, auto_publish_after="PT2H"))
    assert result.status == "failed"
    assert "publishing failed: RuntimeError" in failing.notices[0]
    assert (await issue_row(db, number)).status == "approved"

    retry = Recorder()
    await run_job("publish", context(db, retry))
    assert retry.published == [(number, "schedule")]


async def test_auto_publish_off_or_without_delivery(db: Database) -> None:
    number = await _draft(db, composed_hours_ago=30)
    recorder = Recorder()
    off = await run_job("auto_publish", context(db, recorder))
    assert off.summary == "auto-publish: AUTO_PUBLISH_AFTER is not set"
    no_delivery = replace(context(db, recorder, auto_publish_after="PT2H"), publish=None)
    failed = await run_job("auto_publish", no_delivery)
    assert failed.status == "failed" and "needs delivery" in failed.summary
    assert recorder.published == []
    assert (await issue_row(db, number)).status == "draft"  # never approved without delivery
    assert [r.status for r in await job_rows(db)] == ["ok", "failed"]
