"""A PDF's text layer → sections by their headings (pypdf); unreadable PDFs are None."""

from __future__ import annotations

import pytest

from domain.fulltext import SectionKind, TextSource
from jobs.read.pdf import parse_pdf, split_sections
from tests.fakes.arxiv_pages import PAPERS, RECORDED


def test_the_recorded_papers_pdf_has_its_sections() -> None:
    paper = parse_pdf((PAPERS / f"{RECORDED}.pdf").read_bytes())
    assert paper is not None and paper.source is TextSource.PDF
    kinds = {s.title: s.kind for s in paper.sections}
    assert kinds["1 Introduction"] is SectionKind.INTRODUCTION
    assert kinds["5 Multi-Persona experiments"] is SectionKind.EXPERIMENTS
    assert kinds["8 Conclusion"] is SectionKind.CONCLUSION
    assert kinds["References"] is SectionKind.REFERENCES
    assert kinds["A Author contributions"] is SectionKind.APPENDIX
    assert "Large Language Models" in paper.plain()


def test_everything_after_the_references_is_appendix() -> None:
    text = "Abstract\nWe do it.\n1 Introduction\nIt matters.\nReferences\n[1] X.\n2 Extra\nMore."
    kinds = [s.kind for s in split_sections(text)]
    assert kinds[-2:] == [SectionKind.REFERENCES, SectionKind.APPENDIX]


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n garbage", b"not a pdf at all" * 100])
def test_unreadable_pdfs_are_none(content: bytes) -> None:
    assert parse_pdf(content) is None
