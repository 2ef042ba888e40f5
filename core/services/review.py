"""Editorial review: who may edit, the draft with its warnings, and every change an admin makes.

Drafts can be approved, rejected and edited; approved issues can still be edited (or pulled
back with a rejection) until they are published. Published and rejected issues are history.
Every change is written to the audit log, in the same transaction, under the admin's
platform-qualified id (`telegram:123`, `wechat:oXYZ`, `console:operator`, `cli`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from core.config import Settings
from domain.errors import InvalidInput, NotAllowed, NotFound
from domain.identity import CONSOLE, CONSOLE_OPERATOR, TELEGRAM, WECHAT, Identity, valid_user_id
from domain.types import (
    AdminStats,
    EditField,
    IssueItemView,
    IssueReview,
    IssueStatus,
    IssueView,
    MoveDirection,
    ReviewItem,
    SummarySource,
)
from storage.db import Database
from storage.models import Issue
from storage.queries import audit
from storage.queries import issues as issue_queries
from storage.queries import review as queries
from storage.types import utcnow

EDITABLE = (IssueStatus.DRAFT, IssueStatus.APPROVED)
REJECTABLE = (IssueStatus.DRAFT, IssueStatus.APPROVED)
MAX_LENGTH: dict[str, int] = {"tldr": 600, "title": 300, "note": 600}
MAX_REASON = 500
CLEAR = "-"  # `/edit 12 3 tldr -` restores the LLM's text
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
    db: Database, *, number: int | None = None, language: str | None = None
) -> IssueReview:
    """Issue `number` (default: the newest draft) with per-item flags; summaries in
    `language` (default: the issue's own, i.e. what readers will get)."""
    async with db.session() as session:
        if number is None:
            number = await issue_queries.latest_issue_number(session, statuses=(IssueStatus.DRAFT,))
            if number is None:
                raise NotFound(
                    "No draft is waiting for review. /review N shows any issue.",
                    zh="没有待审的草稿。/review N 可查看任意一期。",
                )
        view = await issue_queries.get_issue_view(session, number=number, language=language)
        if view is None:
            raise _missing(number)
        reason = await queries.rejected_reason(session, number=number)
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


async def approve(
    db: Database, *, number: int, admin_id: str, approved_by: str | None = None
) -> IssueView:
    """draft → approved, recording who and when; an issue with no included paper is refused.

    `admin_id` is the audit log's actor (`telegram:123`, `cli`); `approved_by` how the issue
    shows its approver (default: the actor; see `Identity.label`)."""

    def change(issue: Issue) -> dict[str, Any]:
        if not any(item.included for item in issue.items):
            raise InvalidInput(
                f"Issue {number} includes no paper; include at least one before approving.",
                zh=f"第{number}期没有收录任何论文，请至少收录一篇再批准。",
            )
        issue.status, issue.approved_at = "approved", utcnow()
        issue.approved_by = approved_by or admin_id
        return {"papers": sum(item.included for item in issue.items)}

    return await _change(db, number, admin_id, "approve", (IssueStatus.DRAFT,), change)


async def reject(db: Database, *, number: int, admin_id: str, reason: str) -> IssueView:
    """draft (or approved, not yet published) → rejected; the reason is required."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(
            f"Say why: /reject {number} <reason>", zh=f"请说明原因：/reject {number} 原因"
        )
    _check_length(reason, MAX_REASON)

    def change(issue: Issue) -> dict[str, Any]:
        issue.status, issue.rejected_reason = "rejected", reason
        issue.approved_by = issue.approved_at = None
        return {"reason": reason}

    return await _change(db, number, admin_id, "reject", REJECTABLE, change)


async def edit_item(
    db: Database, *, number: int, position: int, field: EditField, text: str, admin_id: str
) -> IssueView:
    """Set the editor's title, TL;DR or note for one paper (kept beside the LLM's text);
    `-` clears it."""
    if field not in MAX_LENGTH:
        raise InvalidInput("Edit tldr, title or note.", zh="只能编辑 tldr、title 或 note。")
    value = _edited_text(field, text)

    def change(issue: Issue) -> dict[str, Any]:
        item = _item_at(issue, position)
        column = "editor_note" if field == "note" else f"{field}_override"
        before = getattr(item, column)
        setattr(item, column, value)
        return {"position": position, "field": field, "before": before, "after": value}

    return await _change(db, number, admin_id, "edit", EDITABLE, change)


async def set_included(
    db: Database, *, number: int, position: int, included: bool, admin_id: str
) -> IssueView:
    """Include or exclude one paper; excluded papers keep their place for a later change."""

    def change(issue: Issue) -> dict[str, Any]:
        item = _item_at(issue, position)
        item.included = included
        return {"position": position, "paper_id": item.paper_id, "included": included}

    action = "include" if included else "exclude"
    return await _change(db, number, admin_id, action, EDITABLE, change)


async def move_item(
    db: Database, *, number: int, position: int, direction: MoveDirection, admin_id: str
) -> IssueView:
    """Swap a paper with its neighbour above or below; positions stay 1..n."""
    if direction not in ("up", "down"):
        raise InvalidInput("Move up or down.", zh="只能上移或下移。")

    def change(issue: Issue) -> dict[str, Any]:
        _item_at(issue, position)
        index = position - 1
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(issue.items):
            raise InvalidInput(
                f"Paper {position} is already {'first' if other < 0 else 'last'}.",
                zh=f"第{position}篇已经在{'最前' if other < 0 else '最后'}。",
            )
        queries.swap(issue.items, index, other)
        return {"position": position, "direction": direction, "to": other + 1}

    return await _change(db, number, admin_id, "move", EDITABLE, change)


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
        tokens_in, tokens_out, cost = await queries.llm_usage_since(session, since=since)
    return AdminStats(
        day=day, subscribers_active=receiving, subscribers_paused=paused,
        subscribers_blocked=blocked, papers=papers, issues_by_status=issues,
        deliveries_today=sent, deliveries_failed_today=failed,
        llm_tokens_in_today=tokens_in, llm_tokens_out_today=tokens_out, llm_cost_today=cost,
    )  # fmt: skip


async def _change(
    db: Database,
    number: int,
    admin_id: str,
    action: str,
    allowed: Collection[IssueStatus],
    change: Callable[[Issue], dict[str, Any]],
) -> IssueView:
    """Lock the issue, check its status, apply `change`, audit it; the issue afterwards."""
    async with db.session() as session:
        issue = await queries.issue_for_update(session, number=number)
        if issue is None:
            raise _missing(number)
        _check_status(issue, action, allowed)
        detail = change(issue)
        queries.renumber(issue.items)
        await audit.record(
            session, actor=admin_id, action=f"issue.{action}", target=f"issue:{number}",
            detail=detail,
        )  # fmt: skip
        await session.flush()
        view = await issue_queries.get_issue_view(session, number=number)
    assert view is not None
    return view


def _check_status(issue: Issue, action: str, allowed: Collection[IssueStatus]) -> None:
    if IssueStatus(issue.status) in allowed:
        return
    names = " or ".join(status.value for status in allowed)
    names_zh = "或".join(STATUS_ZH[status.value] for status in allowed)
    raise InvalidInput(
        f"Issue {issue.number} is {issue.status}; only {names} issues can be changed ({action}).",
        zh=f"第{issue.number}期{STATUS_ZH.get(issue.status, issue.status)}，"
        f"只有{names_zh}状态可以修改。",
    )


def _item_at(issue: Issue, position: int) -> Any:
    items = queries.ordered(issue.items)
    if not 1 <= position <= len(items):
        raise InvalidInput(
            f"Issue {issue.number} has papers 1–{len(items)}; there is no paper {position}.",
            zh=f"第{issue.number}期只有第1–{len(items)}篇，没有第{position}篇。",
        )
    return items[position - 1]


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


def _missing(number: int) -> NotFound:
    return NotFound(f"Issue {number} does not exist.", zh=f"第{number}期不存在。")
