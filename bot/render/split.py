"""Fit rendered parts into chat messages: whole papers per message, never a cut inside a tag.

Lengths are counted in UTF-16 code units of the raw text, HTML tags and entities included: the
parsed text Telegram counts is never longer, so a part that fits here fits there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from bot.render.context import PaperCard

MAX_MESSAGE = 4096
ELLIPSIS = "…"
SEPARATOR = "\n\n"
_TEXT_FIELDS = (
    "abstract",
    "abstract_translated",
    "background",
    "method",
    "results",
    "future_work",
    "tldr",
    "rating_reason",
    "editor_note",
    "keywords",
    "authors",
    "title",
    "display_title",
)


def measure(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def pack(parts: Sequence[str], *, limit: int = MAX_MESSAGE) -> list[str]:
    """Greedily join parts into messages of at most `limit`; a part is never split."""
    messages: list[str] = []
    current = ""
    for part in parts:
        if current and measure(current + SEPARATOR + part) <= limit:
            current += SEPARATOR + part
            continue
        if current:
            messages.append(current)
        current = part
    if current:
        messages.append(current)
    return messages


def fit_card(
    card: PaperCard, render: Callable[[PaperCard], str], *, limit: int = MAX_MESSAGE
) -> str:
    """Render the card; while too long, shorten its longest field (with "…") and re-render.

    Fields are cut as text before rendering, so a cut can never land inside a tag or entity.
    """
    rendered = render(card)
    while measure(rendered) > limit:
        name, index, value = _longest(card)
        if len(value) <= 1:
            break  # nothing left to cut; cannot happen with our templates' fixed text
        keep = max(0, len(value) - (measure(rendered) - limit) - len(ELLIPSIS))
        card = _replace(card, name, index, value[:keep].rstrip() + ELLIPSIS)
        rendered = render(card)
    return rendered


def _longest(card: PaperCard) -> tuple[str, int, str]:
    candidates = [(name, -1, str(getattr(card, name))) for name in _TEXT_FIELDS]
    candidates += [("contributions", i, item) for i, item in enumerate(card.contributions)]
    return max(candidates, key=lambda candidate: len(candidate[2]))


def _replace(card: PaperCard, name: str, index: int, value: str) -> PaperCard:
    if name == "contributions":
        items = list(card.contributions)
        items[index] = value
        return dataclasses.replace(card, contributions=tuple(items))
    changes: dict[str, object] = {name: value}
    return dataclasses.replace(card, **changes)  # type: ignore[arg-type]
