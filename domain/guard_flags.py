"""What a summary guard found, as stored on the summary and shown to editors.

A summary's flags are stored as plain strings (the `summaries.flags` JSON list), so older flags
such as `llm_failed` keep working. A guard flag carries three parts — what is wrong, in which
field, and the offending span — encoded as `kind:field:span` (the span may itself contain
colons; kind and field never do). `parse_flag` reads any stored flag back; a flag without the
two colons is a plain flag with no field and no span.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NUMBER = "number_not_in_source"  # a number the paper's text does not state
URL = "url_not_in_source"  # a link in a text field the paper does not give
INJECTION = "instruction_echo"  # text that reads like instructions, not a summary
URL_DROPPED = "code_url_dropped"  # the model's code link was replaced by the paper's own
LEGACY_NUMBER = "tldr_number_not_in_abstract"  # stored by the TL;DR-only guard before
# Flags that mean the text readers would get may be wrong: auto-publish drops or holds these.
# A dropped code link is already fixed (the paper's own link, or none, replaced it).
BLOCKING = frozenset({NUMBER, URL, INJECTION, LEGACY_NUMBER})
MAX_SPAN = 80  # characters of the offending text kept; enough to find it, short for chat


@dataclass(frozen=True)
class GuardFlag:
    kind: str
    field: str = ""
    span: str = ""

    def encode(self) -> str:
        if not self.field:
            return self.kind
        return f"{self.kind}:{self.field}:{_short(self.span)}"

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING


def parse_flag(flag: str) -> GuardFlag:
    """Any stored flag as kind, field and span (field and span empty for a plain flag)."""
    kind, sep, rest = flag.partition(":")
    if not sep:
        return GuardFlag(kind)
    field, _, span = rest.partition(":")
    return GuardFlag(kind, field, span)


def blocking_flags(flags: Iterable[str]) -> list[GuardFlag]:
    """The flags that should keep a paper from going out unreviewed."""
    return [parsed for parsed in map(parse_flag, flags) if parsed.blocking]


def _short(span: str) -> str:
    span = " ".join(span.split())
    return span if len(span) <= MAX_SPAN else span[: MAX_SPAN - 1] + "…"
