"""/review, /approve, /reject, /edit and the preview's buttons: editors shape a draft in chat.

Every command and every button here is flagged admin in the command table, so dispatch checks
the sender against its platform's admins first (ADMIN_IDS on Telegram, WECHAT_ADMIN_OPENIDS on
WeChat, the console's operator) and hands over their identity as `ctx.admin`: a button pressed
by someone else in the admin group is refused and changes nothing.
"""

from __future__ import annotations

from bot.commands import admin_preview as view
from bot.commands.context import Context
from bot.commands.issues import ref_label
from bot.commands.reply import Reply, replies
from bot.i18n import say, t, user_error
from core.services import editor_votes, ranking_votes, review
from domain.content import bold, paragraph
from domain.errors import InvalidInput
from domain.issue_ref import IssueRef, parse_issue_ref
from domain.numbers import bounded_int
from domain.types import EditField, IssueKind, IssueReview, MoveDirection

MAX_NUMBER = 1_000_000
FIELDS: dict[str, EditField] = {"tldr": "tldr", "title": "title", "note": "note"}


async def review_command(ctx: Context, argument: str) -> list[Reply]:
    """`/review` the newest draft, `/review 12` a daily, `/review w3` a weekly round-up."""
    if argument.strip():
        ref = issue_ref(argument, "/review")
        shown = await review.review_issue(ctx.db, number=ref.number, kind=ref.kind)
    else:
        shown = await _review(ctx, None)
    votes = await editor_votes.issue_votes(ctx.db, shown.issue)
    return view.preview(shown, ctx.language) + _votes(votes, ctx.language)


def _votes(votes: ranking_votes.IssueVotes, language: str) -> list[Reply]:
    """Readers' votes on the issue and, per paper, on its most similar past papers: counts
    only (editors alone see them); nothing when no reader marked any of them."""
    if not (votes.own.marks or votes.similar.marks):
        return []
    L = language
    lines = [
        say(L, "review_votes", title=bold(t(L, "review_votes_heading")), **_counts(votes.own)),
        say(L, "review_votes_similar", **_counts(votes.similar)),
    ]
    for paper in votes.papers:
        if paper.own.marks or paper.similar.tally.marks:
            lines.append(say(L, "review_votes_paper", position=paper.position,
                **_counts(paper.own), near=paper.similar.papers,
                **_counts(paper.similar.tally, "near_")))  # fmt: skip
    return replies(lines)


def _counts(tally: ranking_votes.Tally, prefix: str = "") -> dict[str, int]:
    return {f"{prefix}up": tally.up, f"{prefix}down": tally.down, f"{prefix}saved": tally.saved}


async def approve_command(ctx: Context, argument: str) -> list[Reply]:
    admin = ctx.admin
    if not argument.strip():
        number = (await review.review_issue(ctx.db)).issue.number
        ref = IssueRef(number)
    else:
        ref = issue_ref(argument, "/approve")
    await review.approve(
        ctx.db, number=ref.number, admin_id=admin.actor, approved_by=admin.label, kind=ref.kind
    )
    if ref.kind is IssueKind.WEEKLY:  # published by an editor: no scheduled run, no 公众号 draft
        return replies(t(ctx.language, "weekly_approved_done", number=ref.number))
    done = t(ctx.language, "approved_done", number=ref.number)
    return replies(done) + await _follow_ups(ctx, ref.number)


async def reject_command(ctx: Context, argument: str) -> list[Reply]:
    admin = ctx.admin
    head, _, reason = argument.strip().partition(" ")
    if not head or not reason.strip():
        raise user_error("reject_usage", InvalidInput)
    ref = issue_ref(head, "/reject")
    await review.reject(
        ctx.db, number=ref.number, admin_id=admin.actor, reason=reason, kind=ref.kind
    )
    shown = " ".join(reason.split())
    key = "weekly_rejected_done" if ref.kind is IssueKind.WEEKLY else "rejected_done"
    return replies(t(ctx.language, key, number=ref.number, reason=shown))


async def edit_command(ctx: Context, argument: str) -> list[Reply]:
    admin = ctx.admin
    parts = argument.strip().split(maxsplit=3)
    field = FIELDS.get(parts[2].lower()) if len(parts) == 4 else None
    position = bounded_int(parts[1], MAX_NUMBER) if len(parts) == 4 else None
    if field is None or position is None:
        raise user_error("edit_usage", InvalidInput)
    ref = issue_ref(parts[0], "/edit")  # `w3`: a weekly's title is its heading, tldr its text
    await review.edit_item(
        ctx.db, number=ref.number, position=position, field=field, text=parts[3],
        admin_id=admin.actor, kind=ref.kind,
    )  # fmt: skip
    label = ref_label(ctx.language, ref)
    if parts[3].strip() == review.CLEAR:
        return replies(t(ctx.language, "edit_cleared", ref=label, position=position, field=field))
    shown = parts[3].strip()
    return replies(
        t(ctx.language, "edit_done", ref=label, position=position, field=field, value=shown)
    )


def issue_ref(text: str, command: str) -> IssueRef:
    """`12`, `#12`, `第12期` → daily 12; `w3`, `周报3` → weekly 3; anything else asks again."""
    ref = parse_issue_ref(text.strip().removeprefix("#"))
    if ref is None or ref.number >= MAX_NUMBER:
        raise user_error("number_usage", InvalidInput, command=command)
    return ref


async def _review(ctx: Context, number: int | None) -> IssueReview:
    return await review.review_issue(ctx.db, number=number)


# -- buttons on the preview ----------------------------------------------------------------------


def _ints(args: tuple[str, ...], count: int) -> list[int]:
    numbers = [bounded_int(a, MAX_NUMBER) for a in args[:count]]
    if len(numbers) < count or any(n is None for n in numbers):
        raise user_error("expired_button", InvalidInput)
    return [n for n in numbers if n is not None]


async def page_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    number, page = _ints(args, 2)
    return view.preview(await _review(ctx, number), ctx.language, page, edit=True)


async def include_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    admin = ctx.admin
    number, position, included = _ints(args, 3)
    await review.set_included(
        ctx.db, number=number, position=position, included=bool(included), admin_id=admin.actor
    )
    return await _updated(ctx, number, position)


async def move_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    admin = ctx.admin
    number, position = _ints(args, 2)
    if len(args) != 3 or args[2] not in ("u", "d"):
        raise user_error("expired_button", InvalidInput)
    direction: MoveDirection = "up" if args[2] == "u" else "down"
    await review.move_item(
        ctx.db, number=number, position=position, direction=direction, admin_id=admin.actor
    )
    return await _updated(ctx, number, position - 1 if direction == "up" else position + 1)


async def approve_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    admin = ctx.admin
    weekly = parse_issue_ref(args[0]) if args else None
    if weekly is not None and weekly.kind is IssueKind.WEEKLY:  # the weekly preview's button
        return await approve_command(ctx, weekly.token)
    (number,) = _ints(args, 1)
    await review.approve(ctx.db, number=number, admin_id=admin.actor, approved_by=admin.label)
    done = replies(t(ctx.language, "approved_done", number=number))
    return await _updated(ctx, number, 1) + done + await _follow_ups(ctx, number)


async def _follow_ups(ctx: Context, number: int) -> list[Reply]:
    """What the composition root did after the approval (the WeChat draft), as replies."""
    if ctx.deps.ops is None:
        return []
    lines = await ctx.deps.ops.approved(number)
    return replies([paragraph(line) for line in lines]) if lines else []


async def reject_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Rejecting needs a reason, which a button cannot carry: ask for the command."""
    (number,) = _ints(args, 1)
    return replies(t(ctx.language, "reject_prompt", number=number))


async def _updated(ctx: Context, number: int, position: int) -> list[Reply]:
    """The preview again, on the page where the changed paper now is."""
    return view.preview(await _review(ctx, number), ctx.language, view.page_of(position), edit=True)
