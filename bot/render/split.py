"""Fit rendered parts into chat messages: whole papers per message, never a cut inside a tag.

Lengths are counted by a `Measure`. Telegram's is `measure`: UTF-16 code units of the raw text,
HTML tags and entities included (the parsed text Telegram counts is never longer, so a part that
fits here fits there). WeCom robots count bytes of UTF-8 instead (`utf8_bytes`: a Chinese
character costs 3), markup included.
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
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
    "summary",
    "overview",
    "rating_reason",
    "editor_note",
    "keywords",
    "authors",
    "title",
    "display_title",
)


Measure = Callable[[str], int]
_TAG = re.compile(r"<[^>]*>")


def measure(text: str) -> int:
    """UTF-16 code units, as Telegram counts a message."""
    return len(text.encode("utf-16-le")) // 2


def utf8_bytes(text: str) -> int:
    """Bytes of UTF-8, as WeCom robots count a message."""
    return len(text.encode("utf-8"))


def visible(text: str) -> int:
    """UTF-16 code units of Telegram HTML once parsed (tags gone, entities decoded, trimmed):
    what Telegram counts against a caption's 1024. Our templates escape every `<` in text, so
    whatever looks like a tag is one."""
    return measure(html.unescape(_TAG.sub("", text)).strip())


def pack(
    parts: Sequence[str], *, limit: int = MAX_MESSAGE, measure: Measure = measure
) -> list[str]:
    """Greedily join parts into messages of at most `limit`; a part is never split."""
    return [text for text, _ in pack_indexed(parts, limit=limit, measure=measure)]


def pack_indexed(
    parts: Sequence[str], *, limit: int = MAX_MESSAGE, measure: Measure = measure
) -> list[tuple[str, tuple[int, ...]]]:
    """`pack`, saying which parts (by index) each message holds."""
    messages: list[tuple[str, tuple[int, ...]]] = []
    current, held = "", tuple[int, ...]()
    for index, part in enumerate(parts):
        if current and measure(current + SEPARATOR + part) <= limit:
            current, held = current + SEPARATOR + part, (*held, index)
            continue
        if current:
            messages.append((current, held))
        current, held = part, (index,)
    if current:
        messages.append((current, held))
    return messages


def fit_card(
    card: PaperCard,
    render: Callable[[PaperCard], str],
    *,
    limit: int = MAX_MESSAGE,
    measure: Measure = measure,
) -> str:
    """Render the card; while too long, shorten its longest field (with "…") and re-render.

    Fields are cut as text before rendering, so a cut can never land inside a tag or entity.
    How much to cut comes from what the field costs once rendered (escaping makes `<` cost 4).
    """
    rendered = render(card)
    done: set[tuple[str, int]] = set()
    while measure(rendered) > limit:
        candidate = _longest(card, done)
        if candidate is None:
            break  # nothing left to cut; cannot happen with our templates' fixed text
        name, index, value = candidate
        cost = measure(rendered) - measure(render(_replace(card, name, index, "")))
        if cost <= 0:  # this format does not show the field
            done.add((name, index))
            continue
        excess = measure(rendered) - limit
        keep = len(value) - math.ceil(excess * len(value) / cost) - len(ELLIPSIS)
        card = _replace(card, name, index, value[: max(keep, 0)].rstrip() + ELLIPSIS)
        rendered = render(card)
    return rendered


def _longest(card: PaperCard, done: set[tuple[str, int]]) -> tuple[str, int, str] | None:
    candidates = [(name, -1, str(getattr(card, name))) for name in _TEXT_FIELDS]
    candidates += [("contributions", i, item) for i, item in enumerate(card.contributions)]
    open_ = [c for c in candidates if (c[0], c[1]) not in done and len(c[2]) > len(ELLIPSIS)]
    return max(open_, key=lambda candidate: len(candidate[2]), default=None)


def _replace(card: PaperCard, name: str, index: int, value: str) -> PaperCard:
    if name == "contributions":
        items = list(card.contributions)
        items[index] = value
        return dataclasses.replace(card, contributions=tuple(items))
    changes: dict[str, object] = {name: value}
    return dataclasses.replace(card, **changes)  # type: ignore[arg-type]
