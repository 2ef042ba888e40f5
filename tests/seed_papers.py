"""The 20 real papers of seed 003 (ids, titles, abstracts, Chinese titles, TL;DRs, translations).

Tests build realistic issues from them instead of inventing text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from domain.types import PaperMeta, SummaryContent
from tests.conftest import SEEDS

SEED_003 = SEEDS / "003_2e88a08dfc13ccf0.txt"
_BLOCK = re.compile(r"^\[\^(\d+)\]: (.*)$", re.MULTILINE)
_ARXIV_ID = re.compile(r"abs/(\d{4}\.\d{4,5})")
_ABSTRACT_PREFIX = re.compile(r"^arXiv:\S+ Announce Type: \S+\s+Abstract:\s*")
_TITLE_SUFFIX = re.compile(r"\s*\(arXiv:[^)]*\)\s*$")


@dataclass(frozen=True)
class SeedPaper:
    ref: int
    arxiv_id: str
    title: str
    title_zh: str
    tldr_zh: str
    abstract: str
    abstract_zh: str


def load_seed_papers() -> list[SeedPaper]:
    text = SEED_003.read_text(encoding="utf-8")
    details = text[text.index("# 详细") :]
    starts = list(_BLOCK.finditer(details))
    papers = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(details)
        body = details[match.end() : end]
        papers.append(_parse_block(int(match.group(1)), match.group(2).strip(), body))
    return papers


def _parse_block(ref: int, title_zh: str, body: str) -> SeedPaper:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    title, link, tldr, *middle, abstract = paragraphs
    arxiv_id = _ARXIV_ID.search(link)
    assert arxiv_id, link
    return SeedPaper(
        ref=ref,
        arxiv_id=arxiv_id.group(1),
        title=_TITLE_SUFFIX.sub("", title).rstrip("."),
        title_zh=title_zh,
        tldr_zh=tldr,
        abstract=_ABSTRACT_PREFIX.sub("", " ".join(abstract.split())),
        abstract_zh="\n".join(middle),
    )


def seed_meta(paper: SeedPaper, *, day: date | None = None) -> PaperMeta:
    published = datetime(2024, 4, 1, 18, 0, tzinfo=UTC) - timedelta(days=paper.ref)
    return PaperMeta(
        arxiv_id=paper.arxiv_id,
        version=1,
        title=paper.title,
        authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
        abstract=paper.abstract,
        categories=("cs.LG", "cs.CL"),
        primary_category="cs.LG",
        published_at=published,
        updated_at=published,
        announced_on=day or published.date() + timedelta(days=1),
    )


def seed_summary(paper: SeedPaper, *, rating: int | None = 4) -> SummaryContent:
    """An LLM-style summary made of the seed's own Chinese text."""
    sentences = [s + "。" for s in paper.abstract_zh.split("。") if s.strip()]
    return SummaryContent(
        title_translated=paper.title_zh,
        tldr=paper.tldr_zh,
        background="".join(sentences[:2]),
        method="".join(sentences[2:4]),
        contributions=sentences[4:7],
        results="".join(sentences[7:9]),
        future_work="".join(sentences[9:10]),
        rating=rating,
        rating_reason=paper.tldr_zh[:40],
        keywords=[paper.title_zh.split("：")[0][:12]],
        abstract_translated=paper.abstract_zh,
    )
