"""Guards against invention: what the LLM says must be backed by the paper's own text.

Every text field of the summary is checked, found by walking the model (so a field added to
`SummaryContent` is guarded without a change here), against "the paper's text": its title,
abstract, comment and journal reference, plus the full text when the caller has it.

- A number the paper does not state is flagged (`jobs.summarize.numerals` says what counts as
  the same number; a figure, table or section label backs only a label,
  `jobs.summarize.pointers`). Small counting numbers are exempt: an integer up to 10 used as an
  ordinal (`第3`, a list's `1.`/`(2)`) or before a Chinese counting word (`3个`, `两种`) — the
  model numbers and counts its own lists, and the abstract seldom says "three contributions". A
  single Chinese numeral character is read only before 倍, for the same reason.
- A link in a text field the paper does not give is flagged; a code link the paper does not
  give is replaced by the paper's own one (or dropped) and noted (`code_url_dropped`).
- Instruction-like text (`jobs.summarize.injection`) is flagged.
- A rating outside 1-5 is clamped to half points (or dropped when it is not a number at all).

Flags carry the field and the offending span (`domain.guard_flags`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from domain.guard_flags import INJECTION, NUMBER, URL, URL_DROPPED, GuardFlag
from domain.rating import half_point
from domain.types import PaperMeta, SummaryContent
from jobs.summarize.injection import instruction_spans
from jobs.summarize.numerals import Known, Number, numbers_in, word_numbers
from jobs.summarize.pointers import points, split_pointers

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'`{}|\\^\[\]()，。；：、！？）（「」《》]+"
    r"|(?<![\w@./-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>\"'`{}|\\^\[\]()，。；：、！？）（「」《》]*",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}>'\"。，；：！？）"
SMALL = 10  # counting numbers up to this are exempt where they count or order (see above)
_COUNTERS = tuple("个种类项点步方面部分阶段大条位名篇次轮层组维章节")
_CONTEXT = 10  # characters shown either side of a flagged number


@dataclass(frozen=True)
class PaperText:
    """What a summary may draw on: the paper's numbers and links, read once per summary."""

    text: str
    numbers: Known
    urls: dict[str, str]  # normalized -> as the paper spells it
    pointers: Known  # `Figure 6`'s numbers: they back only pointers (`图6`)

    @classmethod
    def of(cls, meta: PaperMeta, text: str | None = None, links: Iterable[str] = ()) -> PaperText:
        parts = (meta.title, meta.abstract, meta.comment, meta.journal_ref, _facts(meta), text)
        source = "\n".join(part for part in parts if part)
        own = [meta.code_url, meta.abs_url, meta.pdf_url, *links]
        if meta.doi:
            own.append(f"https://doi.org/{meta.doi}")
        found = [*urls_in(source), *(link for link in own if link)]
        urls = {normalize_url(url): url.rstrip(_TRAILING) for url in found}
        stated, pointers = split_pointers(source)
        known = Known(numbers_in(stated) + word_numbers(stated))
        return cls(source, known, urls, Known(numbers_in(pointers)))

    def backs(self, number: Number, text: str) -> bool:
        """The paper states `number` of the summary's `text` (a pointer: as a pointer too)."""
        if self.numbers.backs(number):
            return True
        return points(text, number.start) and self.pointers.backs(number)

    def backs_url(self, url: str) -> bool:
        """The paper gives this link, or a longer one it shortens (a repo's root)."""
        key = normalize_url(url)
        return key in self.urls or any(known.startswith(key + "/") for known in self.urls)


def normalize_url(url: str) -> str:
    """Compare links loosely: scheme, www, case of host, trailing punctuation, `.git`, `/`."""
    url = url.strip().rstrip(_TRAILING)
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    host, _, path = url.partition("/")
    path = path.rstrip("/")
    path = path.removesuffix(".git")
    return f"{host.lower()}/{path}".rstrip("/")


def urls_in(text: str) -> list[str]:
    return [url.rstrip(_TRAILING) for url in _URL.findall(text)]


def guard_code_url(
    meta: PaperMeta, code_url: str | None, paper: PaperText | None = None
) -> str | None:
    """The paper's own spelling of the LLM's link if the paper gives it; else arXiv's own link."""
    if code_url:
        known = (paper or PaperText.of(meta)).urls.get(normalize_url(code_url))
        if known:
            return known
    return meta.code_url


def text_fields(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a summary with its field name (`contributions[2]` for list items)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from text_fields(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from text_fields(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from text_fields(item, f"{path}.{key}")


def number_flags(field: str, text: str, paper: PaperText) -> list[GuardFlag]:
    flags = []
    links = [match.span() for match in _URL.finditer(text)]  # a link's digits are the link's
    for number in numbers_in(text):
        if any(start <= number.start < end for start, end in links):
            continue
        if not _exempt(number, text) and not paper.backs(number, text):
            flags.append(GuardFlag(NUMBER, field, _around(text, number)))
    return flags


def url_flags(field: str, text: str, paper: PaperText) -> list[GuardFlag]:
    return [GuardFlag(URL, field, url) for url in urls_in(text) if not paper.backs_url(url)]


def injection_flags(field: str, text: str) -> list[GuardFlag]:
    return [GuardFlag(INJECTION, field, span) for span in instruction_spans(text)]


def check_content(content: SummaryContent, paper: PaperText) -> list[GuardFlag]:
    """Every flag the guards raise on `content`'s text fields (code_url is handled apart)."""
    flags: list[GuardFlag] = []
    for field, text in text_fields(content):
        if field == "code_url":
            continue
        flags += number_flags(field, text, paper)
        flags += url_flags(field, text, paper)
        flags += injection_flags(field, text)
    return flags


def _exempt(number: Number, text: str) -> bool:
    """A small counting number: an ordinal, a list marker, or a count before a counting word."""
    if number.percent or number.places or number.mantissa is not None or number.value > SMALL:
        return False
    if number.value != number.value.to_integral_value() or number.span.endswith("倍"):
        return False
    before, after = text[: number.start].rstrip(" "), text[number.end :].lstrip(" ")
    if before.endswith(("第", "No.", "#")) or after.startswith(_COUNTERS):
        return True
    line_start = before.rsplit("\n", 1)[-1].strip()
    return line_start in ("", "(", "（") and after[:1] in (".", ")", "）", "、")


def _facts(meta: PaperMeta) -> str:
    """arXiv's own facts a summary may cite: its id and version, its years, its DOI, how many
    authors it has (`等 12 位作者`). Years, not dates: a month and day would back every small
    number."""
    years = " ".join(map(str, sorted({meta.published_at.year, meta.updated_at.year})))
    authors = f"{len(meta.authors)} authors"
    return f"arXiv:{meta.arxiv_id} v{meta.version} {years} {meta.doi or ''} {authors}"


def _same_url(url: str | None, other: str) -> bool:
    return url is not None and normalize_url(url) == normalize_url(other)


def _around(text: str, number: Number) -> str:
    start, end = max(0, number.start - _CONTEXT), min(len(text), number.end + _CONTEXT // 2)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def clamp_rating(value: Any) -> float | None:
    """Coerce whatever the model put in `rating` to 1-5 in half points, or None if no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        match = re.search(r"\d+(?:\.\d+)?", value)
        value = float(match.group()) if match else None
    if isinstance(value, int | float) and value == value:  # NaN is not a rating
        return half_point(value)
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
    meta: PaperMeta, content: SummaryContent, text: str | None = None, links: Iterable[str] = ()
) -> tuple[SummaryContent, list[str]]:
    """The content with unbacked code links replaced, and the flags the editor should see.

    `text` is the paper's text beyond its metadata (the full text once fetched) and `links` the
    links it gives; the title, abstract, comment and journal reference are always included."""
    paper = PaperText.of(meta, text, links)
    flags = check_content(content, paper)
    code_url = guard_code_url(meta, content.code_url, paper)
    if code_url != content.code_url:
        if content.code_url and not _same_url(code_url, content.code_url):
            flags.append(GuardFlag(URL_DROPPED, "code_url", content.code_url))
        content = content.model_copy(update={"code_url": code_url})
    return content, list(dict.fromkeys(flag.encode() for flag in flags))
