"""/latest, /issue N, /issues: past issues (an issue as the messages its layout takes), paged
by buttons."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.reply import Button, Reply, grid, replies
from bot.i18n import say, t, user_error
from bot.render.content import issue_messages
from bot.web.links import public_issue_url
from core.services.issues import get_issue, latest_issue, list_issues, newest_number
from domain.content import Block, bold, paragraph
from domain.errors import InvalidInput
from domain.issue_ref import IssueRef, parse_issue_ref
from domain.numbers import bounded_int
from domain.types import IssueKind, IssueStatus, IssueView

PAGE_SIZE = 8
MAX_NUMBER = 1_000_000


async def latest(ctx: Context, argument: str) -> list[Reply]:
    view = await latest_issue(ctx.db, language=ctx.language)
    return _issue_replies(ctx, view, newest=view.number)


async def issue(ctx: Context, argument: str) -> list[Reply]:
    """`/issue 12` a daily, `/issue w3` (`周报3`) a weekly round-up."""
    ref = parse_ref(argument)
    return await show_issue(ctx, ref.number, ref.kind)


async def show_issue(ctx: Context, number: int, kind: IssueKind = IssueKind.DAILY) -> list[Reply]:
    view = await get_issue(ctx.db, number=number, language=ctx.language, kind=kind)
    return _issue_replies(ctx, view, newest=await newest_number(ctx.db, kind=kind))


async def issues(ctx: Context, argument: str) -> list[Reply]:
    page = bounded_int(argument.strip(), MAX_NUMBER) or 1
    return await issues_page(ctx, page, edit=False)


async def issues_page(ctx: Context, page: int, *, edit: bool) -> list[Reply]:
    listing = await list_issues(ctx.db, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if not listing.items:
        return replies(t(ctx.language, "issues_empty"), edit=edit)
    pages = max(1, -(-listing.total // PAGE_SIZE))
    heading = bold(t(ctx.language, "issues_heading"))
    blocks: list[Block] = [say(ctx.language, "issues_title", title=heading, total=listing.total)]
    refs = [IssueRef(i.number, i.kind) for i in listing.items]  # dailies and weeklies apart
    listed = zip(refs, listing.items, strict=True)
    blocks += [paragraph(f"{ref_label(ctx.language, r)} · {i.title}") for r, i in listed]
    blocks.append(paragraph(t(ctx.language, "issues_page", page=page, pages=pages)))
    picks = tuple(Button(ref_label(ctx.language, r), "issue", (r.token,)) for r in refs)
    rows = (*grid(picks, 4), pager(ctx, "issues", page, pages))
    return replies(blocks, rows, edit=edit)


def ref_label(language: str, ref: IssueRef) -> str:
    """`第3期` / `issue 3` for a daily, `周报第3期` / `weekly 3` for a round-up."""
    key = "weekly_ref" if ref.kind is IssueKind.WEEKLY else "issue_ref"
    return t(language, key, number=ref.number)


def parse_ref(argument: str) -> IssueRef:
    """`12`, `#12`, `第12期` → daily 12; `w3`, `周报3` → weekly 3; else a usage error."""
    ref = parse_issue_ref(argument.strip().removeprefix("#"))
    if ref is None or ref.number >= MAX_NUMBER:
        raise user_error("issue_usage", InvalidInput)
    return ref


def pager(ctx: Context, action: str, page: int, pages: int, *lead: str) -> tuple[Button, ...]:
    """◀ ▶ buttons; `lead` args come before the page number (e.g. a search key)."""
    back = (Button(t(ctx.language, "prev"), action, (*lead, str(page - 1))),) if page > 1 else ()
    more = (
        (Button(t(ctx.language, "next"), action, (*lead, str(page + 1))),) if page < pages else ()
    )
    return back + more


def _web_url(ctx: Context, view: IssueView) -> str:
    """The issue's web page, once there is one: PUBLIC_BASE_URL set and the issue published
    (an editor looking at a draft gets no link that would be 404)."""
    base = ctx.deps.settings.public_base_url
    if not base or view.status is not IssueStatus.PUBLISHED:
        return ""
    return public_issue_url(base, view.number, ctx.language, kind=view.kind)


def _issue_replies(ctx: Context, view: IssueView, *, newest: int) -> list[Reply]:
    *first, last = issue_messages(view, _web_url(ctx, view))
    nav = _issue_nav(ctx, IssueRef(view.number, view.kind), newest)
    return [Reply((m,)) for m in first] + [Reply((last,), buttons=(nav,))]


def _issue_nav(ctx: Context, ref: IssueRef, newest: int) -> tuple[Button, ...]:
    """◀ ▶ to the neighbours of the same kind (dailies and weeklies are numbered apart)."""
    older, newer = IssueRef(ref.number - 1, ref.kind), IssueRef(ref.number + 1, ref.kind)
    daily = ref.kind is IssueKind.DAILY
    back_text = (
        t(ctx.language, "prev_issue", number=older.number)
        if daily
        else f"◀ {ref_label(ctx.language, older)}"
    )
    ahead_text = (
        t(ctx.language, "next_issue", number=newer.number)
        if daily
        else f"{ref_label(ctx.language, newer)} ▶"
    )
    back = (Button(back_text, "issue", (older.token,)),) if ref.number > 1 else ()
    ahead = (Button(ahead_text, "issue", (newer.token,)),) if ref.number < newest else ()
    return back + ahead
