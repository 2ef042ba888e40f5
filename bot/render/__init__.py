"""Render issues and papers: Markdown in the three seed formats, Telegram HTML, plain text and
WeCom robot markdown.

`md` is the numbered issue of seed 000, `cards` the structured cards of seed 002, `toc` the
table of contents + details of seed 003 (each one Markdown document); `telegram` and `text`
are lists of chat messages of at most 4096 characters, `wecom` of at most 4096 bytes of UTF-8,
split between papers; `wechat` is one HTML document for the 公众号 editor (inline styles
only), see `render_article`. A weekly round-up has seed 001's shape in every format
(`bot/render/weekly.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial

from bot.render.context import PaperCard, card_from_paper, issue_cards
from bot.render.engine import macro, template, tidy
from bot.render.labels import labels_for
from bot.render.split import MAX_MESSAGE, Measure, fit_card, measure, pack, utf8_bytes
from bot.render.weekly import render_weekly
from domain.errors import InvalidInput
from domain.types import IssueKind, IssueView, PaperView

MARKDOWN_FORMATS = ("md", "cards", "toc")
MESSAGE_FORMATS = ("telegram", "text", "wecom")
ARTICLE_FORMATS = ("wechat",)
DOCUMENT_FORMATS = MARKDOWN_FORMATS + ARTICLE_FORMATS
FORMATS = MARKDOWN_FORMATS + MESSAGE_FORMATS + ARTICLE_FORMATS
MAX_HEADER_TITLE = 1000
_MEASURES: dict[str, Measure] = {"wecom": utf8_bytes}  # the others count UTF-16 units

__all__ = ["FORMATS", "MAX_MESSAGE", "render_article", "render_issue", "render_paper"]


def render_issue(
    issue: IssueView, fmt: str, *, web_url: str = "", public_base_url: str | None = None
) -> list[str]:
    """The issue in `fmt`: one Markdown document, or the chat messages in order; `web_url`
    (the issue's page on the web archive) is linked in a message format's header;
    `public_base_url` (PUBLIC_BASE_URL) lets a document show each key figure from the web."""
    _check_format(fmt)
    if issue.kind is IssueKind.WEEKLY:
        return render_weekly(short_title(issue), fmt, web_url=web_url, measure=_measure(fmt))
    labels = labels_for(issue.language)
    cards = issue_cards(issue, public_base_url)
    if fmt in DOCUMENT_FORMATS:
        text = template(fmt).render(issue=issue, cards=cards, L=labels, compact=False)
        return [tidy(text) + "\n"]
    header = macro(fmt, "header", labels, short_title(issue), len(cards), web_url)
    parts = [header, *(_paper_part(fmt, labels, card) for card in cards)]
    return pack(parts, measure=_measure(fmt))


def render_article(
    issue: IssueView, *, compact: bool = False, figure_urls: Mapping[int, str] | None = None
) -> str:
    """The issue as 公众号 article HTML; `compact` keeps only each paper's TL;DR (drafts have a
    20,000-character limit). `figure_urls` (paper id → the URL WeChat's image upload gave)
    shows those key figures: an article shows no image from anywhere else."""
    if issue.kind is IssueKind.WEEKLY:  # five focused entries: short enough either way
        return render_weekly(issue, "wechat", web_url="", measure=len)[0]
    urls = figure_urls or {}
    cards = [
        replace(card, figure_url=urls.get(item.paper.id, ""))
        for card, item in zip(issue_cards(issue), issue.included_items, strict=True)
    ]
    text = template("wechat").render(
        issue=issue, cards=cards, L=labels_for(issue.language), compact=compact
    )
    return tidy(text) + "\n"


def render_paper(
    paper: PaperView, fmt: str, language: str, *, public_base_url: str | None = None
) -> list[str]:
    """One paper as a card in `fmt` (e.g. for a /paper command), numbered 1."""
    _check_format(fmt)
    labels = labels_for(language)
    card = card_from_paper(paper, ref=1, language=language, public_base_url=public_base_url)
    if fmt in DOCUMENT_FORMATS:
        return [macro(fmt, "paper", labels, card) + "\n"]
    return [_paper_part(fmt, labels, card)]


def _paper_part(fmt: str, labels: dict[str, str], card: PaperCard) -> str:
    return fit_card(card, partial(macro, fmt, "paper", labels), measure=_measure(fmt))


def _measure(fmt: str) -> Measure:
    return _MEASURES.get(fmt, measure)


def short_title(issue: IssueView) -> IssueView:
    """An editor may write a very long title; the header must still fit in one message."""
    if len(issue.title) <= MAX_HEADER_TITLE:
        return issue
    return replace(issue, title=issue.title[: MAX_HEADER_TITLE - 1] + "…")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput(
            f"未知格式 {fmt!r}，可用：{', '.join(FORMATS)} / "
            f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}"
        )
