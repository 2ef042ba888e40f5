"""The paper body within LLM_MAX_INPUT_TOKENS: what is dropped first, how the rest shares."""

from __future__ import annotations

import pytest

from core.tokens import estimate_tokens
from domain.fulltext import PaperText, Section, SectionKind, TextSource
from jobs.read.budget import allot, cut, paper_body, water_fill
from jobs.read.html import parse_html
from tests.fakes.arxiv_pages import PAPERS, RECORDED


def _section(kind: SectionKind, words: int, title: str | None = None) -> Section:
    text = " ".join(f"{kind.value}{n}." for n in range(words))
    return Section(title or kind.value.title(), kind, text)


def test_references_appendix_boilerplate_and_the_abstract_never_reach_the_model() -> None:
    text = PaperText(
        TextSource.HTML,
        tuple(
            _section(kind, 50)
            for kind in (
                SectionKind.ABSTRACT,
                SectionKind.INTRODUCTION,
                SectionKind.REFERENCES,
                SectionKind.APPENDIX,
                SectionKind.BOILERPLATE,
            )
        ),
    )
    body = paper_body(text, 100_000)
    assert body.startswith("## Introduction\nintroduction0.")
    for dropped in ("abstract0", "references0", "appendix0", "boilerplate0"):
        assert dropped not in body


@pytest.mark.parametrize("budget", [800, 3000, 6000, 20_000])
def test_the_recorded_paper_fits_every_budget(budget: int) -> None:
    paper = parse_html((PAPERS / f"{RECORDED}.html").read_bytes(), "https://arxiv.org/html/x")
    body = paper_body(paper, budget)
    assert 0 < estimate_tokens(body) <= budget
    headings = [line for line in body.split("\n") if line.startswith("## ")]
    assert headings[0] == "## 1 Introduction" and "## 8 Conclusion" in headings
    assert "## References" not in headings


def test_the_core_is_served_before_related_work() -> None:
    sections = [
        _section(SectionKind.INTRODUCTION, 400),
        _section(SectionKind.OTHER, 400, "Related work"),
        _section(SectionKind.METHOD, 400),
        _section(SectionKind.EXPERIMENTS, 400),
    ]
    tight = allot(sections, 1500)
    assert tight[1] == 0 and min(tight[0], tight[2], tight[3]) > 0
    roomy = allot(sections, 100_000)
    assert roomy == [estimate_tokens(s.text) for s in sections]


def test_a_long_section_cannot_crowd_out_a_short_one() -> None:
    assert water_fill([100, 5000, 300], 900) == {0: 100, 1: 500, 2: 300}
    assert water_fill([10, 20], 1000) == {0: 10, 1: 20}
    assert water_fill([10, 20], 0) == {0: 0, 1: 0}


def test_cut_ends_at_a_sentence_and_never_exceeds() -> None:
    text = " ".join(f"Sentence number {n} is here." for n in range(500))
    short = cut(text, 100)
    assert estimate_tokens(short) <= 100 and short.endswith("here. …")
    assert cut("短句。" * 400, 50).endswith("。 …")
    assert cut("fits", 100) == "fits"


def test_no_full_text_means_no_body() -> None:
    assert paper_body(None, 6000) == ""
    assert paper_body(PaperText(TextSource.ABSTRACT), 6000) == ""
