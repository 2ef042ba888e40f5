"""The web pages' Jinja2 environment: autoescape on for every template, one base layout.

Every field a page shows (titles and abstracts carry `<`, `&`, LaTeX and sometimes markup on
purpose) is escaped by Jinja2; the only filters that build markup (`paragraphs`, `stars`)
escape their text themselves. The stylesheet is read once and named by its hash, so it can be
cached for a year and still change with a release.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.render.engine import period
from domain.rating import score_text, stars

CSS_NAME = "site.css"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates change only with a release: no stat() per render
    )
    env.filters.update(period=period, paragraphs=paragraphs, stars=stars, score=score_text)
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def paragraphs(text: str) -> Markup:
    """Escaped text as `<p>` paragraphs (blank lines), single newlines as `<br>`. The text is
    escaped once as a whole (escaping never touches a newline), then split as plain text:
    a Markup operation per line costs more than the page's other filters together."""
    escaped = str(escape(text or ""))
    parts = [part.strip() for part in _BLANK_LINE.split(escaped) if part.strip()]
    return Markup("".join("<p>" + "<br>".join(part.split("\n")) + "</p>" for part in parts))


_BLANK_LINE = re.compile(r"\n\s*\n")


@cache
def stylesheet() -> tuple[bytes, str]:
    """The CSS and its version (a hash of its bytes)."""
    body = files("bot.web").joinpath("static", CSS_NAME).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:12]
