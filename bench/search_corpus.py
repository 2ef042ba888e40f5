"""A large synthetic corpus for the search benchmark, built from real arXiv text.

Titles, abstract sentences, authors and categories come from the recorded arXiv API responses
and the RSS feed in ../shared/fixtures; Chinese summary sentences from the seed digests in
../shared/seeds. Each synthetic paper recombines them deterministically (seeded by its index),
so a given N always yields the same corpus. Every tenth paper gets a Chinese summary.

Loading bypasses the ORM (executemany on SQLite, COPY on PostgreSQL) but the index text of every
paper comes from the same `storage.search.build_document` the application uses.
"""

from __future__ import annotations

import json
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.textseg import segment

SHARED = Path(__file__).resolve().parents[2] / "shared"
ATOM = "{http://www.w3.org/2005/Atom}"
ZH_EVERY = 10  # one paper in ten has a Chinese summary


@dataclass
class Pool:
    titles: list[list[str]] = field(default_factory=list)  # titles as word lists
    sentences: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    zh_sentences: list[str] = field(default_factory=list)
    zh_keywords: list[str] = field(default_factory=list)


def _entries(xml_text: str) -> list[ET.Element]:
    try:
        return ET.fromstring(xml_text).findall(f"{ATOM}entry")
    except ET.ParseError:
        return []


def _add_entry(pool: Pool, entry: ET.Element) -> None:
    title = " ".join((entry.findtext(f"{ATOM}title") or "").split())
    summary = entry.findtext(f"{ATOM}summary") or ""
    summary = summary.split("Abstract:", 1)[-1]
    if title:
        pool.titles.append(title.split())
    sentences = re.split(r"(?<=\.)\s+", " ".join(summary.split()))
    pool.sentences += [s for s in sentences if len(s) > 30]
    pool.authors += [a.findtext(f"{ATOM}name") or "" for a in entry.findall(f"{ATOM}author")]
    pool.categories += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]


def load_pool() -> Pool:
    pool = Pool()
    for path in sorted((SHARED / "fixtures" / "arxiv-api").glob("*.json")):
        for entry in _entries(json.loads(path.read_text())["body"]):
            _add_entry(pool, entry)
    for path in sorted((SHARED / "fixtures" / "arxiv-rss").glob("*.xml")):
        for entry in _entries(path.read_text()):
            _add_entry(pool, entry)
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        text = path.read_text()
        found = re.findall(r"[^。|\n]*[\u4e00-\u9fff][^。|\n]*", text)
        pool.zh_sentences += [
            s.strip() + "。" for s in found if re.search(r"[\u4e00-\u9fff]{4}", s)
        ]
    words = {w for s in pool.zh_sentences for w in segment(s)}
    pool.zh_keywords = [w for w in words if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", w)]
    pool.authors = sorted({a for a in pool.authors if a})
    pool.categories = sorted({c for c in pool.categories if c})
    pool.sentences = sorted(set(pool.sentences))
    pool.zh_sentences = sorted(set(pool.zh_sentences))
    pool.zh_keywords = sorted(set(pool.zh_keywords))
    return pool


@dataclass
class FakePaper:
    """Duck-types the attributes of `storage.models.Paper` that `build_document` reads."""

    id: int
    arxiv_id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    published_at: datetime
    comment: str | None = None


@dataclass
class FakeSummary:
    """Duck-types `storage.models.Summary` for `build_document` and the loaders."""

    paper_id: int
    title_translated: str
    tldr: str
    contributions: list[str]
    keywords: list[str]
    background: str = ""
    method: str = ""
    results: str = ""
    future_work: str = ""
    abstract_translated: str = ""
    summary: str = ""
    overview: str = ""


EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def make_paper(pool: Pool, paper_id: int) -> tuple[FakePaper, FakeSummary | None]:
    rng = random.Random(paper_id)
    first, second = rng.choice(pool.titles), rng.choice(pool.titles)
    title = " ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])
    paper = FakePaper(
        id=paper_id,
        arxiv_id=f"{2000 + paper_id // 100000:04d}.{paper_id % 100000:05d}",
        title=title,
        abstract=" ".join(rng.sample(pool.sentences, rng.randint(4, 8))),
        authors=rng.sample(pool.authors, rng.randint(1, 6)),
        categories=rng.sample(pool.categories, rng.randint(1, 3)),
        published_at=EPOCH + timedelta(minutes=paper_id * 7),
    )
    summary = None
    if paper_id % ZH_EVERY == 0:
        summary = FakeSummary(
            paper_id=paper_id,
            title_translated=rng.choice(pool.zh_sentences)[:24],
            tldr=rng.choice(pool.zh_sentences),
            contributions=rng.sample(pool.zh_sentences, 2),
            keywords=rng.sample(pool.zh_keywords, 3),
        )
    return paper, summary
