"""A weekly round-up (周报) in seed 001's shape, in every format.

Seed 001: the title line (`【极速前进】20240415-20240421: 主题、主题`), then per paper a heading
numbered 一、二、三 that states its claim, `论文地址:` with the link, and the focused explanation
(formulas kept). Documents (md, cards, toc: a weekly has one shape) are one Markdown text;
`telegram`, `text` and `wecom` are chat messages split between papers; `wechat` the 公众号 article.
Every value goes through the format's own escaping: Markdown, WeCom look-alikes, or HTML
autoescape (`templates/weekly_html.j2`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.render.engine import template, tidy
from bot.render.labels import labels_for
from bot.render.markdown import md_block, md_inline
from bot.render.split import Measure, pack
from bot.render.wecom import wc_block, wc_inline
from domain.issue_ref import IssueRef
from domain.types import IssueItemView, IssueView

_NUMERALS = "一二三四五六七八九十"
DOCUMENTS = ("md", "cards", "toc", "wechat")
MAX_EXPLANATION = 3000  # a part must fit one message (4096) with its heading and link
_PLAIN: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "md": (md_inline, md_block),
    "wecom": (wc_inline, wc_block),
    "text": (str, str),
}


@dataclass(frozen=True)
class WeeklyEntry:
    ordinal: str  # "一、" … "十、" (zh) or "1. " (en): the numbered heading's start
    heading: str
    url: str  # the paper's PDF, as the seed links it
    explanation: str
    title: str  # the English title, for the reader who looks it up


def ordinal(position: int, language: str) -> str:
    """`一、`…`十、` in Chinese (then `11、`), `1. ` in English."""
    if language != "zh":
        return f"{position}. "
    return f"{_NUMERALS[position - 1] if position <= len(_NUMERALS) else position}、"


def weekly_entries(issue: IssueView) -> list[WeeklyEntry]:
    return [
        _entry(item, position, issue.language)
        for position, item in enumerate(issue.included_items, start=1)
    ]


def _entry(item: IssueItemView, position: int, language: str) -> WeeklyEntry:
    # The editor's words (`/edit w3 2 tldr|title …`) before the generated ones.
    explanation = (
        item.tldr_override or item.explanation or item.tldr or item.paper.meta.abstract
    ).strip()
    if len(explanation) > MAX_EXPLANATION:
        explanation = explanation[: MAX_EXPLANATION - 1].rstrip() + "…"
    return WeeklyEntry(
        ordinal=ordinal(position, language),
        heading=(item.title_override or item.heading or item.display_title).strip(),
        url=item.paper.meta.pdf_url,
        explanation=explanation,
        title=" ".join(item.paper.meta.title.split()),
    )


def render_weekly(issue: IssueView, fmt: str, *, web_url: str, measure: Measure) -> list[str]:
    """The round-up in `fmt`: one document (md, cards, toc, wechat) or chat messages."""
    labels = labels_for(issue.language)
    ref = IssueRef(issue.number, issue.kind)
    entries = weekly_entries(issue)
    html = fmt in ("telegram", "wechat")
    flavour = fmt if html or fmt in _PLAIN else "md"  # cards and toc: a weekly has one shape
    inline, block = (str, str) if html else _PLAIN[flavour]
    scope = {"L": labels, "label": ref.label(issue.language), "inline": inline, "block": block}
    module: Any = template("weekly_html" if html else "weekly").make_module(scope)
    header = tidy(str(module.header(issue, flavour, web_url)))
    parts = [tidy(str(module.entry(entry, flavour))) for entry in entries]
    if fmt in DOCUMENTS:
        return ["\n\n".join([header, *parts]) + "\n"]
    return pack([header, *parts], measure=measure)
