"""Faithful and tampered summaries of a paper's full text, for the guards' benchmark.

The paper is the recorded arXiv HTML page in `tests/fixtures/papers/` (2501.11120v1, trimmed
as its README says) and the PDF made from it, each parsed by the reader (`jobs/read`) as a
summarize run would. A faithful summary is written like `bench.guard_corpus.faithful` from a
passage of the text the guards check against (`PaperText.plain()`: references, appendices and
boilerplate left out) — its sentences, its numbers rewritten, table rows included — with the
paper's own code link; a tampered one gets one of the same four changes. Passages are drawn at
random (seeded), so one paper gives many different summaries.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from bench.guard_corpus import TAMPERS, Case, faithful, paper_meta, tamper
from domain.fulltext import PaperText, SectionKind, TextSource
from domain.types import PaperMeta
from jobs.read.html import parse_html
from jobs.read.pdf import parse_pdf

PAPERS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "papers"
PAPER = "2501.11120v1"
TITLE = "Tell me about yourself: LLMs are aware of their learned behaviors"
PASSAGE = 8  # sentences or table rows a summary is written from
_PIECES = re.compile(r"(?<=[.!?])\s+|\n+")


def full_texts() -> dict[str, PaperText]:
    """The recorded paper as the reader parses its HTML page and its PDF."""
    html = parse_html((PAPERS / f"{PAPER}.html").read_bytes(), f"https://arxiv.org/html/{PAPER}")
    pdf = parse_pdf((PAPERS / f"{PAPER}.pdf").read_bytes())
    assert html is not None and pdf is not None, "the recorded paper no longer parses"
    return {TextSource.HTML.value: html, TextSource.PDF.value: pdf}


def fulltext_cases(per_source: int, seed: int) -> list[Case]:
    """`per_source` faithful and as many tampered summaries per full text, tampers in turn."""
    rng = random.Random(seed)
    out = []
    for source, text in full_texts().items():
        meta, plain = _meta(text), text.plain()
        pieces = [piece for piece in _PIECES.split(_body(text)) if piece.strip()]
        for index in range(per_source):
            start = rng.randrange(max(1, len(pieces) - PASSAGE))
            passage = "\n".join(pieces[start : start + PASSAGE])
            content = faithful(meta, rng, passage, text.links)
            kind = TAMPERS[index % len(TAMPERS)]
            out.append(Case(meta, content, None, source, plain, text.links))
            out.append(
                Case(meta, tamper(content, meta, kind, rng), kind, source, plain, text.links)
            )
    return out


def _body(text: PaperText) -> str:
    """The checked text past the abstract: what only a full-text summary can draw on."""
    kept = PaperText(
        text.source, tuple(s for s in text.sections if s.kind is not SectionKind.ABSTRACT)
    )
    return kept.plain()


def _meta(text: PaperText) -> PaperMeta:
    abstract = next(s.text for s in text.sections if s.kind is SectionKind.ABSTRACT)
    return paper_meta({"id": PAPER.partition("v")[0], "title": TITLE, "abstract": abstract,
      "categories": ["cs.CL", "cs.AI"]})  # fmt: skip
