"""arXiv's HTML → sections, links, figures: a real recorded page, then hostile ones."""

from __future__ import annotations

import pytest

from domain.fulltext import SectionKind, TextSource
from jobs.read.html import MAX_FIGURES, parse_html
from jobs.read.text import MAX_MATH, MAX_ROWS
from tests.fakes.arxiv_pages import PAPERS, RECORDED, huge_table, latexml_page, math_everywhere

PAGE_URL = f"https://arxiv.org/html/{RECORDED}"


@pytest.fixture(scope="module")
def recorded():
    paper = parse_html((PAPERS / f"{RECORDED}.html").read_bytes(), PAGE_URL)
    assert paper is not None
    return paper


def test_real_page_sections_are_classified_in_document_order(recorded) -> None:
    kinds = [(s.title, s.kind) for s in recorded.sections]
    assert recorded.source is TextSource.HTML
    assert kinds[0] == ("Abstract", SectionKind.ABSTRACT)
    assert ("1 Introduction", SectionKind.INTRODUCTION) in kinds
    assert ("5 Multi-Persona experiments", SectionKind.EXPERIMENTS) in kinds
    assert ("6 Related work", SectionKind.OTHER) in kinds
    assert ("8 Conclusion", SectionKind.CONCLUSION) in kinds
    assert ("References", SectionKind.REFERENCES) in kinds
    assert ("Acknowledgments", SectionKind.BOILERPLATE) in kinds
    assert {k for t, k in kinds if t.startswith("Appendix")} == {SectionKind.APPENDIX}


def test_real_page_text_is_clean_prose_math_and_tables(recorded) -> None:
    intro = next(s for s in recorded.sections if s.kind is SectionKind.INTRODUCTION)
    assert intro.text.startswith("Large Language Models (LLMs) can learn sophisticated behaviors")
    everything = "\n".join(s.text for s in recorded.sections)
    assert "Report issue" not in everything and "ltx_" not in everything
    assert "$z\\in Z$" in everything  # math as its LaTeX
    assert "Table 1: Overview of experiments" in everything
    assert "Economic decisions (Section 3.1) | “A” or “B” | Economic preference" in everything
    assert not any(s.text.startswith(s.title) for s in recorded.sections)  # no heading twice


def test_real_page_figures_resolve_against_the_base_href(recorded) -> None:
    first = recorded.figures[0]
    assert first.label == "Figure 1"
    assert first.image_url == f"https://arxiv.org/html/{RECORDED}/x1.png"
    assert first.caption.startswith("Models can describe a learned behavioral policy")
    assert "https://github.com/XuchanBao/behavioral-self-awareness" in recorded.links


def test_without_base_href_images_resolve_against_the_page_itself() -> None:
    page = latexml_page(figures=[(f"{RECORDED}/x1.png", "Overview.")])
    paper = parse_html(page, PAGE_URL)
    assert paper is not None
    assert paper.figures[0].image_url == f"https://arxiv.org/html/{RECORDED}/x1.png"


def test_a_paper_without_figures_has_none() -> None:
    paper = parse_html(latexml_page(), PAGE_URL)
    assert paper is not None and paper.figures == ()
    assert [s.kind for s in paper.sections][:3] == [
        SectionKind.ABSTRACT, SectionKind.INTRODUCTION, SectionKind.METHOD,
    ]  # fmt: skip


def test_broken_markup_is_read_as_far_as_it_goes() -> None:
    page = latexml_page(figures=[("x1.png", "<b>unclosed caption")])
    broken = page[: page.index(b"3 Experiments")] + b"<div><p>cut off <math alttext='x"
    paper = parse_html(broken, PAGE_URL)
    assert paper is not None
    assert "12.5%" in paper.plain()
    assert paper.figures[0].caption.startswith("unclosed caption")


def test_two_hundred_figures_are_capped() -> None:
    figures = [(f"x{n}.png", f"Plot {n}.") for n in range(200)]
    paper = parse_html(latexml_page(figures=figures), PAGE_URL)
    assert paper is not None and len(paper.figures) == MAX_FIGURES


def test_a_huge_table_keeps_its_caption_and_first_rows() -> None:
    sections = [("3 Experiments", "Table 1 shows it." + huge_table(10_000))]
    paper = parse_html(latexml_page(sections=sections), PAGE_URL)
    assert paper is not None
    text = paper.plain()
    assert "Table 1: Results on everything." in text
    assert f"row {MAX_ROWS - 1} |" in text and f"row {MAX_ROWS} |" not in text
    assert f"({10_000 - MAX_ROWS} more rows)" in text


def test_math_everywhere_is_latex_and_bounded() -> None:
    long_formula = '<math alttext="' + "a+" * 5000 + 'b"></math>'
    sections = [("1 Introduction", math_everywhere(2000) + long_formula)]
    paper = parse_html(latexml_page(sections=sections), PAGE_URL)
    assert paper is not None
    intro = paper.sections[1].text
    assert "$x_{1999}^{2}+\\alpha$" in intro
    assert max(len(part) for part in intro.split("$")) <= MAX_MATH + 2


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   ",
        b"\x00\xff\xfe garbage",
        b"<html><body>No HTML for this paper.</body></html>",
        b'<html><body><div class="ltx_page_main">No content available</div></body></html>',
    ],
)
def test_what_is_not_a_latexml_paper_is_none(content: bytes) -> None:
    assert parse_html(content, PAGE_URL) is None
