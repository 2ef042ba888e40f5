"""/search <words>: top hits (linked title, date, issues it appeared in, TL;DR), paged."""

from __future__ import annotations

from html import escape

from bot.commands.context import Context
from bot.commands.issues import pager
from bot.commands.memo import scope_of
from bot.commands.reply import Reply, replies
from bot.i18n import t, user_error
from core.services.search import search_papers
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
        return replies(t(ctx.language, "search_none", query=escape(query[:100])), edit=edit)
    key = ctx.deps.memo.remember(scope_of(ctx.caller), query)
    pages = min(MAX_PAGE, -(-found.total // PAGE_SIZE))
    return replies(
        _page_html(ctx, query, found), (pager(ctx, "search", page, pages, key),), edit=edit
    )


def _page_html(ctx: Context, query: str, found: Page[SearchHit]) -> str:
    total = f"{found.total - 1}+" if found.total_is_lower_bound else str(found.total)
    first, last = found.offset + 1, found.offset + len(found.items)
    title = t(
        ctx.language, "search_title", query=escape(query[:100]), first=first, last=last, total=total
    )
    blocks = [f"<b>{title}</b>"]
    blocks += [_hit_html(ctx, n, hit) for n, hit in enumerate(found.items, start=first)]
    return "\n\n".join(blocks)


def _hit_html(ctx: Context, n: int, hit: SearchHit) -> str:
    meta, summary = hit.paper.meta, hit.paper.summary
    title = (
        summary.content.title_translated
        if summary and summary.content.title_translated
        else meta.title
    )
    line = f'{n}. <a href="{escape(meta.abs_url)}">{escape(title)}</a>'
    facts = [f"{meta.published_at:%Y-%m-%d}"]
    if hit.issue_numbers:
        refs = "、".join(t(ctx.language, "issue_ref", number=i) for i in hit.issue_numbers[-3:])
        facts.append(t(ctx.language, "in_issues", issues=refs))
    lines = [line, "<i>" + " · ".join(facts) + "</i>"]
    if summary and summary.content.tldr:
        lines.append(escape(_clip(summary.content.tldr, MAX_TLDR)))
    return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
