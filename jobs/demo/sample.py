"""The bundled sample: the 20 papers of the table-of-contents seed (real ids, titles, abstracts).

The seed also carries a Chinese title, one-sentence summary and abstract translation written by
an LLM digest tool; with no OPENAI_API_KEY the demo stores those as a recorded LLM summary
(model `recorded:seed-003`) so the offline demo shows the Chinese formats.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

from domain.types import PaperMeta, SummaryContent

RECORDED_MODEL = "recorded:seed-003"
RECORDED_PROMPT = "recorded"


def load_sample() -> list[dict[str, Any]]:
    text = resources.files("jobs.demo").joinpath("sample_papers.json").read_text("utf-8")
    records: list[dict[str, Any]] = json.loads(text)
    return records


def _month_of(arxiv_id: str) -> datetime:
    """New-style ids start with YYMM: the month the paper was first submitted."""
    yymm = arxiv_id.split(".", 1)[0]
    return datetime(2000 + int(yymm[:2]), int(yymm[2:]), 1, tzinfo=UTC)


def to_meta(record: dict[str, Any], announced_on: date) -> PaperMeta:
    published = _month_of(record["arxiv_id"])
    return PaperMeta(
        arxiv_id=record["arxiv_id"],
        version=1,
        title=record["title"],
        authors=(),
        abstract=record["abstract"],
        categories=(),
        primary_category="",
        published_at=published,
        updated_at=published,
        announced_on=announced_on,
        announce_type="new",
    )


def recorded_summary(record: dict[str, Any]) -> SummaryContent:
    return SummaryContent(
        title_translated=record["title_zh"],
        tldr=record["tldr_zh"],
        abstract_translated=record["abstract_zh"],
    )
