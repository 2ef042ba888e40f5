"""Command replies as WeChat text (their plain text: links spelled out), buttons as typed hints.

A passive text reply carries at most 2048 bytes of UTF-8 (a Chinese character is 3), so longer
answers are shortened here: an issue becomes its overview (title, the first papers' titles, a
link or "reply 第N期 2"), anything else keeps whole paragraphs and the rest waits for "更多".
Cuts only ever fall between characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.commands.feedback import FEEDBACK
from bot.commands.reply import Button, Reply
from bot.web.links import public_issue_url
from domain.types import IssueView

MAX_BYTES = 2048

_HINTS = {
    "zh": {
        "next": "回复「下一页」(n) 翻页",
        "prev": "「上一页」(p) 返回",
        "pick": "回复 {press} {label}",
        "more": "回复「更多」查看其余部分（{part}/{parts}）",
        "part": "回复「第{number}期 {part}」看下一部分",
        "link": "全文：{url}",
        "papers": "共 {count} 篇",
        "working": "正在处理，稍后把结果发给你。",
        "failed": "出错了，请稍后再试。",
        "no_more": "没有更多了。",
        "text_only": "请发送文字，例如「帮助」。",
    },
    "en": {
        "next": "reply n (下一页) for more",
        "prev": "p (上一页) to go back",
        "pick": "reply {press} for {label}",
        "more": "reply more (更多) for the rest ({part}/{parts})",
        "part": "reply “issue {number} {part}” for the next part",
        "link": "Full issue: {url}",
        "papers": "{count} papers",
        "working": "Working on it… I will send you the result shortly.",
        "failed": "Something went wrong; please try again later.",
        "no_more": "Nothing more to show.",
        "text_only": "Please send text, e.g. “help”.",
    },
}


def hint(language: str, key: str, **values: object) -> str:
    table = _HINTS.get(language, _HINTS["en"])
    return table[key].format(**values)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` bytes of UTF-8, cut between characters (never inside one)."""
    if utf8_len(text) <= limit:
        return text
    room = max(0, limit - utf8_len(ellipsis))
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore") + ellipsis


@dataclass
class Answer:
    """What one message gets back: the text to send and what its hints refer to."""

    text: str
    buttons: tuple[Button, ...] = ()
    rest: tuple[str, ...] = ()  # further parts, sent on "更多"


@dataclass
class Rendered:
    body: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


def render(replies: list[Reply]) -> Rendered:
    """The replies as one text; the buttons of every reply, in order. Feedback buttons are left
    out: WeChat readers type 赞 3 / 收藏 3 instead (`bot.wechat.feedback`), and fifteen
    numbered hints would crowd out the answer."""
    buttons = tuple(
        button
        for reply in replies
        for row in reply.buttons
        for button in row
        if button.action != FEEDBACK
    )
    body = "\n\n".join(reply.text.strip() for reply in replies)
    return Rendered(body=body, buttons=buttons)


def button_hints(buttons: tuple[Button, ...], language: str) -> str:
    """Pagers (◀ ▶) by 上一页/下一页, any other button by its number `b1`, `b2`…"""
    words: list[str] = []
    if any(is_next(b) for b in buttons):
        words.append(hint(language, "next"))
    if any(is_prev(b) for b in buttons):
        words.append(hint(language, "prev"))
    others = [(n, b) for n, b in enumerate(buttons, 1) if not (is_next(b) or is_prev(b))]
    words += [hint(language, "pick", press=f"b{n}", label=b.label) for n, b in others]
    return " · ".join(words)


def is_next(button: Button) -> bool:
    return button.label.rstrip().endswith("▶")


def is_prev(button: Button) -> bool:
    return button.label.lstrip().startswith("◀")


def fit(rendered: Rendered, language: str, limit: int = MAX_BYTES) -> Answer:
    """One reply of at most `limit` bytes: whole paragraphs first, the rest kept for 更多."""
    hints = button_hints(rendered.buttons, language)
    whole = _join(rendered.body, hints)
    if utf8_len(whole) <= limit:
        return Answer(whole, rendered.buttons)
    parts = split_parts(rendered.body, limit - utf8_len(hints) - 120)
    first = _join(parts[0], hint(language, "more", part=1, parts=len(parts)), hints)
    rest = tuple(
        _join(part, hint(language, "more", part=n, parts=len(parts)) if n < len(parts) else "")
        for n, part in enumerate(parts[1:], 2)
    )
    return Answer(clip(first, limit), rendered.buttons, rest)


def split_parts(body: str, budget: int) -> list[str]:
    """Paragraphs packed into parts of at most `budget` bytes; an oversized one is clipped."""
    parts: list[str] = []
    current = ""
    for paragraph in body.split("\n\n"):
        paragraph = clip(paragraph, budget)
        candidate = _join(current, paragraph)
        if current and utf8_len(candidate) > budget:
            parts.append(current)
            candidate = paragraph
        current = candidate
    return [*parts, current] if current or not parts else parts


def issue_overview(
    view: IssueView, language: str, base_url: str | None, limit: int = MAX_BYTES
) -> str:
    """A too-long issue as its title, the first papers' titles and where to read the rest."""
    items = view.included_items
    footer = [hint(language, "papers", count=len(items))]
    if base_url:
        url = public_issue_url(base_url, view.number, language)
        footer.append(hint(language, "link", url=url))
    footer.append(hint(language, "part", number=view.number, part=2))
    tail = "\n".join(footer)
    lines = [view.title]
    for n, item in enumerate(items, 1):
        line = clip(f"{n}. {item.display_title}", 300)
        if utf8_len(_join("\n".join([*lines, line]), tail)) > limit:
            lines.append("…")
            break
        lines.append(line)
    return clip(_join("\n".join(lines), tail), limit)


def issue_part(
    full: Rendered, number: int, part: int, language: str, limit: int = MAX_BYTES
) -> str:
    """Part `part` (2, 3…) of an issue: its full text in reply-sized pieces, part 1 being
    the overview."""
    pieces = split_parts(full.body, limit - 200)
    if not 2 <= part <= len(pieces) + 1:
        return hint(language, "no_more")
    text = pieces[part - 2]
    following = hint(language, "part", number=number, part=part + 1)
    return clip(_join(text, following if part <= len(pieces) else ""), limit)


def _join(*blocks: str) -> str:
    return "\n\n".join(block for block in blocks if block)
