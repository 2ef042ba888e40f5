"""Marking a paper by what the reader typed (`赞 3`, `收藏 2402.01399`): for front ends without
buttons under each paper (WeChat). The number is the paper's number in the newest published
issue, as the reader read it there; an arXiv id names any stored paper.

Typed marks are set, not toggled: typing `赞 3` twice is one like (a retyped or re-sent message
must not take it back); `取消收藏 3` and the like take a mark back explicitly. It is an action
(`mark`, args: what, which) so it shares the buttons' budget and dispatch; no button carries it.
"""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.feedback import reader_of
from bot.commands.reading import display_title
from bot.commands.reply import Reply, replies
from bot.i18n import t, user_error
from core.services.reader_feedback import set_saved, set_vote
from core.services.reading import paper_of_latest_issue, stored_paper_id
from domain.errors import InvalidInput
from domain.numbers import bounded_int

MARK = "mark"
MAX_NUMBER = 999
# what -> (vote or None, saved or None, the sentence answering it)
WHAT: dict[str, tuple[int | None, bool | None, str]] = {
    "up": (1, None, "mark_liked"),
    "down": (-1, None, "mark_disliked"),
    "unvote": (0, None, "mark_unvoted"),
    "save": (None, True, "mark_saved"),
    "unsave": (None, False, "mark_unsaved"),
}


async def mark_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if len(args) != 2 or args[0] not in WHAT:
        raise user_error("expired_button")
    vote, saved, sentence = WHAT[args[0]]
    paper_id, where = await _paper(ctx, args[1])
    reader = reader_of(ctx)
    if vote is not None:
        await set_vote(ctx.db, reader, paper_id, vote)
    if saved is not None:
        await set_saved(ctx.db, reader, paper_id, saved)
    return replies(t(ctx.language, sentence, paper=where))


async def _paper(ctx: Context, which: str) -> tuple[int, str]:
    """The paper id and how to name it back: `第12期第3篇《…》` or the arXiv id."""
    which = which.strip()
    if not which:
        raise user_error("mark_usage", InvalidInput)
    if which.isascii() and which.isdigit():
        number = bounded_int(which, MAX_NUMBER)
        if not number:
            raise user_error("mark_usage", InvalidInput)
        issue, paper = await paper_of_latest_issue(ctx.db, number, ctx.language)
        title = display_title(paper)
        title = title if len(title) <= 80 else title[:79] + "…"
        return paper.id, t(ctx.language, "mark_in_issue", issue=issue, number=number, title=title)
    paper_id = await stored_paper_id(ctx.db, which[:200])
    return paper_id, which[:60]
