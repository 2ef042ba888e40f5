"""A paper's text fitted to the model's input budget (`LLM_MAX_INPUT_TOKENS`), section-aware.

First dropped: references, appendices and boilerplate (acknowledgements, checklists), and the
abstract (the prompt carries it already). Then the core — introduction, method, experiments
and results (tables as caption and cells), conclusion — shares the budget by water-filling:
every section keeps up to the same cap, so one long method section cannot crowd the results
out, and what short sections leave over goes to the long ones. Related work and other
sections get only what the core leaves. Sections stay in document order, each cut at a
sentence or line end.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.tokens import estimate_tokens
from domain.fulltext import CORE_KINDS, DROPPED_KINDS, PaperText, Section, SectionKind

HEADING_TOKENS = 8  # "## 3.1 Method\n" and the blank line around it
MIN_SECTION_TOKENS = 40  # below this a cut section says nothing: leave it out


def paper_body(text: PaperText | None, max_tokens: int) -> str:
    """The paper's body within `max_tokens` (estimated), or "" when it has none."""
    if text is None or not text.is_full:
        return ""
    kept = [s for s in text.sections if s.kind not in DROPPED_KINDS | {SectionKind.ABSTRACT}]
    allowance = allot(kept, max_tokens)
    parts = [
        f"## {section.title}\n{cut(section.text, allowance[index])}"
        for index, section in enumerate(kept)
        if allowance[index] >= MIN_SECTION_TOKENS
    ]
    return "\n\n".join(parts)


def allot(sections: Sequence[Section], max_tokens: int) -> list[int]:
    """Tokens each section may keep: the core first, then the rest from what is left."""
    sizes = [estimate_tokens(s.text) for s in sections]
    core = [i for i, s in enumerate(sections) if s.kind in CORE_KINDS]
    rest = [i for i, s in enumerate(sections) if s.kind not in CORE_KINDS]
    allowance = [0] * len(sections)
    budget = max_tokens
    for group in (core, rest):
        usable = budget - HEADING_TOKENS * len(group)
        for index, tokens in water_fill([sizes[i] for i in group], usable).items():
            allowance[group[index]] = tokens
        budget -= sum(allowance[i] + HEADING_TOKENS for i in group if allowance[i])
    return allowance


def water_fill(sizes: Sequence[int], budget: int) -> dict[int, int]:
    """The largest cap c with sum(min(size, c)) ≤ budget; each index gets min(size, c)."""
    if budget <= 0 or not sizes:
        return dict.fromkeys(range(len(sizes)), 0)
    remaining, left = budget, len(sizes)
    cap = 0
    for size in sorted(sizes):
        share = remaining // left
        if size > share:
            cap = share
            break
        remaining -= size
        left -= 1
    else:
        cap = max(sizes)
    return {index: min(size, cap) for index, size in enumerate(sizes)}


def cut(text: str, tokens: int) -> str:
    """`text` shortened to about `tokens`, ending at a sentence or line end when it can."""
    if estimate_tokens(text) <= tokens:
        return text
    low, high = 0, len(text)  # the longest prefix (plus " …") that fits, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if estimate_tokens(text[:middle]) + 1 <= tokens:
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    end = max(head.rfind(". "), head.rfind("\n"), head.rfind("。"))
    if end > low // 2:
        head = head[: end + 1]
    return head.rstrip() + " …"
