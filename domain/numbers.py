"""Numbers typed by users are ASCII digits only.

`str.isdigit()` and `str.isdecimal()` accept `²`, `٣` and fullwidth `１２`, and some of those make
`int()` raise; a 5,000-digit string makes it raise too (Python's digit limit). Every parser of
user input asks here instead, so one rule holds on every platform.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 and nothing else (no sign, space or newline)."""
    return _DIGITS.fullmatch(text) is not None


def bounded_int(text: str, maximum: int) -> int | None:
    """`text` as an int in 0..maximum, or None (not ASCII digits, or larger than `maximum`).

    Leading zeros are fine; `int()` only ever sees as many digits as `maximum` has.
    """
    if not is_ascii_digits(text):
        return None
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(maximum)):
        return None
    value = int(significant)
    return value if value <= maximum else None
