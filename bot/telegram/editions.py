"""Which edition of an issue a Telegram ledger row gets, and that edition as `Part`s.

- The channel (`CHANNEL_ID`): each paper with a key figure Telegram accepts as a photo is one
  photo with its card as the caption (`bot.render.editions`); the other papers are text.
  One message per such paper (two when its card is over the 1024-character caption limit),
  where text packs several papers into one message of ≤ 4096.
- A private chat: compact text as before, each card linking its key figure on the web archive
  (under PUBLIC_BASE_URL), and under each message one 👍 / 👎 / ⭐ row per paper it lists
  (`bot.commands.feedback.feedback_row`, signed by the sender): no extra messages.
- A group (or a channel subscribed as a chat): the private text without buttons. A vote is
  one reader's, and a group's buttons would be shared by all its members and grow every
  digest by a keyboard nobody in particular owns.

A private chat's id is positive on Telegram, a group's or channel's negative: the edition
comes from the row's kind and target alone, so it is the same on every run.
"""

from __future__ import annotations

from bot.commands.feedback import feedback_row
from bot.commands.reply import Button
from bot.render import render_issue
from bot.render.editions import Chunk, photo_chunks, text_chunks
from bot.telegram.targets import CHANNEL
from core.sending import Part, PartButton
from domain.fulltext import FigureView
from domain.types import IssueKind, IssueView

PRIVATE, GROUP = "private", "group"
PHOTO_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto: at most 10 MB…
MAX_PHOTO_SIDES = 10_000  # …width + height at most 10000…
MAX_PHOTO_RATIO = 20  # …and a side at most 20 times the other


def edition_of(kind: str, target: str) -> str:
    if kind == CHANNEL:
        return CHANNEL
    return PRIVATE if target.isdigit() else GROUP


def sendable_photo(figure: FigureView) -> bool:
    """Whether sendPhoto takes this figure (else the paper stays text)."""
    long, short = max(figure.width, figure.height), min(figure.width, figure.height)
    return (
        figure.mime_type in PHOTO_TYPES
        and 0 < figure.size <= MAX_PHOTO_BYTES
        and figure.width + figure.height <= MAX_PHOTO_SIDES
        and short > 0
        and long <= MAX_PHOTO_RATIO * short
    )


def edition_parts(
    issue: IssueView,
    edition: str,
    *,
    web_url: str,
    public_base_url: str | None,
    photos: bool,
    buttons: bool,
) -> list[Part]:
    """`issue` (already in its language) in `edition`; `photos`: the sender can send the
    channel's figures, `buttons`: it can sign the private chats' buttons. A weekly round-up
    is seed 001's five focused entries, as text in every edition."""
    if issue.kind is IssueKind.WEEKLY:
        return [Part(text) for text in render_issue(issue, "telegram", web_url=web_url)]
    if edition == CHANNEL and photos:
        chunks = photo_chunks(issue, web_url=web_url, sendable=sendable_photo)
        return [Part(chunk.text, chunk.photo) for chunk in chunks]
    base = None if edition == CHANNEL else public_base_url
    chunks = text_chunks(issue, web_url=web_url, public_base_url=base)
    if edition != PRIVATE or not buttons:
        return [Part(chunk.text) for chunk in chunks]
    return [Part(chunk.text, buttons=_feedback(issue, chunk)) for chunk in chunks]


def _feedback(issue: IssueView, chunk: Chunk) -> tuple[tuple[PartButton, ...], ...]:
    items = issue.included_items
    rows: list[tuple[Button, ...]] = [
        feedback_row(items[ref - 1].paper.id, number=ref) for ref in chunk.refs
    ]
    return tuple(rows)
