"""Numbers that point inside a paper — `Figure 6`, `Table 2`, `Section 3.1`, `Appendix B.2`,
`Eq. (4)` — say nothing about its results, so they back only a summary's number that points
too (`图6`, `Table 2`).

Without this, a full text backs nearly every small number through its figure and section
labels, and a result changed from 0.82 to 6 passes because the paper has a Figure 6. The guards
(`jobs.summarize.guards`) read the paper's numbers from its text with the pointers taken out,
and the pointers' numbers apart.
"""

from __future__ import annotations

import re

_PLURAL = r"Figures|Figs\.|Tables|Tabs\.|Sections|Secs\.|§§|Appendices|Eqs\.|Equations"
_WORDS = (
    rf"{_PLURAL}|Figure|Fig\.|Table|Tab\.|Section|Sec\.|§|Appendix|Eq\.|Equation|"
    r"Algorithms?|Theorems?|Lemmas?|Definitions?|Propositions?|Corollary|Footnotes?"
)
_LABEL = r"\(?[A-Z]?\d+(?:\.\d+)*(?!\.?\d)[a-z]?\)?(?!\s*%)"  # a whole number, not a percent
# `Table 2 and 3`, `Figures 5, 6 and 7`: only a plural word lists labels with commas, so the
# result in `as Table 2, 87.3 points` stays a result.
_PAPER_POINTER = re.compile(
    rf"(?<![A-Za-z])(?:(?:{_PLURAL})\s*~?{_LABEL}(?:\s*(?:,|and|&|–|-|to)\s*{_LABEL})*"
    rf"|(?:{_WORDS})\s*~?{_LABEL}(?:\s*(?:and|&|–|-)\s*{_LABEL})*)"
)
_SUMMARY_POINTER = re.compile(
    rf"(?:{_WORDS}|图|表|公式|算法|附录|定理|引理|章节?)\s*[~(（]?\s*"
    rf"(?:{_LABEL}\s*(?:,|and|&|–|-|to|、|和|与|及)\s*)*$"  # `Sections 4.1 and 4.2`, `图2和3`
)
_LOOK_BACK = 30  # characters before a summary's number searched for a pointer word


def split_pointers(text: str) -> tuple[str, str]:
    """`text` with its pointers blanked out, and the pointers alone (one a line)."""
    pointers = [match.group() for match in _PAPER_POINTER.finditer(text)]
    return _PAPER_POINTER.sub(" ", text), "\n".join(pointers)


def points(text: str, start: int) -> bool:
    """Whether the number at `start` of a summary's `text` is a pointer (`图6`, `Table 2`)."""
    return _SUMMARY_POINTER.search(text[max(0, start - _LOOK_BACK) : start]) is not None
