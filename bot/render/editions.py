"""Telegram's editions of an issue as chunks: messages of text, or a paper's key figure as a
photo with its card as the caption.

The channel shows each paper that has a sendable key figure as one photo whose caption is the
paper's card; a caption may hold 1024 characters once parsed (`visible`), so a longer card
becomes the photo with the card's head (title, links, score, TL;DR: shortened field by field
to fit) and the rest (the analysis) as a text message after it. Papers without a figure are
packed into messages as before. Chats get text only; each message says which papers it lists
(`Chunk.refs`), so the front end can put a button row per paper under it.

Every choice here depends on the issue alone, so an edition's chunks are the same on every
render: the delivery ledger counts and resumes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from bot.render import short_title
from bot.render.context import PaperCard, issue_cards
from bot.render.engine import macro
from bot.render.labels import labels_for
from bot.render.split import MAX_MESSAGE, fit_card, pack_indexed, visible
from domain.fulltext import FigureView
from domain.types import IssueView

MAX_CAPTION = 1024  # Telegram's caption limit, counted after entity parsing
FMT = "telegram"


@dataclass(frozen=True)
class Chunk:
    """One message: its HTML, the papers it lists (their 1-based numbers in the issue) and,
    for a photo, the figure the HTML is the caption of."""

    text: str
    refs: tuple[int, ...] = ()
    photo: FigureView | None = None


def text_chunks(
    issue: IssueView, *, web_url: str = "", public_base_url: str | None = None
) -> list[Chunk]:
    """The issue as Telegram text messages (as `render_issue(…, "telegram")`), each with the
    numbers of the papers it lists; with `public_base_url` each card links its key figure."""
    labels = labels_for(issue.language)
    cards = issue_cards(issue, public_base_url)
    header = macro(FMT, "header", labels, short_title(issue), len(cards), web_url)
    return _packed(labels, header, cards)


def photo_chunks(
    issue: IssueView, *, web_url: str = "", sendable: Callable[[FigureView], bool]
) -> list[Chunk]:
    """The channel's edition: a photo per paper with a `sendable` key figure, text between."""
    labels = labels_for(issue.language)
    cards = issue_cards(issue)
    header = macro(FMT, "header", labels, short_title(issue), len(cards), web_url)
    chunks: list[Chunk] = []
    waiting: list[PaperCard] = []  # text cards since the last photo
    for card in cards:
        if card.figure is None or not sendable(card.figure):
            waiting.append(card)
            continue
        chunks += _packed(labels, header if not chunks else "", waiting)
        waiting = []
        chunks += _photo(labels, card, card.figure)
    return chunks + _packed(labels, header if not chunks else "", waiting)


def _packed(labels: dict[str, str], header: str, cards: list[PaperCard]) -> list[Chunk]:
    texts = [header] if header else []
    texts += [fit_card(card, partial(macro, FMT, "paper", labels)) for card in cards]
    refs = [0] * bool(header) + [card.ref for card in cards]
    return [
        Chunk(text, tuple(refs[i] for i in held if refs[i])) for text, held in pack_indexed(texts)
    ]


def _photo(labels: dict[str, str], card: PaperCard, figure: FigureView) -> list[Chunk]:
    """One photo with the whole card, or with its head and the rest as text."""
    whole = macro(FMT, "paper", labels, card, True)
    if visible(whole) <= MAX_CAPTION:
        return [Chunk(whole, (card.ref,), figure)]
    head = fit_card(
        card, lambda c: macro(FMT, "head", labels, c, True), limit=MAX_CAPTION, measure=visible
    )
    chunks = [Chunk(head, (card.ref,), figure)]
    body = macro(FMT, "body", labels, card)
    if body.strip():
        rest = fit_card(replace(card), lambda c: macro(FMT, "rest", labels, c), limit=MAX_MESSAGE)
        chunks.append(Chunk(rest, (card.ref,)))
    return chunks
