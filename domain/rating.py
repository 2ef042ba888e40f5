"""The reading score (推荐阅读指数): half points from 1 to 5, and how readers see it as stars.

One place decides the scale so the LLM's answer, old whole-number rows and every renderer agree:
4 (an old row) and 3.5 (a new one) both load, and both show as stars.
"""

from __future__ import annotations

import math

LOWEST, HIGHEST = 1.0, 5.0
FULL_STAR, HALF_STAR = "★", "½"


def half_point(value: float) -> float:
    """`value` rounded to the nearest half point (halves round up) and clamped to 1-5."""
    rounded = math.floor(value * 2 + 0.5) / 2
    return max(LOWEST, min(HIGHEST, rounded))


def score_text(value: float) -> str:
    """`3.5`, `4` (no `.0`): how the seed writes the score."""
    return f"{value:g}"


def stars(value: float | None) -> str:
    """`★★★½` for 3.5, `★★★★` for 4; empty for no score."""
    if value is None or not math.isfinite(value):
        return ""
    score = half_point(value)
    whole = int(score)
    return FULL_STAR * whole + (HALF_STAR if score - whole else "")
