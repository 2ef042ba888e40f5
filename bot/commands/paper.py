"""/paper <arXiv id or URL>: one paper's full card (fetched and summarized on demand if new),
with 👍 👎 ⭐ and "similar papers" under it."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.feedback import marks_for, paper_row
from bot.commands.reply import Reply
from bot.i18n import user_error
from core.services.papers import find_paper, paper_by_id
from domain.content import PaperMessage
from domain.errors import InvalidInput, NotFound
from domain.types import PaperView


async def paper(ctx: Context, argument: str) -> list[Reply]:
    if not argument.strip():
        raise user_error("paper_usage", InvalidInput)
    arxiv_id, found = await find_paper(ctx.db, text=argument.split()[0], language=ctx.language)
    if found is None:
        found = await _fetch(ctx, arxiv_id)
    mark = (await marks_for(ctx, [found.id])).get(found.id)
    return [Reply((PaperMessage(found, ctx.language),), buttons=(paper_row(ctx, found.id, mark),))]


async def _fetch(ctx: Context, arxiv_id: str) -> PaperView:
    missing = user_error("paper_not_found", NotFound, arxiv_id=arxiv_id)
    if ctx.deps.fetch_paper is None:
        raise missing
    await ctx.deps.paper_limiter.spend(f"{ctx.caller.platform}:{ctx.caller.user_id}")
    paper_id = await ctx.deps.fetch_paper(arxiv_id, ctx.language)
    view = (
        None
        if paper_id is None
        else await paper_by_id(ctx.db, paper_id=paper_id, language=ctx.language)
    )
    if view is None:
        raise missing
    return view
