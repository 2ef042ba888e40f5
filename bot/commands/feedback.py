"""Placeholder for h-reader's feedback buttons (issue 13): the API the Telegram delivery uses.

At integration h-reader's module replaces this one; only `FEEDBACK` and `feedback_row` are
relied on (labels "👍 3" "👎 3" "⭐ 3", args (paper id, "up" | "down" | "save")).
"""

from __future__ import annotations

from bot.commands.reply import Button

FEEDBACK = "fb"
_MARKS = (("👍", "up"), ("👎", "down"), ("⭐", "save"))


def feedback_row(paper_id: int, *, number: int | None = None) -> tuple[Button, ...]:
    """One paper's 👍 / 👎 / ⭐ buttons, labelled with its number in the message when given."""
    suffix = f" {number}" if number is not None else ""
    return tuple(Button(f"{mark}{suffix}", FEEDBACK, (str(paper_id), arg)) for mark, arg in _MARKS)
