"""One line of `digestbot check`: what was checked, ✓/✗/–, and the fix when it failed.

Its own module so that the checks of outside services (`cli/check_services.py`) and the
checklist itself (`cli/check.py`) share the shape without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.redact import redact

TIMEOUT = 10.0  # seconds for each outside service
Status = Literal["ok", "fail", "skip"]
MARKS = {"ok": "✓", "fail": "✗", "skip": "–"}


@dataclass(frozen=True)
class Outcome:
    status: Status
    what: str
    fix: str = ""

    @property
    def line(self) -> str:
        text = f"{MARKS[self.status]} {self.what}"
        return redact(f"{text} — fix: {self.fix}" if self.fix else text)


def ok(what: str) -> Outcome:
    return Outcome("ok", what)


def fail(what: str, fix: str) -> Outcome:
    return Outcome("fail", what, fix)


def skip(what: str) -> Outcome:
    return Outcome("skip", what)
