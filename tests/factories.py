"""Small builders for domain objects used across tests."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from core.types import PaperMeta

_ids = count(1)


def make_paper(**overrides: object) -> PaperMeta:
    n = next(_ids)
    values: dict[str, object] = {
        "arxiv_id": f"2611.{n:05d}",
        "version": 1,
        "title": f"Paper number {n}",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "abstract": "We study reinforcement learning from human feedback and improve accuracy "
        "by 12.5% on three benchmarks.",
        "categories": ("cs.CL", "cs.LG"),
        "primary_category": "cs.CL",
        "published_at": datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return PaperMeta(**values)  # type: ignore[arg-type]
