"""The Jinja2 environments: HTML-escaping for Telegram and WeChat, plain for Markdown, text
and WeCom.

Templates live in `templates/*.j2`, one per format; each defines a `paper(p)` macro (and a
`header`) so a single card can be rendered alone, e.g. for /paper.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup, escape

from bot.render import markdown, wecom
from domain.types import IssueView

HTML_FORMATS = frozenset({"telegram", "wechat"})


@cache
def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("bot.render", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        md_inline=markdown.md_inline,
        md_block=markdown.md_block,
        md_cell=markdown.md_cell,
        md_link_text=markdown.md_link_text,
        md_cell_link=markdown.md_cell_link,
        md_url=markdown.md_url,
        wc_inline=wecom.wc_inline,
        wc_block=wecom.wc_block,
        wc_url=wecom.wc_url,
        period=period,
        html_paragraphs=html_paragraphs,
    )
    return env


def period(issue: IssueView) -> str:
    """One date for a one-day issue, else the range."""
    start, end = issue.period_start.isoformat(), issue.period_end.isoformat()
    return start if start == end else f"{start} – {end}"


def html_paragraphs(text: str, style: str) -> Markup:
    """Escaped text as `<p style>` paragraphs (blank lines), single newlines as `<br/>`."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]
    opening = Markup('<p style="{}">').format(style)
    return Markup("\n").join(
        opening + Markup("<br/>").join(escape(line) for line in part.split("\n")) + Markup("</p>")
        for part in paragraphs
    )


def template(fmt: str) -> Template:
    """The format's template; HTML ones (`telegram`, `wechat`, `weekly_html`) autoescape."""
    html = fmt in HTML_FORMATS or fmt.endswith("_html")
    return _environment(html).get_template(f"{fmt}.j2")


def macro(fmt: str, name: str, labels: dict[str, str], *args: Any) -> str:
    """Call one macro of a format's template with the labels in scope."""
    module = template(fmt).make_module({"L": labels})
    return tidy(str(getattr(module, name)(*args)))


_BLANKS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")
_QUOTE_OPEN = re.compile(r"(<blockquote(?: expandable)?>)\s+")
_QUOTE_CLOSE = re.compile(r"\s+(</blockquote>)")


def tidy(text: str) -> str:
    """Whitespace only: no runs of blank lines, no blank edges inside quotes or the text."""
    text = _TRAILING.sub("\n", text)
    text = _QUOTE_OPEN.sub(r"\1", _QUOTE_CLOSE.sub(r"\1", text))
    return _BLANKS.sub("\n\n", text).strip()
