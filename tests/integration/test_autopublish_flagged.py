"""AUTO_PUBLISH_FLAGGED: a paper the summary guards flagged never goes out unread.

`hold` leaves the whole draft to its editor; `drop` leaves the flagged papers out (audited
under `auto`, which is no touch) and publishes the rest. Both databases.
"""

from __future__ import annotations

from sqlalchemy import update

from core.services import review
from domain.guard_flags import NUMBER, URL_DROPPED, GuardFlag
from jobs.compose import compose_issue
from jobs.runs import run_job
from storage.db import Database
from storage.models import Summary
from tests.integration.schedule_helpers import (
    Recorder,
    add_papers,
    audit_rows,
    context,
    hours_ago,
    issue_row,
)

INVENTED = GuardFlag(NUMBER, "results", "提升了15%").encode()


async def _draft(db: Database, flags: dict[int, list[str]]) -> int:
    """A due draft of three papers; `flags` by paper index are stored on their summaries."""
    ids = await add_papers(db, 3)
    async with db.session() as session:
        for index, paper_flags in flags.items():
            await session.execute(
                update(Summary).where(Summary.paper_id == ids[index]).values(flags=paper_flags)
            )
    issue = await compose_issue(context(db).settings.editorial, db, now=hours_ago(3))
    return issue.number


async def _included_titles(db: Database, number: int) -> list[str]:
    issue = (await review.review_issue(db, number=number)).issue
    return [item.paper.meta.title for item in issue.included_items]


async def test_hold_leaves_a_flagged_draft_to_its_editor(db: Database) -> None:
    number = await _draft(db, {1: [INVENTED]})
    recorder = Recorder()
    result = await run_job("auto_publish", context(db, recorder, auto_publish_after="PT2H"))
    assert recorder.published == []
    assert (await issue_row(db, number)).status == "draft"
    assert "held for an editor, papers 2 flagged" in result.summary
    assert len(await _included_titles(db, number)) == 3


async def test_drop_leaves_flagged_papers_out_and_publishes_the_rest(db: Database) -> None:
    number = await _draft(db, {0: [INVENTED], 2: ["llm_failed", INVENTED]})
    recorder = Recorder()
    settings = {"auto_publish_after": "PT2H", "auto_publish_flagged": "drop"}
    await run_job("auto_publish", context(db, recorder, **settings))
    assert recorder.published == [(number, "auto")]
    assert await _included_titles(db, number) == ["Paper1: about things"]
    actions = await audit_rows(db, f"issue:{number}")
    assert actions[-3:] == [
        ("auto", "issue.exclude"),
        ("auto", "issue.exclude"),
        ("auto", "issue.approve"),
    ]


async def test_drop_with_every_paper_flagged_waits(db: Database) -> None:
    number = await _draft(db, {0: [INVENTED], 1: [INVENTED], 2: [INVENTED]})
    recorder = Recorder()
    settings = {"auto_publish_after": "PT2H", "auto_publish_flagged": "drop"}
    result = await run_job("auto_publish", context(db, recorder, **settings))
    assert recorder.published == [] and (await issue_row(db, number)).status == "draft"
    assert "every paper flagged" in result.summary


async def test_fixed_and_plain_flags_do_not_hold(db: Database) -> None:
    dropped = GuardFlag(URL_DROPPED, "code_url", "https://github.com/x/y").encode()
    number = await _draft(db, {0: [dropped], 1: ["llm_failed"]})
    recorder = Recorder()
    await run_job("auto_publish", context(db, recorder, auto_publish_after="PT2H"))
    assert recorder.published == [(number, "auto")]
