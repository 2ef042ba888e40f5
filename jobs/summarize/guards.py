"""Guards against invention: what the LLM says must be backed by the paper's own metadata.

- A code link survives only if it appears in the abstract, the comment or arXiv's code link.
- A number in the TL;DR that the title/abstract do not contain flags the summary for the editor.
- A rating outside 1-5 is clamped (or dropped when it is not a number at all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.fulltext import PaperText
from domain.types import PaperMeta, SummaryContent

FLAG_NUMBER = "tldr_number_not_in_abstract"

_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\]\[)]+", re.IGNORECASE)
# 1,000  12.5  3  .5 — a digit run with thousands separators and one decimal part.
# ASCII-only lookbehind: "ResNet50" is a name, but "提升15%" is a number (CJK counts as \w).
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?|(?<![A-Za-z0-9_])\.(\d+)"
)
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100,
    "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12, "half": 0.5,
    "twice": 2, "double": 2, "triple": 3, "single": 1,
}  # fmt: skip


def normalize_url(url: str) -> str:
    """Compare links loosely: scheme, www, case of host, trailing punctuation, `.git`, `/`."""
    url = url.strip().rstrip(".,;:!?)]}>'\"")
    url = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    host, _, path = url.partition("/")
    path = path.rstrip("/")
    path = path.removesuffix(".git")
    return f"{host.lower()}/{path}".rstrip("/")


def metadata_urls(meta: PaperMeta, links: Sequence[str] = ()) -> dict[str, str]:
    """Links the paper itself gives (with those of its full text), keyed by normalized form."""
    text = " ".join(filter(None, (meta.abstract, meta.comment, meta.code_url, *links)))
    return {normalize_url(url): url.rstrip(".,;:!?)]}>'\"") for url in _URL.findall(text)}


def guard_code_url(meta: PaperMeta, code_url: str | None, links: Sequence[str] = ()) -> str | None:
    """The paper's own spelling of the LLM's link if the paper gives it; else arXiv's own link."""
    if code_url:
        known = metadata_urls(meta, links).get(normalize_url(code_url))
        if known:
            return known
    return meta.code_url


def numbers_in(text: str) -> set[Decimal]:
    """Numeric values in free text: `12.5%`, `1,000`, `3x`, `3×`, `提升12.5个百分点` all count."""
    found: set[Decimal] = set()
    for match in _NUMBER.finditer(text):
        whole, fraction, bare_fraction = match.groups()
        digits = f"0.{bare_fraction}" if bare_fraction else whole.replace(",", "")
        if fraction:
            digits = f"{digits}.{fraction}"
        try:
            found.add(Decimal(digits).normalize())
        except InvalidOperation:  # pragma: no cover - the regex only admits digits
            continue
    return found


def _word_numbers(text: str) -> set[Decimal]:
    words = set(re.findall(r"[a-z]+", text.lower()))
    return {Decimal(str(_WORDS[word])).normalize() for word in words & _WORDS.keys()}


def invented_numbers(meta: PaperMeta, tldr: str, body: str = "") -> set[Decimal]:
    """Numbers in the TL;DR that neither the title, the abstract nor the text read states."""
    source = f"{meta.title} {meta.abstract} {body}"
    known = numbers_in(source) | _word_numbers(source)
    return numbers_in(tldr) - known


def clamp_rating(value: Any) -> int | None:
    """Coerce whatever the model put in `rating` to 1-5, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        match = re.search(r"\d+(?:\.\d+)?", value)
        value = float(match.group()) if match else None
    if isinstance(value, int | float) and value == value:  # NaN is not a rating
        return max(1, min(5, round(value)))
    return None


def coerce_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """Lenient fixes before schema validation, so a 0-10 score does not cost a repair call."""
    fixed = dict(raw)
    if "rating" in fixed:
        fixed["rating"] = clamp_rating(fixed["rating"])
    for name in ("contributions", "keywords"):
        if isinstance(fixed.get(name), str):
            fixed[name] = [part.strip() for part in re.split(r"[\n;；、,，]", fixed[name])]
            fixed[name] = [part for part in fixed[name] if part]
    if fixed.get("code_url") == "":
        fixed["code_url"] = None
    return fixed


def apply_guards(
    meta: PaperMeta, content: SummaryContent, paper_text: PaperText | None = None
) -> tuple[SummaryContent, list[str]]:
    """The content with unbacked links dropped, and the flags the editor should see. With the
    paper read in full, its text and links back numbers and links too."""
    flags: list[str] = []
    body = paper_text.plain() if paper_text is not None else ""
    links = paper_text.links if paper_text is not None else ()
    if invented_numbers(meta, content.tldr, body):
        flags.append(FLAG_NUMBER)
    code_url = guard_code_url(meta, content.code_url, links)
    if code_url != content.code_url:
        content = content.model_copy(update={"code_url": code_url})
    return content, flags
