"""A paper's PDF → sections, for papers arXiv has no HTML for.

pypdf reads the text layer: pure Python (no system library to install or patch), maintained,
and it bounds decompression itself. A PDF has no markup, so sections are found by their
headings: a short line such as "3 Method", "4.2 Results", "Abstract" or "References". Pages
past `MAX_PAGES` are not read (appendices live there), and the text after "References" is
dropped by the budget like an HTML bibliography.
"""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from domain.fulltext import PaperText, Section, SectionKind, TextSource
from jobs.read.sections import classify

log = logging.getLogger(__name__)

MAX_PAGES = 30
MAX_CHARS = 400_000
_HEADING = re.compile(
    r"^(?:(?:\d{1,2}|[A-H])(?:\.\d{1,2}){0,2}\.?\s+[A-Z][^\n]{1,70}|"
    r"(?:Abstract|Introduction|References|Bibliography|Conclusions?|Acknowledge?ments?|"
    r"Appendix[^\n]{0,60}|Related Work|Experiments?|Results|Methods?)\s*)$"
)


def parse_pdf(content: bytes) -> PaperText | None:
    """The PDF's sections, or None when it has no usable text layer (a scan, a broken file)."""
    text = pdf_text(content)
    if len(text.strip()) < 200:
        return None
    sections = split_sections(text)
    return PaperText(source=TextSource.PDF, sections=tuple(sections)) if sections else None


def pdf_text(content: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(content))
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        log.info("unreadable PDF: %s", type(error).__name__)
        return ""
    return "\n".join(pages)[:MAX_CHARS]


def split_sections(text: str) -> list[Section]:
    """Sections at heading lines; text before the first heading counts as the abstract."""
    sections: list[Section] = []
    title, kind = "Abstract", SectionKind.ABSTRACT
    lines: list[str] = []
    in_appendix = False
    for line in (raw.strip() for raw in text.splitlines()):
        if _HEADING.match(line) and not line.endswith((".", ",")):
            _close(sections, title, kind, lines)
            title = line
            kind = classify(title, in_appendix=in_appendix)
            in_appendix = in_appendix or kind is SectionKind.APPENDIX
            in_appendix = in_appendix or kind is SectionKind.REFERENCES
            lines = []
        elif line:
            lines.append(line)
    _close(sections, title, kind, lines)
    return sections


def _close(sections: list[Section], title: str, kind: SectionKind, lines: list[str]) -> None:
    text = re.sub(r"-\n(?=[a-z])", "", "\n".join(lines)).strip()  # re-join hyphenated words
    if text:
        sections.append(Section(title, kind, text))
