"""How people name an issue: `3` is daily 第3期, `w3` (or `周报3`, `weekly3`) is weekly round-up 3.

Dailies and weeklies are numbered apart (`IssueKind`), so a bare number alone no longer says
which issue is meant. Every front end parses what a person typed here, and every label an issue
is shown by (`第3期`, `周报第3期`, `Issue 3`, `Weekly 3`) comes from here, so one rule holds on
every platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.numbers import bounded_int
from domain.types import IssueKind

MAX_NUMBER = 10**9
# "w3", "W3", "weekly3", "weekly 3", "周报3", "周报 3", "周报第3期"
_WEEKLY = re.compile(r"(?:w|weekly|周报)\s*(?:第)?\s*([0-9]+)\s*(?:期)?", re.IGNORECASE)
_DAILY = re.compile(r"(?:第)?\s*([0-9]+)\s*(?:期)?")


@dataclass(frozen=True)
class IssueRef:
    """One issue by its kind and its number within the kind."""

    number: int
    kind: IssueKind = IssueKind.DAILY

    @property
    def token(self) -> str:
        """What to type to name it again: `3` or `w3` (commands, buttons, URLs' slugs)."""
        return f"w{self.number}" if self.kind is IssueKind.WEEKLY else str(self.number)

    def label(self, language: str) -> str:
        """`第3期` / `周报第3期` (zh) or `Issue 3` / `Weekly 3` (en)."""
        weekly = self.kind is IssueKind.WEEKLY
        if language == "zh":
            return f"周报第{self.number}期" if weekly else f"第{self.number}期"
        return f"Weekly {self.number}" if weekly else f"Issue {self.number}"


def parse_issue_ref(text: str) -> IssueRef | None:
    """`text` as an issue reference, or None when it names none (bounded ASCII digits only)."""
    typed = text.strip()
    for pattern, kind in ((_WEEKLY, IssueKind.WEEKLY), (_DAILY, IssueKind.DAILY)):
        match = pattern.fullmatch(typed)
        if match:
            number = bounded_int(match.group(1), MAX_NUMBER)
            return IssueRef(number, kind) if number else None
    return None
