"""Split long id lists for `IN (...)` queries: SQLite caps bound parameters per statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

MAX_BOUND = 500


def batches(values: Sequence[T], size: int = MAX_BOUND) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
