"""Numbers in free text, English or Chinese, as values a guard can compare.

The guards ask "does the paper state this number?", so `87%`, `87 %`, `百分之八十七`, `0.87`,
`八十七`, `1,200` and `1.2 thousand` must meet as values, not as strings. Rules:

- Digits: thousands separators (`1,000`, `1 000`) and decimals (`12.5`, `.5`) are read as one
  value; full-width digits are folded first. Signs are ignored (`-5%` and "down 5%" say the same),
  so a range `3–5`, `3-5`, `3~5` or `87.3±0.4` is simply its two numbers, each checked.
- Percentages (`%`, `％`, `percent`, `个百分点`, `百分之…`) may meet the same value as a ratio:
  87% is backed by 0.87 and 0.87 by 87%. Nothing else is rescaled by 100.
- Magnitudes scale: `1.2M`, `1.2 million`, `120万`, `12亿`, `7B`, `10^4`; the paper's own text also
  counts with its bare mantissa (`7B` backs a later `7`).
- Rounding: a number given with d decimals is backed by a paper's number that rounds to it
  (87 by 87.3, not 87.3 by 87) — models round, and rounding invents nothing.
- Chinese numerals (`八十七`, `两千零三`, `三点五`, `两倍`, `十亿`) are parsed by cn2an, a
  maintained converter that validates the numeral's grammar; a run it rejects is not a
  number. A single numeral character is a number only before 倍 (`两倍`): alone it is part of a
  word far more often (`统一`, `一致`, `进一步`, `十分`, `万一`).
- English words (`twice`, `three`, `threefold`, `a dozen`, the month of `June 2023`) are read in
  the paper's text only, so a summary that says "three" where the paper says "3" is never
  questioned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

_FULL_WIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_SCALE = {
    "k": 3, "thousand": 3, "m": 6, "million": 6, "mn": 6, "b": 9, "bn": 9, "billion": 9,
    "t": 12, "trillion": 12, "万": 4, "亿": 8, "千": 3, "百万": 6, "千万": 7,
}  # fmt: skip
# ASCII-only lookbehind: "ResNet50" and "Qwen2.5" are names, but "提升15%" is a number (CJK is \w).
_DIGITS = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<num>\d{1,3}(?:(?:,|\u2009|\u202f)\d{3})+(?!\d)|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?\^\s?\{?(?P<exp>\d{1,2})\}?)?"
    r"(?P<tail>\s?(?:%|percent\b|个?百分点|万|亿|百万|千万|千|(?:thousand|million|billion|trillion"
    r"|k|m|mn|b|bn|t)(?![A-Za-z])))?",
    re.IGNORECASE,
)
_CN_RUN = re.compile(
    r"(?P<pct>百分之)?(?P<num>[零〇一二两三四五六七八九十百千万亿点]+)(?P<bei>倍)?"
)
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "million": 10**6,
    "billion": 10**9, "dozen": 12, "half": 0.5, "twice": 2, "double": 2, "triple": 3,
    "single": 1, "quarter": 0.25, "thrice": 3,
}  # fmt: skip
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# "June 2023", "Sept. 5, 2024": a month named before a year is the `6` of `2023年6月`
_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?\d{4}\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    """One number as written (`span`) and the value it states."""

    span: str
    value: Decimal
    places: int = 0  # decimals as written: how finely it claims the value
    percent: bool = False
    mantissa: Decimal | None = None  # `7` of `7B`: the paper's text counts with it too
    counted: bool = False  # written as a Chinese numeral or word, not digits
    start: int = 0  # where it stands in the text it was read from
    end: int = 0


def fold(text: str) -> str:
    """Full-width digits and signs as ASCII, so `８７％` reads as `87%`."""
    return text.translate(_FULL_WIDTH)


def numbers_in(text: str) -> list[Number]:
    """Every number in `text`, digits and Chinese numerals, in order of appearance."""
    text = fold(text)
    found = [number for match in _DIGITS.finditer(text) if (number := _digits(match))]
    found += [number for match in _CN_RUN.finditer(text) if (number := _chinese(match))]
    return found


def word_numbers(text: str) -> list[Number]:
    """English number words: only the paper's text is read for these (see the module doc)."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group().lower().removesuffix("fold")
        if word in _WORDS:
            value = Decimal(str(_WORDS[word]))
            found.append(Number(match.group(), value, counted=True, start=match.start()))
    for match in _DATE.finditer(text):
        month = Decimal(_MONTHS.index(match.group(1).lower()) + 1)
        found.append(Number(match.group(), month, counted=True, start=match.start()))
    return found


class Known:
    """The paper's numbers, ready to answer "is this one stated?" fast even for a full text
    with thousands of numbers: per (decimals, percentage) the set of values they round to."""

    def __init__(self, numbers: list[Number]) -> None:
        self.numbers = numbers
        self._rounded: dict[tuple[int, bool], set[Decimal]] = {}

    def backs(self, number: Number) -> bool:
        """Whether the paper states `number` (see the module doc)."""
        return number.value in self._values(number.places, number.percent)

    def _values(self, places: int, percent: bool) -> set[Decimal]:
        key = (places, percent)
        if key not in self._rounded:
            candidates = (c for other in self.numbers for c in _candidates(other, percent))
            self._rounded[key] = {
                v for c in candidates for v in (c, _rounded(c, places)) if v is not None
            }
        return self._rounded[key]


def backed(number: Number, known: list[Number]) -> bool:
    """Whether some number of `known` states `number`; `Known` when checking many."""
    return Known(known).backs(number)


def _candidates(other: Number, percent: bool) -> list[Decimal]:
    """Values `other` may stand for: itself, its mantissa, and ×/÷100 where a percentage is
    involved on either side."""
    values = [other.value] + ([other.mantissa] if other.mantissa is not None else [])
    if percent or other.percent:
        values += [v * 100 for v in values] + [v / 100 for v in values]
    return values


def _rounded(value: Decimal, places: int) -> Decimal | None:
    try:
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # far too large to quantize at that precision: equality only
        return None


def _digits(match: re.Match[str]) -> Number | None:
    raw = re.sub(r"[,\u2009\u202f]", "", match.group("num"))
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        return None
    places = len(raw.partition(".")[2])
    tail = (match.group("tail") or "").strip().lower()
    exponent = match.group("exp")
    start, end = match.start(), match.end()
    if exponent and value == 10:
        power_of_ten = Decimal(10) ** int(exponent)
        return Number(match.group(), power_of_ten, mantissa=value, start=start, end=end)
    percent = tail in ("%", "percent") or tail.endswith("百分点")
    power = _SCALE.get(tail)
    if power is None:
        return Number(match.group(), value, places, percent, start=start, end=end)
    # `1.2万` claims 12,000 to the thousand: its places count down by the power of ten
    scaled = value.scaleb(power)
    return Number(match.group(), scaled, places - power, mantissa=value, start=start, end=end)


def _chinese(match: re.Match[str]) -> Number | None:
    numeral = match.group("num").strip("点")
    if not numeral or (len(numeral) == 1 and not match.group("bei")):
        return None
    try:
        # strict: a run like 一一 or 三四 is not one number; 两 is 二 to cn2an's grammar
        value = Decimal(str(cn2an.cn2an(numeral.replace("两", "二").replace("〇", "零"), "strict")))
    except (ValueError, KeyError, IndexError):  # not a well-formed numeral: a word after all
        return None
    places = len(numeral.partition("点")[2])
    percent, start, end = bool(match.group("pct")), match.start(), match.end()
    return Number(
        match.group(), value.normalize(), places, percent, counted=True, start=start, end=end
    )
