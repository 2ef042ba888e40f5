"""/saved (the reading list), /similar (nearest papers of the archive), /forget (delete my
feedback): what a reader does with their marks, and the buttons of those answers."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.feedback import feedback_row, marks_for, paper_id_arg, reader_of
from bot.commands.issues import pager
from bot.commands.reply import Button, Reply, Rows, grid, replies
from bot.commands.settings import check_may_change
from bot.i18n import t, user_error
from core.services import ranking
from core.services.reader_feedback import set_saved
from core.services.reading import saved_list, similar_papers, stored_paper_id
from domain.content import (
    Blank,
    Block,
    Heading,
    Inline,
    NumberedList,
    Runs,
    link,
    paragraph,
    plain,
)
from domain.errors import InvalidInput
from domain.numbers import bounded_int
from domain.types import PaperView

SAVED = "saved"  # a page of /saved: (page,)
UNSAVE = "unsave"  # ✕ on /saved: (paper id, page)
FORGET = "forget"  # /forget's confirmation: ("yes" | "no")
MAX_TLDR = 200
MAX_PAGE = 10_000


async def similar(ctx: Context, argument: str) -> list[Reply]:
    """/similar <arXiv id or URL>."""
    if not argument.strip():
        raise user_error("similar_usage", InvalidInput)
    paper_id = await stored_paper_id(ctx.db, argument.split()[0][:200])
    return await similar_of(ctx, paper_id)


async def similar_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """ "Similar papers" under /paper: (paper id,)."""
    return await similar_of(ctx, paper_id_arg(args))


async def similar_of(ctx: Context, paper_id: int) -> list[Reply]:
    seed, near = await similar_papers(
        ctx.db, paper_id, ctx.language, embeddings_model=ctx.settings.llm.embeddings_model
    )
    title = t(ctx.language, "similar_title", title=display_title(seed)[:120])
    if not near:
        return replies([Heading(title), Blank(), paragraph(t(ctx.language, "similar_none"))])
    mine = await marks_for(ctx, [p.id for p in near])
    rows = tuple(feedback_row(p.id, number=n, mark=mine.get(p.id)) for n, p in enumerate(near, 1))
    body: list[Block] = [Heading(title), Blank(), NumberedList(_items(near), loose=True)]
    return replies(body, rows)


async def saved(ctx: Context, argument: str) -> list[Reply]:
    """/saved [page]."""
    page = bounded_int(argument.strip(), MAX_PAGE) or 1
    return await saved_page(ctx, page, edit=False)


async def saved_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    page = bounded_int(args[0], MAX_PAGE) if len(args) == 1 else None
    if page is None:
        raise user_error("expired_button")
    return await saved_page(ctx, page, edit=True)


async def unsave_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """✕ on /saved: take the paper off the list and show the page again."""
    page = bounded_int(args[1], MAX_PAGE) if len(args) == 2 else None
    if page is None:
        raise user_error("expired_button")
    await check_may_change(ctx)
    await set_saved(ctx.db, reader_of(ctx), paper_id_arg(args), False)
    return await saved_page(ctx, page, edit=True)


async def saved_page(ctx: Context, page: int, *, edit: bool) -> list[Reply]:
    listing = await saved_list(ctx.db, reader_of(ctx), page - 1, ctx.language)
    if not listing.papers and page > 1:  # the last item of a last page went: one page back
        return await saved_page(ctx, min(page - 1, listing.pages), edit=edit)
    if not listing.papers:
        return replies(t(ctx.language, "saved_empty"), edit=edit)
    first = (page - 1) * ranking.SAVED_PAGE + 1
    heading = t(ctx.language, "saved_title", total=listing.total, page=page, pages=listing.pages)
    blocks = (Heading(heading), Blank(), NumberedList(_items(listing.papers), start=first))
    removes = tuple(
        Button(f"✕ {first + i}", UNSAVE, (str(p.id), str(page)))
        for i, p in enumerate(listing.papers)
    )
    rows: Rows = (*grid(removes, 5), pager(ctx, SAVED, page, listing.pages))
    return replies(blocks, rows, edit=edit)


async def forget(ctx: Context, argument: str) -> list[Reply]:
    """/forget: asks first; the buttons do it."""
    yes = Button(t(ctx.language, "forget_yes"), FORGET, ("yes",))
    no = Button(t(ctx.language, "forget_no"), FORGET, ("no",))
    return replies(t(ctx.language, "forget_confirm"), ((yes, no),))


async def forget_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if args not in (("yes",), ("no",)):
        raise user_error("expired_button")
    if args == ("no",):
        return replies(t(ctx.language, "forget_kept"), edit=True)
    await check_may_change(ctx)
    gone = await ranking.forget(ctx.db, reader_of(ctx))
    return replies(t(ctx.language, "forget_done", count=gone), edit=True)


def _items(papers: list[PaperView]) -> tuple[Runs, ...]:
    return tuple(_item(p) for p in papers)


def _item(paper: PaperView) -> Runs:
    """The linked title, then the TL;DR when there is one."""
    runs: list[Inline] = [link(display_title(paper), paper.meta.abs_url)]
    tldr = paper.summary.content.tldr if paper.summary else ""
    if tldr:
        runs.append(plain("\n" + (tldr if len(tldr) <= MAX_TLDR else tldr[: MAX_TLDR - 1] + "…")))
    return tuple(runs)


def display_title(paper: PaperView) -> str:
    """The title in the reader's language when the summary translated it."""
    summary = paper.summary
    translated = summary.content.title_translated if summary else None
    return translated or paper.meta.title
