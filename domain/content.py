"""What a command (or any notice) says, as structure instead of markup.

Commands build these values and each front end renders them: Telegram HTML (escaping is the
renderer's job, `bot/render/content.py`), console and WeChat text, the web pages to come. A
command never writes a tag nor escapes anything, and a translator never writes a tag either:
a sentence in `bot/i18n.py` is plain text whose placeholders may be filled with styled runs
(`bot.i18n.say`).

It lives in `domain`, below every package, because every consumer needs it: the chat front ends
in `bot/`, the web archive later, and the jobs' admin notices (`jobs/` may not import `bot`).
It imports nothing of ours but `domain.types`, for the two blocks that stand for an issue or a
paper already laid out by the `bot/render` templates: those carry the domain view and let each
renderer pick its own template format (and Telegram's 4096-character split stays in
`bot/render`, where the issue is cut between papers).

A message is a `Content`: blocks, one after another, each starting on a new line (`Blank` is
an empty line). Inline text is a tuple of runs: `Span`s (plain, bold, italic, code, struck
through) and `Link`s; a run may hold line breaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from domain.types import IssueView, PaperView

Style = Literal["plain", "bold", "italic", "code", "strike"]


@dataclass(frozen=True)
class Span:
    text: str
    style: Style = "plain"


@dataclass(frozen=True)
class Link:
    text: str
    url: str


Inline = Span | Link
Runs = tuple[Inline, ...]


def plain(text: str) -> Span:
    return Span(text)


def bold(text: str) -> Span:
    return Span(text, "bold")


def italic(text: str) -> Span:
    return Span(text, "italic")


def code(text: str) -> Span:
    return Span(text, "code")


def strike(text: str) -> Span:
    return Span(text, "strike")


def link(text: str, url: str) -> Link:
    return Link(text, url)


@dataclass(frozen=True)
class Paragraph:
    """Inline runs; the block's lines are the runs' own line breaks."""

    runs: Runs

    @property
    def text(self) -> str:
        """The words without their styles (links as their label): what tests and logs read."""
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class BulletList:
    items: tuple[Runs, ...]


@dataclass(frozen=True)
class NumberedList:
    """Items numbered from `start`; `loose` puts an empty line between them."""

    items: tuple[Runs, ...]
    start: int = 1
    loose: bool = False


@dataclass(frozen=True)
class Field:
    """`label` + `separator` + value; the separator is the language's (`: ` or `：`)."""

    label: str
    value: Runs
    separator: str = ": "


@dataclass(frozen=True)
class Blank:
    """An empty line between blocks."""


@dataclass(frozen=True)
class IssueMessage:
    """Message `part` (0-based) of an issue as the renderer's template format lays it out."""

    issue: IssueView
    part: int = 0
    web_url: str = ""  # the issue's web page, linked in its header ("" when there is none)


@dataclass(frozen=True)
class PaperMessage:
    """One paper's full card, labelled in `language`."""

    paper: PaperView
    language: str


Block = (
    Paragraph | Heading | BulletList | NumberedList | Field | Blank | IssueMessage | PaperMessage
)
Content = tuple[Block, ...]
_BLOCKS = (Paragraph, Heading, BulletList, NumberedList, Field, Blank, IssueMessage, PaperMessage)


def runs(*parts: Inline | str) -> Runs:
    """Inline runs (a list item, a field's value); a `str` is plain text."""
    return tuple(plain(part) if isinstance(part, str) else part for part in parts)


def paragraph(*parts: Inline | str) -> Paragraph:
    """A paragraph of runs; a `str` is plain text."""
    return Paragraph(runs(*parts))


def as_content(body: str | Block | Sequence[Block]) -> Content:
    """Plain text, one block or several, as a `Content`."""
    if isinstance(body, str):
        return (paragraph(body),)
    if isinstance(body, _BLOCKS):
        return (body,)
    return tuple(body)


def words(content: Content) -> str:
    """The content's text without styles, blocks on their own lines (issues and papers by their
    title): for assertions and logs, not for readers."""
    return "\n".join(_words(block) for block in content)


def _words(block: Block) -> str:
    if isinstance(block, Paragraph):
        return block.text
    if isinstance(block, Heading):
        return block.text
    if isinstance(block, BulletList | NumberedList):
        return "\n".join("".join(run.text for run in item) for item in block.items)
    if isinstance(block, Field):
        return block.label + block.separator + "".join(run.text for run in block.value)
    if isinstance(block, IssueMessage):
        return block.issue.title
    if isinstance(block, PaperMessage):
        return block.paper.meta.title
    return ""
