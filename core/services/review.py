"""Editorial review: who may edit, the draft with its warnings, and every change an admin makes.

This module is the one door for the editorial rules: approving (whoever approves — an admin on
any platform, the CLI, the publish job or auto-publish), rejecting, including/moving/editing a
paper, and whether an issue may be published. The rows change in `storage.queries.review`, which
decides nothing.

Drafts can be approved, rejected and edited; approved issues can still be edited (or pulled
back with a rejection) until they are published. Published and rejected issues are history.
Every change is written to the audit log, in the same transaction, under the admin's
platform-qualified id (`telegram:123`, `wechat:oXYZ`, `console:operator`, `cli`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from domain.errors import InvalidInput, NotAllowed, NotFound
from domain.guard_flags import blocking_flags
from domain.identity import CONSOLE, CONSOLE_OPERATOR, TELEGRAM, WECHAT, Identity, valid_user_id
from domain.issue_ref import IssueRef
from domain.types import (
    PUBLISHABLE_STATUSES,
    AdminStats,
    EditField,
    IssueItemView,
    IssueKind,
    IssueReview,
    IssueStatus,
    IssueView,
    MoveDirection,
    ReviewItem,
    SummarySource,
)
from storage.db import Database
from storage.queries import audit, send_budget
from storage.queries import issues as issue_queries
from storage.queries import review as queries
from storage.queries.review import LockedIssue, LockedItem
from storage.types import utcnow

EDITABLE = (IssueStatus.DRAFT, IssueStatus.APPROVED)
DAILY = IssueKind.DAILY  # every rule here holds for weekly round-ups too, named by `kind`
REJECTABLE = (IssueStatus.DRAFT, IssueStatus.APPROVED)
MAX_LENGTH: dict[str, int] = {"tldr": 600, "title": 300, "note": 600}
MAX_REASON = 500
CLEAR = "-"  # `/edit 12 3 tldr -` restores the LLM's text
PublishRefusal = Literal["rejected", "needs_approval", "empty"]
REFUSALS: dict[PublishRefusal, tuple[str, str]] = {
    "rejected": ("Issue {n} was rejected; it cannot be published.", "第{n}期已被拒绝，不能发布。"),
    "needs_approval": (
        "Issue {n} is a draft: approve it first (/approve {n}).",
        "第{n}期还是草稿，请先审核通过（/approve {n}）。",
    ),
    "empty": ("Issue {n} includes no papers.", "第{n}期没有包含任何论文。"),
}
Change = Callable[[AsyncSession, LockedIssue], Awaitable[dict[str, Any]]]
STATUS_ZH = {"draft": "草稿", "approved": "已批准", "published": "已发布", "rejected": "已退回"}


def is_admin(settings: Settings, platform: str, user_id: str | None) -> bool:
    """Admins are configured per platform: ADMIN_IDS on Telegram, WECHAT_ADMIN_OPENIDS on
    WeChat, the local operator on the console. Someone without an id (a channel post, an
    anonymous group admin) is nobody's admin."""
    if user_id is None or not valid_user_id(platform, user_id):
        return False
    if platform == TELEGRAM:
        return int(user_id) in settings.admin_ids
    if platform == WECHAT:
        return user_id in settings.wechat_admin_openids
    return platform == CONSOLE and user_id == CONSOLE_OPERATOR


def require_admin(settings: Settings, platform: str, user_id: str | None) -> Identity:
    """The admin's identity; NotAllowed unless (platform, user_id) is one of that platform's."""
    if user_id is None or not is_admin(settings, platform, user_id):
        raise NotAllowed(
            "Sorry, only the digest's editors can do that.",
            zh="抱歉，只有本速递的编辑可以这样做。",
        )
    return Identity(platform, user_id)


async def review_issue(
    db: Database, *, number: int | None = None, language: str | None = None, kind: IssueKind = DAILY
) -> IssueReview:
    """Issue `number` (default: the newest draft) with per-item flags; summaries in
    `language` (default: the issue's own, i.e. what readers will get)."""
    async with db.session() as session:
        if number is None:
            drafts = (IssueStatus.DRAFT,)
            number = await issue_queries.latest_issue_number(session, statuses=drafts, kind=kind)
            if number is None:
                raise NotFound(
                    "No draft is waiting for review. /review N shows any issue.",
                    zh="没有待审的草稿。/review N 可查看任意一期。",
                )
        view = await issue_queries.get_issue_view(
            session, number=number, language=language, kind=kind
        )
        if view is None:
            raise _missing(number, kind)
        reason = await queries.rejected_reason(session, number=number, kind=kind)
    items = tuple(ReviewItem(item=item, flags=item_flags(item)) for item in view.items)
    return IssueReview(issue=view, items=items, rejected_reason=reason)


def item_flags(item: IssueItemView) -> tuple[str, ...]:
    summary = item.paper.summary
    if summary is None:
        return ("no_summary",)
    flags = list(summary.flags)
    if summary.source is SummarySource.EXTRACTIVE:
        flags.append("extractive")
    return tuple(dict.fromkeys(flags))


def flagged_positions(issue: IssueView) -> list[int]:
    """Included papers whose summary the guards flagged as possibly wrong (a number or link
    the paper does not give, instruction-like text): what auto-publish must not send unread."""
    return [
        item.position
        for item in issue.included_items
        if item.paper.summary and blocking_flags(item.paper.summary.flags)
    ]


async def drop_flagged(db: Database, *, number: int, admin_id: str) -> list[int]:
    """Exclude the flagged papers of issue `number` (each change audited under `admin_id`);
    the positions dropped. AUTO_PUBLISH_FLAGGED=drop does this before approving."""
    async with db.session() as session:
        view = await issue_queries.get_issue_view(session, number=number)
    if view is None:
        raise _missing(number)
    dropped = flagged_positions(view)
    for position in dropped:
        await set_included(db, number=number, position=position, included=False, admin_id=admin_id)
    return dropped


async def approve(
    db: Database,
    *,
    number: int,
    admin_id: str,
    approved_by: str | None = None,
    now: datetime | None = None,
    reason: str | None = None,
    untouched_by: Collection[str] | None = None,
    kind: IssueKind = DAILY,
) -> IssueView:
    """draft → approved, recording who and when; an issue with no included paper is refused.

    The one way an issue is approved: admin commands, `digestbot approve`, the publish job
    (REQUIRE_APPROVAL=false) and auto-publish all come here. `admin_id` is the audit log's
    actor (`telegram:123`, `cli`, `schedule`, `auto`); `approved_by` how the issue shows its
    approver (default: the actor; see `Identity.label`); `now` the approval time (default: the
    clock); `reason` goes to the audit row; with `untouched_by`, a draft someone outside those
    actors touched is refused (auto-publish leaves it to its editor)."""

    async def change(session: AsyncSession, issue: LockedIssue) -> dict[str, Any]:
        if not issue.included:
            raise InvalidInput(
                f"Issue {number} includes no paper; include at least one before approving.",
                zh=f"第{number}期没有收录任何论文，请至少收录一篇再批准。",
            )
        if not await queries.approve_issue(
            session, number=number, approved_by=approved_by or admin_id,
            now=now or utcnow(), untouched_by=untouched_by, kind=kind,
        ):  # fmt: skip
            raise InvalidInput(
                f"Issue {number} was touched by an editor; it waits for their review.",
                zh=f"第{number}期已有编辑处理，等待其审核。",
            )
        return {"papers": issue.included} | ({"reason": reason} if reason else {})

    return await _change(db, number, admin_id, "approve", (IssueStatus.DRAFT,), change, kind)


async def reject(
    db: Database, *, number: int, admin_id: str, reason: str, kind: IssueKind = DAILY
) -> IssueView:
    """draft (or approved, not yet published) → rejected; the reason is required."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(
            f"Say why: /reject {number} <reason>", zh=f"请说明原因：/reject {number} 原因"
        )
    _check_length(reason, MAX_REASON)

    async def change(session: AsyncSession, issue: LockedIssue) -> dict[str, Any]:
        await queries.reject_issue(
            session, number=number, reason=reason, allowed=REJECTABLE, kind=kind
        )
        return {"reason": reason}

    return await _change(db, number, admin_id, "reject", REJECTABLE, change, kind)


async def edit_item(
    db: Database, *, number: int, position: int, field: EditField, text: str, admin_id: str,
    kind: IssueKind = DAILY,
) -> IssueView:  # fmt: skip
    """Set the editor's title, TL;DR or note for one paper (kept beside the LLM's text; in a
    weekly, the heading and the explanation shown); `-` clears it."""
    if field not in MAX_LENGTH:
        raise InvalidInput("Edit tldr, title or note.", zh="只能编辑 tldr、title 或 note。")
    value = _edited_text(field, text)

    async def change(session: AsyncSession, issue: LockedIssue) -> dict[str, Any]:
        _item_at(issue, position)
        before = await queries.set_item_text(
            session, number=number, position=position, field=field, value=value, kind=kind
        )
        return {"position": position, "field": field, "before": before, "after": value}

    return await _change(db, number, admin_id, "edit", EDITABLE, change, kind)


async def set_included(
    db: Database, *, number: int, position: int, included: bool, admin_id: str
) -> IssueView:
    """Include or exclude one paper; excluded papers keep their place for a later change."""

    async def change(session: AsyncSession, issue: LockedIssue) -> dict[str, Any]:
        item = _item_at(issue, position)
        await queries.set_item_included(
            session, number=number, position=position, included=included
        )
        return {"position": position, "paper_id": item.paper_id, "included": included}

    action = "include" if included else "exclude"
    return await _change(db, number, admin_id, action, EDITABLE, change)


async def move_item(
    db: Database, *, number: int, position: int, direction: MoveDirection, admin_id: str
) -> IssueView:
    """Swap a paper with its neighbour above or below; positions stay 1..n."""
    if direction not in ("up", "down"):
        raise InvalidInput("Move up or down.", zh="只能上移或下移。")

    async def change(session: AsyncSession, issue: LockedIssue) -> dict[str, Any]:
        _item_at(issue, position)
        other = position - 1 if direction == "up" else position + 1
        if not 1 <= other <= len(issue.items):
            raise InvalidInput(
                f"Paper {position} is already {'first' if other < 1 else 'last'}.",
                zh=f"第{position}篇已经在{'最前' if other < 1 else '最后'}。",
            )
        await queries.swap_items(session, number=number, position=position, other=other)
        return {"position": position, "direction": direction, "to": other}

    return await _change(db, number, admin_id, "move", EDITABLE, change)


async def publishable(
    db: Database, *, number: int, language: str, require_approval: bool, kind: IssueKind = DAILY
) -> IssueView:
    """Issue `number` (summaries in `language`) if it may go out now; raises NotFound or
    InvalidInput otherwise. The one check before publishing, for every caller and platform."""
    async with db.session() as session:
        issue = await issue_queries.get_issue_view(
            session, number=number, language=language, kind=kind
        )
    if issue is None:
        raise _missing(number, kind)
    refusal = publish_refusal(issue, require_approval=require_approval)
    if refusal is not None:
        english, chinese = REFUSALS[refusal]
        raise InvalidInput(english.format(n=number), zh=chinese.format(n=number))
    return issue


def publish_refusal(issue: IssueView, *, require_approval: bool) -> PublishRefusal | None:
    """Why `issue` may not be published now, or None: rejected; a draft while approval is
    required; no included paper. A published issue may be published again (that resumes it)."""
    if issue.status not in (*PUBLISHABLE_STATUSES, IssueStatus.PUBLISHED):
        return "rejected"
    if issue.status is IssueStatus.DRAFT and require_approval:
        return "needs_approval"
    return None if issue.included_items else "empty"


async def record_admin_action(
    db: Database, *, admin_id: str, action: str, target: str | None, detail: dict[str, Any]
) -> None:
    """Audit-log an admin action that is not an issue edit (a job run, a broadcast)."""
    async with db.session() as session:
        await audit.record(
            session, actor=admin_id, action=f"admin.{action}", target=target, detail=detail
        )


async def stats(db: Database, *, now: datetime, tz: ZoneInfo) -> AdminStats:
    """Subscribers, papers, issues by status, and today's deliveries and LLM usage."""
    day = now.astimezone(tz).date()
    since = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    async with db.session() as session:
        receiving, paused, blocked = await queries.chat_counts(session)
        papers = await queries.paper_count(session)
        issues = await queries.issues_by_status(session)
        sent, failed = await queries.deliveries_since(session, since=since)
        tokens_in, tokens_out, cost, llm_papers = await queries.llm_usage_since(
            session, since=since
        )
        paid = await send_budget.paid_since(session, since=since)
    return AdminStats(
        day=day, subscribers_active=receiving, subscribers_paused=paused,
        subscribers_blocked=blocked, papers=papers, issues_by_status=issues,
        deliveries_today=sent, deliveries_failed_today=failed,
        llm_tokens_in_today=tokens_in, llm_tokens_out_today=tokens_out, llm_cost_today=cost,
        paid_messages_today=paid, llm_papers_today=llm_papers,
    )  # fmt: skip


async def _change(
    db: Database,
    number: int,
    admin_id: str,
    action: str,
    allowed: Collection[IssueStatus],
    change: Change,
    kind: IssueKind = DAILY,
) -> IssueView:
    """Lock the issue, check its status, apply `change`, audit it (same transaction); the
    issue afterwards."""
    async with db.session() as session:
        issue = await queries.lock_issue(session, number=number, kind=kind)
        if issue is None:
            raise _missing(number, kind)
        _check_status(issue, action, allowed)
        detail = await change(session, issue)
        await queries.renumber_issue(session, number=number, kind=kind)
        target = f"issue:{number}" if kind is IssueKind.DAILY else f"weekly:{number}"
        await audit.record(
            session, actor=admin_id, action=f"issue.{action}", target=target, detail=detail
        )
        await session.flush()
        view = await issue_queries.get_issue_view(session, number=number, kind=kind)
    assert view is not None
    return view


def _check_status(issue: LockedIssue, action: str, allowed: Collection[IssueStatus]) -> None:
    if issue.status in allowed:
        return
    names = " or ".join(status.value for status in allowed)
    names_zh = "或".join(STATUS_ZH[status.value] for status in allowed)
    raise InvalidInput(
        f"Issue {issue.number} is {issue.status.value}; "
        f"only {names} issues can be changed ({action}).",
        zh=f"第{issue.number}期{STATUS_ZH.get(issue.status.value, issue.status.value)}，"
        f"只有{names_zh}状态可以修改。",
    )


def _item_at(issue: LockedIssue, position: int) -> LockedItem:
    if not 1 <= position <= len(issue.items):
        raise InvalidInput(
            f"Issue {issue.number} has papers 1–{len(issue.items)}; there is no paper {position}.",
            zh=f"第{issue.number}期只有第1–{len(issue.items)}篇，没有第{position}篇。",
        )
    return issue.items[position - 1]


def _edited_text(field: str, text: str) -> str | None:
    text = text.strip()
    if text == CLEAR:
        return None
    if field == "title":
        text = " ".join(text.split())
    if not text:
        raise InvalidInput(
            "The new text is empty (use - to restore the original).",
            zh="新内容为空（用 - 恢复原文）。",
        )
    _check_length(text, MAX_LENGTH[field])
    return text


def _check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise InvalidInput(
            f"That is {len(text)} characters; at most {limit}.",
            zh=f"内容有 {len(text)} 个字符，最多 {limit} 个。",
        )


def _missing(number: int, kind: IssueKind = DAILY) -> NotFound:
    ref = IssueRef(number, kind)
    return NotFound(f"{ref.label('en')} does not exist.", zh=f"{ref.label('zh')}不存在。")
