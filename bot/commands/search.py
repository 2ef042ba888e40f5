"""/search <words>: top hits (linked title, date, issues it appeared in, TL;DR), paged, with a
numbered 👍 👎 ⭐ row per hit."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.feedback import feedback_row, marks_for
from bot.commands.issues import pager
from bot.commands.memo import scope_of
from bot.commands.reply import Button, Reply, replies
from bot.i18n import say, t, user_error
from core.services.search import search_papers
from domain.content import Blank, Content, Heading, Inline, NumberedList, Runs, italic, link, plain
from domain.errors import InvalidInput
from domain.types import Page, SearchHit

PAGE_SIZE = 5
MAX_TLDR = 300
MAX_PAGE = 200


async def search(ctx: Context, argument: str) -> list[Reply]:
    if not argument.strip():
        raise user_error("search_usage", InvalidInput)
    return await search_page(ctx, argument.strip(), 1, edit=False)


async def search_more(ctx: Context, key: str, page: int) -> list[Reply]:
    """A ◀ ▶ press: the query comes back from the memo, or the button has expired."""
    query = ctx.deps.memo.recall(scope_of(ctx.caller), key)
    if query is None or not 0 < page <= MAX_PAGE:
        raise user_error("expired_button")
    return await search_page(ctx, query, page, edit=True)


async def search_page(ctx: Context, query: str, page: int, *, edit: bool) -> list[Reply]:
    offset = (page - 1) * PAGE_SIZE
    found = await search_papers(
        ctx.db, query=query, language=ctx.language, offset=offset, limit=PAGE_SIZE
    )
    if not found.items:
        return replies(say(ctx.language, "search_none", query=query[:100]), edit=edit)
    key = ctx.deps.memo.remember(scope_of(ctx.caller), query)
    pages = min(MAX_PAGE, -(-found.total // PAGE_SIZE))
    rows = (*await _feedback_rows(ctx, found), pager(ctx, "search", page, pages, key))
    return replies(_page(ctx, query, found), rows, edit=edit)


async def _feedback_rows(ctx: Context, found: Page[SearchHit]) -> tuple[tuple[Button, ...], ...]:
    """A compact 👍 👎 ⭐ row per listed paper, numbered as in the list."""
    ids = [hit.paper.id for hit in found.items]
    mine = await marks_for(ctx, ids)
    first = found.offset + 1
    return tuple(
        feedback_row(pid, number=first + i, mark=mine.get(pid)) for i, pid in enumerate(ids)
    )


def _page(ctx: Context, query: str, found: Page[SearchHit]) -> Content:
    total = f"{found.total - 1}+" if found.total_is_lower_bound else str(found.total)
    first, last = found.offset + 1, found.offset + len(found.items)
    title = t(ctx.language, "search_title", query=query[:100], first=first, last=last, total=total)
    hits = tuple(_hit(ctx, hit) for hit in found.items)
    return (Heading(title), Blank(), NumberedList(hits, start=first, loose=True))


def _hit(ctx: Context, hit: SearchHit) -> Runs:
    """The linked title, then the date and issues (italic), then the TL;DR: one line each."""
    meta, summary = hit.paper.meta, hit.paper.summary
    title = (
        summary.content.title_translated
        if summary and summary.content.title_translated
        else meta.title
    )
    facts = [f"{meta.published_at:%Y-%m-%d}"]
    if hit.issue_numbers:
        refs = "、".join(t(ctx.language, "issue_ref", number=i) for i in hit.issue_numbers[-3:])
        facts.append(t(ctx.language, "in_issues", issues=refs))
    runs: list[Inline] = [link(title, meta.abs_url), plain("\n"), italic(" · ".join(facts))]
    if summary and summary.content.tldr:
        runs.append(plain("\n" + _clip(summary.content.tldr, MAX_TLDR)))
    return tuple(runs)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
