"""The review service on SQLite and PostgreSQL: rights, flags, status, edits, order, audit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from core.services import review
from domain.errors import InvalidInput, NotAllowed, NotFound
from domain.types import IssueStatus, SummarySource
from jobs.compose import compose_issue
from storage.db import Database
from storage.models import AuditLog, Chat, Delivery, Issue, IssueItem, SummarizeRun, Summary
from storage.queries.summaries import save_summary
from tests.conftest import make_settings
from tests.factories import make_paper, store_paper
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

SEED = load_seed_papers()
ADMIN = "4242"


async def _draft(db: Database, count: int = 4) -> int:
    """A composed draft of `count` seed papers; the second one extractive and flagged."""
    async with db.session() as s:
        for i, paper in enumerate(SEED[:count]):
            source = SummarySource.EXTRACTIVE if i == 1 else SummarySource.LLM
            paper_id = await store_paper(s, seed_meta(paper), seed_summary(paper), source=source)
            if i == 1:
                await save_summary(
                    s, paper_id=paper_id, paper_version=1, language="zh", model="extractive",
                    prompt_version="p1", source=source, content=seed_summary(paper),
                    flags=["llm_failed"],
                )  # fmt: skip
    issue = await compose_issue(make_settings(database_url=db.url).editorial, db)
    return issue.number


async def _audit(db: Database) -> list[tuple[str, str, str | None]]:
    async with db.session() as s:
        rows = await s.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(r.actor, r.action, r.target) for r in rows if r.actor == ADMIN]


def test_require_admin_checks_the_id() -> None:
    settings = make_settings(admin_ids="4242, 7")
    review.require_admin(settings, "telegram", "4242")
    review.require_admin(settings, "telegram", "7")
    for stranger in ("8", "", "abc", "-4242", "42424"):
        with pytest.raises(NotAllowed) as refused:
            review.require_admin(settings, "telegram", stranger)
        assert "editors" in refused.value.message_for("en")
        assert "编辑" in refused.value.message_for("zh")


async def test_review_latest_draft_with_flags(db: Database) -> None:
    with pytest.raises(NotFound):
        await review.review_issue(db)
    number = await _draft(db)
    draft = await review.review_issue(db)
    assert draft.issue.number == number and draft.issue.status is IssueStatus.DRAFT
    flagged = {r.item.paper.meta.arxiv_id: r.flags for r in draft.items if r.flags}
    assert flagged == {SEED[1].arxiv_id: ("llm_failed", "extractive")}
    assert draft.flagged == 1 and [r.item.position for r in draft.items] == [1, 2, 3, 4]
    with pytest.raises(NotFound):
        await review.review_issue(db, number=number + 1)


async def test_number_flag_and_missing_summary(db: Database) -> None:
    async with db.session() as s:
        paper = SEED[0]
        paper_id = await store_paper(s, seed_meta(paper))
        await save_summary(
            s, paper_id=paper_id, paper_version=1, language="zh", model="m", prompt_version="p1",
            source=SummarySource.LLM, content=seed_summary(paper),
            flags=["tldr_number_not_in_abstract"],
        )  # fmt: skip
        await store_paper(s, make_paper(), seed_summary(SEED[1]))
    number = (await compose_issue(make_settings(database_url=db.url).editorial, db)).number
    async with db.session() as s:  # the other paper's summary disappears after composing
        await s.execute(delete(Summary).where(Summary.paper_id != paper_id))
    draft = await review.review_issue(db, number=number)
    assert [r.flags for r in draft.items] == [("tldr_number_not_in_abstract",), ("no_summary",)]


async def test_approve_then_no_more_approval(db: Database) -> None:
    number = await _draft(db)
    approved = await review.approve(db, number=number, admin_id=ADMIN)
    assert approved.status is IssueStatus.APPROVED and approved.approved_by == ADMIN
    assert approved.approved_at is not None and approved.approved_at.tzinfo is not None
    with pytest.raises(InvalidInput) as twice:
        await review.approve(db, number=number, admin_id=ADMIN)
    assert "approved" in twice.value.message_for("en") and "已批准" in twice.value.message_for("zh")
    with pytest.raises(NotFound):
        await review.approve(db, number=99, admin_id=ADMIN)
    assert await _audit(db) == [(ADMIN, "issue.approve", f"issue:{number}")]


async def test_reject_needs_a_reason_and_ends_editing(db: Database) -> None:
    number = await _draft(db)
    for blank in ("", "   \n"):
        with pytest.raises(InvalidInput) as no_reason:
            await review.reject(db, number=number, admin_id=ADMIN, reason=blank)
        assert f"/reject {number}" in no_reason.value.message_for("en")
    with pytest.raises(InvalidInput):
        await review.reject(db, number=number, admin_id=ADMIN, reason="x" * 501)
    rejected = await review.reject(db, number=number, admin_id=ADMIN, reason=" off  topic ")
    assert rejected.status is IssueStatus.REJECTED
    assert (await review.review_issue(db, number=number)).rejected_reason == "off topic"
    with pytest.raises(InvalidInput):
        await review.set_included(db, number=number, position=1, included=False, admin_id=ADMIN)
    with pytest.raises(InvalidInput):
        await review.approve(db, number=number, admin_id=ADMIN)


async def test_edits_are_kept_beside_the_llm_text(db: Database) -> None:
    number = await _draft(db)
    await review.edit_item(
        db, number=number, position=2, field="tldr", text=" 更好 ", admin_id=ADMIN
    )
    await review.edit_item(
        db, number=number, position=2, field="title", text="A\n  title", admin_id=ADMIN
    )
    view = await review.edit_item(
        db, number=number, position=2, field="note", text="编辑推荐", admin_id=ADMIN
    )
    item = view.items[1]
    assert (item.tldr, item.display_title, item.editor_note) == ("更好", "A title", "编辑推荐")
    assert item.paper.summary is not None and item.paper.summary.content.tldr == SEED[1].tldr_zh
    restored = await review.edit_item(
        db, number=number, position=2, field="tldr", text="-", admin_id=ADMIN
    )
    assert restored.items[1].tldr == SEED[1].tldr_zh
    bad = [("tldr", "", 2), ("tldr", "x" * 601, 2), ("title", "x" * 301, 2), ("tldr", "ok", 5),
           ("tldr", "ok", 0), ("body", "ok", 1)]  # fmt: skip
    for field, text, position in bad:
        with pytest.raises(InvalidInput):
            await review.edit_item(
                db, number=number, position=position, field=field,  # type: ignore[arg-type]
                text=text, admin_id=ADMIN,
            )  # fmt: skip
    actions = [a for _, a, _ in await _audit(db)]
    assert actions == ["issue.edit"] * 4


async def test_include_exclude_and_approve_needs_a_paper(db: Database) -> None:
    number = await _draft(db, count=2)
    for position in (1, 2):
        view = await review.set_included(
            db, number=number, position=position, included=False, admin_id=ADMIN
        )
    assert view.included_items == ()
    with pytest.raises(InvalidInput) as empty:
        await review.approve(db, number=number, admin_id=ADMIN)
    assert "no paper" in empty.value.message_for("en")
    view = await review.set_included(db, number=number, position=2, included=True, admin_id=ADMIN)
    assert [i.position for i in view.included_items] == [2]
    approved = await review.approve(db, number=number, admin_id=ADMIN)
    edited = await review.set_included(
        db, number=number, position=1, included=True, admin_id=ADMIN
    )  # approved issues stay editable
    assert approved.status is edited.status is IssueStatus.APPROVED


async def test_moves_keep_positions_one_to_n(db: Database) -> None:
    number = await _draft(db)
    before = [i.paper.meta.arxiv_id for i in (await review.review_issue(db)).issue.items]
    await review.move_item(db, number=number, position=1, direction="down", admin_id=ADMIN)
    view = await review.move_item(db, number=number, position=4, direction="up", admin_id=ADMIN)
    after = [i.paper.meta.arxiv_id for i in view.items]
    assert after == [before[1], before[0], before[3], before[2]]
    assert [i.position for i in view.items] == [1, 2, 3, 4]
    for position, direction in ((1, "up"), (4, "down"), (9, "up"), (2, "sideways")):
        with pytest.raises(InvalidInput):
            await review.move_item(
                db, number=number, position=position, direction=direction,  # type: ignore[arg-type]
                admin_id=ADMIN,
            )  # fmt: skip
    async with db.session() as s:
        positions = sorted(await s.scalars(select(IssueItem.position)))
    assert positions == [1, 2, 3, 4]
    assert [a for _, a, _ in await _audit(db)] == ["issue.move", "issue.move"]


async def test_stats_counts_today_in_the_timezone(db: Database) -> None:
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 11, 20, 9, 0, tzinfo=tz)  # 01:00 UTC: "today" began 16:00 UTC before
    number = await _draft(db, count=2)
    async with db.session() as s:
        for n, (active, paused, blocked) in enumerate(
            [(True, False, None), (True, False, None), (True, True, None), (False, False, now)]
        ):
            s.add(Chat(platform="telegram", external_id=str(n), chat_type="private",
                       active=active, paused=paused, blocked_at=blocked))  # fmt: skip
        issue_id = (await s.scalar(select(Issue.id).where(Issue.number == number))) or 0
        for n, (status, at) in enumerate(
            [("sent", now), ("sent", now - timedelta(hours=10)), ("failed", now), ("pending", now)]
        ):
            s.add(Delivery(issue_id=issue_id, platform="telegram", target=str(n),
                           kind="subscriber", status=status, sent_at=at,
                           updated_at=at))  # fmt: skip
        for tokens, at in (
            (1000, now),
            (500, now - timedelta(hours=2)),
            (7, now - timedelta(days=1)),
        ):
            s.add(SummarizeRun(language="zh", model="m", tokens_in=tokens, tokens_out=tokens // 10,
                               cost_usd=tokens / 1e6, started_at=at))  # fmt: skip
    figures = await review.stats(db, now=now, tz=tz)
    assert figures.day == date(2026, 11, 20)
    assert (figures.subscribers_active, figures.subscribers_paused) == (2, 1)
    assert figures.subscribers_blocked == 1 and figures.papers == 2
    assert figures.issues_by_status == {"draft": 1}
    assert (figures.deliveries_today, figures.deliveries_failed_today) == (1, 1)
    assert (figures.llm_tokens_in_today, figures.llm_tokens_out_today) == (1500, 150)
    assert figures.llm_cost_today == pytest.approx(0.0015)
