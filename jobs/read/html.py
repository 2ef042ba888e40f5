"""arXiv's HTML paper (LaTeXML markup) → sections, links and figure candidates.

lxml's HTML parser reads it: C-fast on the multi-megabyte pages math-heavy papers make, and
libxml2 recovers from broken markup instead of failing. The page is LaTeXML's: an
`ltx_abstract`, top-level `section.ltx_section` / `ltx_appendix` / `ltx_bibliography` with an
`ltx_title` heading, `figure.ltx_figure` (image + `figcaption`), `figure.ltx_table`, and
`math` elements whose `alttext` is the LaTeX. A page without LaTeXML structure (arXiv's stub
for a paper it could not convert) is not a paper: `parse_html` answers None.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from domain.fulltext import FigureCandidate, PaperText, Section, SectionKind, TextSource
from jobs.read.sections import classify
from jobs.read.text import TextWriter, classes, squash

MAX_FIGURES = 60  # candidates kept; a 200-figure paper's key figure is among its first
MAX_LINKS = 200
_TOP_SECTIONS = ("ltx_section", "ltx_appendix", "ltx_bibliography", "ltx_chapter")


def parse_html(content: bytes, page_url: str) -> PaperText | None:
    """The paper in the page, or None when the page is not a LaTeXML paper."""
    root = _document(content)
    if root is None:
        return None
    article = _article(root)
    if article is None:
        return None
    base = _base_url(root, page_url)
    sections = [*_abstract(article), *_sections(article)]
    if not sections:
        return None
    return PaperText(
        source=TextSource.HTML,
        sections=tuple(sections),
        links=_links(article, base),
        figures=_figures(article, base),
    )


def _document(content: bytes) -> etree._Element | None:
    if not content.strip():
        return None
    try:
        return lxml_html.document_fromstring(content)
    except (etree.ParserError, ValueError):
        return None


def _article(root: etree._Element) -> etree._Element | None:
    for query in (
        "//article[contains(@class, 'ltx_document')]",
        "//*[contains(@class, 'ltx_page_content')]",
        "//*[contains(@class, 'ltx_document')]",
    ):
        found = root.xpath(query)
        if found:
            return found[0]
    return None


def _base_url(root: etree._Element, page_url: str) -> str:
    """Relative image paths resolve against `<base href>` when the page has one (arXiv's
    usually do: `/html/<id>v<n>/`), else against the page's own (final) URL."""
    hrefs = root.xpath("//base/@href")
    return urljoin(page_url, str(hrefs[0]).strip()) if hrefs else page_url


def _abstract(article: etree._Element) -> list[Section]:
    found = article.xpath(".//*[contains(concat(' ', @class, ' '), ' ltx_abstract ')]")
    if not found:
        return []
    text = TextWriter(skip_titles=True).render(found[0])
    return [Section("Abstract", SectionKind.ABSTRACT, text)] if text else []


def _sections(article: etree._Element) -> list[Section]:
    sections: list[Section] = []
    for element in article.iter("section"):
        names = classes(element)
        if not names & set(_TOP_SECTIONS) or _inside_top_section(element):
            continue
        title = _title(element)
        if "ltx_bibliography" in names:
            kind = SectionKind.REFERENCES
        else:
            kind = classify(title, in_appendix="ltx_appendix" in names)
        text = TextWriter(skip_titles=True).render(element)
        if text:
            sections.append(Section(title or kind.value.title(), kind, text))
    return sections


def _inside_top_section(element: etree._Element) -> bool:
    return any(classes(parent) & set(_TOP_SECTIONS) for parent in element.iterancestors("section"))


def _title(element: etree._Element) -> str:
    for child in element:
        if isinstance(child.tag, str) and "ltx_title" in classes(child):
            return squash(TextWriter().render(child))
    return ""


def _links(article: etree._Element, base: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for href in article.xpath(".//a/@href"):
        url = urljoin(base, str(href).strip())
        if re.match(r"https?://", url) and "#" not in url and len(url) < 500:
            seen.setdefault(url, None)
        if len(seen) >= MAX_LINKS:
            break
    return tuple(seen)


def _figures(article: etree._Element, base: str) -> tuple[FigureCandidate, ...]:
    found: list[FigureCandidate] = []
    for figure in article.iter("figure"):
        if "ltx_figure" not in classes(figure) or _nested_figure(figure):
            continue
        candidate = _candidate(figure, base)
        if candidate is not None:
            found.append(candidate)
        if len(found) >= MAX_FIGURES:
            break
    return tuple(found)


def _nested_figure(figure: etree._Element) -> bool:
    """A sub-figure inside a figure: the outer one is the candidate."""
    return any("ltx_figure" in classes(parent) for parent in figure.iterancestors("figure"))


def _candidate(figure: etree._Element, base: str) -> FigureCandidate | None:
    sources = [str(s).strip() for s in figure.xpath(".//img/@src")]
    sources = [s for s in sources if s and not s.lower().startswith("data:")]
    if not sources:
        return None
    captions = figure.xpath(".//figcaption")
    caption = squash(TextWriter().render(captions[0])) if captions else ""
    label, caption = _split_label(caption)
    in_appendix = any(
        "ltx_appendix" in classes(parent) for parent in figure.iterancestors("section")
    )
    return FigureCandidate(label, caption[:2000], urljoin(base, sources[0]), in_appendix)


def _split_label(caption: str) -> tuple[str, str]:
    """`"Figure 1: Overview…"` → (`"Figure 1"`, `"Overview…"`)."""
    match = re.match(r"^\s*((?:Figure|Fig\.)\s*[\w.]+)\s*[:.|]\s*", caption, re.IGNORECASE)
    if match is None:
        return "", caption
    return match.group(1), caption[match.end() :]
