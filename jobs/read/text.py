"""Plain text out of LaTeXML elements: paragraphs on lines, math as LaTeX, tables as rows.

What a language model reads best and a number check can search: `$x^2$` for a `math`
element (its `alttext`), a table as its caption and at most `MAX_ROWS` rows of `a | b | c`,
a figure as its caption. Scripts, navigation, buttons ("Report issue…") and footnote marks
are left out. Every piece is bounded, so a hostile page (a 10,000-row table, a formula of a
megabyte) costs little.
"""

from __future__ import annotations

import re

from lxml import etree

MAX_ROWS = 30
MAX_CELL = 80
MAX_MATH = 160
_SKIP_TAGS = frozenset({"script", "style", "nav", "header", "footer", "button", "noscript"})
_SKIP_CLASSES = frozenset({"ltx_TOC", "ltx_note_mark", "ltx_page_navbar", "ltx_tag_note"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "blockquote", "br",
     "figcaption", "dd", "dt", "pre", "ul", "ol", "table"}
)  # fmt: skip


def classes(element: etree._Element) -> set[str]:
    return set(str(element.get("class") or "").split())


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class TextWriter:
    """Renders one element; `skip_titles` leaves the section's own heading out."""

    def __init__(self, *, skip_titles: bool = False) -> None:
        self.skip_titles = skip_titles
        self.parts: list[str] = []

    def render(self, element: etree._Element) -> str:
        self._element(element, top=True)
        lines = (squash(line) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)

    def _element(self, element: etree._Element, *, top: bool = False) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP_TAGS or classes(element) & _SKIP_CLASSES or self._title(element, top):
            return
        if tag == "math":
            self.parts.append(f" ${_math(element)}$ ")
        elif tag == "figure" and "ltx_table" in classes(element):
            self.parts.append("\n" + table_text(element) + "\n")
        elif tag == "figure":
            self.parts.append("\n" + _figure_caption(element) + "\n")
        elif tag:
            self._children(element, block=tag in _BLOCK_TAGS)

    def _children(self, element: etree._Element, *, block: bool) -> None:
        if block:
            self.parts.append("\n")
        self.parts.append(element.text or "")
        for child in element:
            self._element(child)
            self.parts.append(child.tail or "")
        if block:
            self.parts.append("\n")

    def _title(self, element: etree._Element, top: bool) -> bool:
        return self.skip_titles and not top and "ltx_title" in classes(element)


def _math(element: etree._Element) -> str:
    tex = str(element.get("alttext") or "") or squash("".join(element.itertext()))
    tex = squash(tex)
    return tex if len(tex) <= MAX_MATH else tex[: MAX_MATH - 1] + "…"


def _figure_caption(figure: etree._Element) -> str:
    captions = figure.xpath(".//figcaption")
    return f"[{squash(TextWriter().render(captions[0]))}]" if captions else ""


def table_text(figure: etree._Element) -> str:
    """`Table 2: caption` then `a | b | c` rows, bounded in rows and cell length."""
    captions = figure.xpath(".//figcaption")
    lines = [squash(TextWriter().render(captions[0]))] if captions else []
    rows = figure.xpath(".//tr")
    for row in rows[:MAX_ROWS]:
        cells = [_cell(cell) for cell in row.xpath("./td|./th")]
        if any(cells):
            lines.append(" | ".join(cells))
    if len(rows) > MAX_ROWS:
        lines.append(f"… ({len(rows) - MAX_ROWS} more rows)")
    return "\n".join(line for line in lines if line)


def _cell(cell: etree._Element) -> str:
    text = squash(TextWriter().render(cell))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
