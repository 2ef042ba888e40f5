"""`domain.content` rendered: Telegram HTML and plain text (the console's and WeChat's).

Escaping happens here and only here: every piece of text is escaped as it becomes HTML, so a
command can hand over a title with `<`, `&` or LaTeX as it is. An issue or a paper block is
laid out by the `telegram` templates (`render_issue`, `render_paper`), which also cut an issue
into messages of at most 4096 characters (`issue_messages` says how many). Plain text is what
that HTML reads as: tags dropped, links spelled out as `label (url)`, entities decoded — for
issues and papers literally so (`html_to_text` of their Telegram message), which keeps the
console and WeChat showing exactly what Telegram shows. WeChat's byte limits and typed hints
stay in `bot/wechat/text.py`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape

from bot.render import render_issue, render_paper
from domain.content import (
    Blank,
    Block,
    BulletList,
    Content,
    Field,
    Heading,
    Inline,
    IssueMessage,
    Link,
    NumberedList,
    PaperMessage,
    Paragraph,
    Runs,
    Span,
)
from domain.types import IssueView

_TAGS = {"bold": "b", "italic": "i", "code": "code", "strike": "s"}
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def issue_messages(issue: IssueView, web_url: str = "") -> list[IssueMessage]:
    """The issue as the Telegram messages it takes (split between papers, ≤ 4096 each);
    `web_url`, its page on the web archive, is linked in the header."""
    count = len(_telegram_issue(issue, web_url))
    return [IssueMessage(issue, part, web_url) for part in range(count)]


@dataclass(frozen=True)
class _Form:
    """How one output writes the few things that differ: runs, literal text, a heading, and
    an issue or paper that the `telegram` templates laid out as HTML."""

    runs: Callable[[Runs], str]
    text: Callable[[str], str]
    heading: Callable[[str], str]
    laid_out: Callable[[str], str]


def _block(block: Block, form: _Form) -> str:
    """One block; lists and fields are laid out alike in every output."""
    if isinstance(block, Paragraph):
        return form.runs(block.runs)
    if isinstance(block, Heading):
        return form.heading(block.text)
    if isinstance(block, BulletList):
        return "\n".join(f"• {form.runs(item)}" for item in block.items)
    if isinstance(block, NumberedList):
        gap = "\n\n" if block.loose else "\n"
        numbered = enumerate(block.items, block.start)
        return gap.join(f"{n}. {form.runs(item)}" for n, item in numbered)
    if isinstance(block, Field):
        return form.text(block.label + block.separator) + form.runs(block.value)
    return form.laid_out(_laid_out(block))


# -- Telegram HTML ----------------------------------------------------------------------------


def telegram_html(content: Content) -> str:
    return "\n".join(_block(block, _HTML) for block in content)


def _laid_out(block: Block) -> str:
    if isinstance(block, IssueMessage):
        return _telegram_issue(block.issue, block.web_url)[block.part]
    if isinstance(block, PaperMessage):
        return "\n\n".join(render_paper(block.paper, "telegram", block.language))
    assert isinstance(block, Blank)
    return ""


def _runs_html(runs: Runs) -> str:
    return "".join(_inline_html(run) for run in runs)


def _inline_html(run: Inline) -> str:
    if isinstance(run, Link):
        return f'<a href="{escape(run.url)}">{escape(run.text)}</a>'
    tag = _TAGS.get(run.style)
    return f"<{tag}>{escape(run.text)}</{tag}>" if tag else escape(run.text)


_RECENT: OrderedDict[tuple[int, str], tuple[IssueView, tuple[str, ...]]] = OrderedDict()


def _telegram_issue(issue: IssueView, web_url: str) -> tuple[str, ...]:
    """An issue's messages, rendered once for all its parts: views are frozen, so the same view
    object renders the same (views hold lists, so they are remembered by identity)."""
    key = (id(issue), web_url)
    seen = _RECENT.get(key)
    if seen is not None and seen[0] is issue:
        return seen[1]
    messages = tuple(render_issue(issue, "telegram", web_url=web_url))
    _RECENT[key] = (issue, messages)
    while len(_RECENT) > 8:
        _RECENT.popitem(last=False)
    return messages


# -- plain text ---------------------------------------------------------------------------------


def plain_text(content: Content) -> str:
    return "\n".join(_block(block, _TEXT) for block in content)


def _runs_text(runs: Runs) -> str:
    return "".join(_inline_text(run) for run in runs)


def _inline_text(run: Inline) -> str:
    if isinstance(run, Span):
        return run.text
    return run.url if run.text == run.url else f"{run.text} ({run.url})"


def html_to_text(html: str) -> str:
    """Telegram HTML as text: links spelled out, tags dropped, entities decoded."""

    def link(match: re.Match[str]) -> str:
        url, label = unescape(match[1]), _TAG.sub("", match[2])
        return f"{label} ({url})" if unescape(label) != url else url

    return unescape(_TAG.sub("", _LINK.sub(link, html)))


def _unchanged(text: str) -> str:
    return text


_HTML = _Form(_runs_html, escape, lambda text: f"<b>{escape(text)}</b>", _unchanged)
_TEXT = _Form(_runs_text, _unchanged, _unchanged, html_to_text)
