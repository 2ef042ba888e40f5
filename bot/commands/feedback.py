"""👍 👎 ⭐ under a paper: the buttons, and what a press does (the "fb" action).

A press toggles the caller's own mark (`core.services.reader_feedback`) and is answered with
a toast, not a new message; in a private chat the pressed buttons then show the mark (👍✓).
In a group the chat is the reader, so any member's press marks the group's copy, but the
buttons stay unmarked: one member's vote is not shown to the others.
"""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.reply import Button, Check, Reply, checked, toast
from bot.i18n import t, user_error
from core.services.ranking import Reader
from core.services.reader_feedback import Marks, Press, marks, press
from domain.numbers import bounded_int

FEEDBACK = "fb"  # the action name
SIMILAR = "sim"  # "similar papers" under a paper (bot.commands.similar)
MAX_PAPER_ID = 2**31 - 1
_LABELS = {Press.UP: "👍", Press.DOWN: "👎", Press.SAVE: "⭐"}
_TOASTS = {  # (press, on) -> sentence
    (Press.UP, True): "fb_liked",
    (Press.UP, False): "fb_unliked",
    (Press.DOWN, True): "fb_disliked",
    (Press.DOWN, False): "fb_undisliked",
    (Press.SAVE, True): "fb_saved",
    (Press.SAVE, False): "fb_unsaved",
}


def feedback_row(
    paper_id: int, *, number: int | None = None, mark: Marks | None = None
) -> tuple[Button, ...]:
    """👍 👎 ⭐ for one paper; labels carry `number` (e.g. "👍 3") when a message lists several,
    and a check mark for the reader's own `mark` when given (private chats only)."""
    states = _states(mark or Marks())
    suffix = "" if number is None else f" {number}"
    return tuple(
        Button(checked(_LABELS[kind] + suffix, states[kind]), FEEDBACK, (str(paper_id), kind.value))
        for kind in Press
    )


def paper_row(ctx: Context, paper_id: int, mark: Marks | None) -> tuple[Button, ...]:
    """/paper's one row: 👍 👎 ⭐ and "similar papers"."""
    similar = Button(t(ctx.language, "similar_button"), SIMILAR, (str(paper_id),))
    return (*feedback_row(paper_id, mark=mark), similar)


async def marks_for(ctx: Context, paper_ids: list[int]) -> dict[int, Marks]:
    """The caller's marks on these papers for their buttons; none shown outside private chats."""
    if ctx.caller.chat_type != "private" or not paper_ids:
        return {}
    return await marks(ctx.db, reader_of(ctx), paper_ids)


def reader_of(ctx: Context) -> Reader:
    return Reader(ctx.caller.platform, ctx.caller.chat_id)


def paper_id_arg(args: tuple[str, ...]) -> int:
    """The paper id a button carries first; anything else is forged or stale."""
    value = bounded_int(args[0], MAX_PAPER_ID) if args else None
    if value is None:
        raise user_error("expired_button")
    return value


async def feedback_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """A 👍 👎 ⭐ press: (paper id, up|down|save)."""
    if len(args) != 2 or args[1] not in {p.value for p in Press}:
        raise user_error("expired_button")
    paper_id, pressed = paper_id_arg(args), Press(args[1])
    after = await press(ctx.db, reader_of(ctx), paper_id, pressed)
    text = t(ctx.language, _TOASTS[(pressed, _states(after)[pressed])])
    if ctx.caller.chat_type != "private":
        return toast(text)
    states = _states(after)
    checks = tuple(Check(FEEDBACK, (str(paper_id), kind.value), states[kind]) for kind in Press)
    return toast(text, checks)


def _states(mark: Marks) -> dict[Press, bool]:
    return {Press.UP: mark.vote > 0, Press.DOWN: mark.vote < 0, Press.SAVE: mark.saved}
