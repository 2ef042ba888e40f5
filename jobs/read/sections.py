"""What a section is for, from its title: the budget keeps the core and drops the rest first.

Titles are matched after their number ("3.1", "A", "Appendix B") is stripped, in English as
arXiv papers are written. Order matters: "Related work" is OTHER even though it says "work",
"Experimental setup" is EXPERIMENTS, "Conclusion and limitations" is CONCLUSION. A title
none of the rules knows names the paper's own content, so it counts as METHOD (kept early).
"""

from __future__ import annotations

import re

from domain.fulltext import SectionKind

_NUMBER = re.compile(r"^\s*(?:appendix\s+)?(?:[A-Z]|\d+)(?:\.\d+)*\.?\s+|^\s*[IVX]+\.\s+", re.I)
_RULES: tuple[tuple[SectionKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (SectionKind.REFERENCES, r"^(references|bibliography|works cited)\b"),
        (SectionKind.APPENDIX, r"^(appendix|appendices|supplementary|supplemental)\b"),
        (
            SectionKind.BOILERPLATE,
            r"acknowledg|ethic|impact statement|broader impact|reproducibility|"
            r"author contribution|checklist|funding|competing interest|disclosure|"
            r"data availability|code availability|limitations statement",
        ),
        (SectionKind.ABSTRACT, r"^abstract\b"),
        (SectionKind.INTRODUCTION, r"^(introduction|overview|motivation)\b"),
        (SectionKind.CONCLUSION, r"conclu|summary|closing|future work|limitations"),
        (SectionKind.OTHER, r"related work|prior work|literature|background|discussion"),
        (
            SectionKind.EXPERIMENTS,
            r"experiment|evaluat|result|benchmark|ablation|empirical|analysis|"
            r"performance|comparison|case stud|findings",
        ),
        (
            SectionKind.METHOD,
            r"method|approach|model|framework|architecture|algorithm|design|"
            r"pipeline|formulation|proposed|system|training|our |technique|preliminar",
        ),
    )
)


def strip_number(title: str) -> str:
    """`"3.1 Method"` → `"Method"`, `"Appendix B Proofs"` → `"Proofs"`."""
    return _NUMBER.sub("", " ".join(title.split()), count=1).strip()


def classify(title: str, *, in_appendix: bool = False) -> SectionKind:
    """The kind of a section with this title; anything inside an appendix is APPENDIX."""
    if in_appendix or re.match(r"^\s*appendix\b", title, re.IGNORECASE):
        return SectionKind.APPENDIX
    plain = strip_number(title)
    for kind, pattern in _RULES:
        if pattern.search(plain):
            return kind
    return SectionKind.METHOD  # a title of the paper's own ("Awareness of behaviors"): its body
