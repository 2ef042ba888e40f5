"""Markdown escaping: keep titles and abstracts (and their LaTeX) readable but harmless.

Only what would break the markup is escaped: `|` in table cells, `[`/`]` in link text, HTML-like
tags, and line starts that Markdown would read as headings, quotes or lists. `$x<y$` and
`\\mathcal{D}` stay as they are.
"""

from __future__ import annotations

import re

# Only a `<` that opens something shaped like an HTML tag or comment; `$x<y$` is left alone.
_TAG_START = re.compile(r"<(?=/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|!--)")
_BLOCK_START = re.compile(r"^(\s*)(?:([#>+*=-])|(\d+)([.)]))", re.MULTILINE)
_BRACKET = re.compile(r"(\\*)([\[\]])")
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _neutralize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TAG_START.sub(r"\\<", text)
    return _BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(match: re.Match[str]) -> str:
    indent, marker, digits, dot = match.groups()
    if marker:  # "# x", "- x", "> x": a backslash makes it plain text
        return f"{indent}\\{marker}"
    return f"{indent}{digits}\\{dot}"  # "1. x": escape the dot, not the digit


def md_inline(text: str) -> str:
    """One line of text: newlines become spaces."""
    return _neutralize(re.sub(r"\s+", " ", text or "").strip())


def md_block(text: str) -> str:
    """Paragraphs kept (blank lines), hard-wrapped lines joined, block syntax neutralized."""
    paragraphs = [re.sub(r"\s+", " ", part).strip() for part in _PARAGRAPHS.split(text or "")]
    return "\n\n".join(_neutralize(part) for part in paragraphs if part)


def md_cell(text: str) -> str:
    """Inside a table cell: one line, `|` escaped."""
    return md_inline(text).replace("|", "\\|")


def md_link_text(text: str) -> str:
    """Inside `[...]`: brackets escaped so the link cannot end early."""
    return _BRACKET.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), md_inline(text))


def md_cell_link(text: str) -> str:
    """Link text inside a table cell."""
    return md_link_text(text).replace("|", "\\|")


def md_url(url: str) -> str:
    """Inside `(...)`: characters that would end or split the destination are percent-encoded."""
    table = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "|": "%7C"}
    return "".join(table.get(char, char) for char in (url or "").strip())
