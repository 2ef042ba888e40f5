"""arXiv identifiers: parse what users and feeds give us into (id, version) pairs.

Users paste ids in many shapes (bare, versioned, abs/pdf URLs, `arXiv:` prefixes); feeds use
`oai:arXiv.org:` ids. Everything funnels through `parse_arxiv_id` so a malformed id is refused
once, with a message a reader can act on, before any request reaches arXiv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidInput

# New-style ids since April 2007: YYMM.NNNN (to 2014) or YYMM.NNNNN (from 2015).
_NEW = r"(?P<new>\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})"
# Old-style ids: archive(.SUBJECT-CLASS)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
_OLD = r"(?P<old>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3})"
# re.ASCII: `\d` is 0-9 only, never another script's digits (a typed id is user input).
_ID_RE = re.compile(rf"^(?:{_NEW}|{_OLD})(?:v(?P<version>[1-9]\d{{0,3}}))?$", re.ASCII)
_PREFIXES = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|^oai:arxiv\.org:|^arxiv:",
    re.IGNORECASE,
)
_EXAMPLES = "e.g. 2402.01399, 2402.01399v2, https://arxiv.org/abs/2402.01399 or hep-th/9901001"
_EXAMPLES_ZH = "2402.01399、2402.01399v2、https://arxiv.org/abs/2402.01399 或 hep-th/9901001"


@dataclass(frozen=True)
class ArxivId:
    """An arXiv id without its version, plus the version when one was named."""

    arxiv_id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.arxiv_id if self.version is None else f"{self.arxiv_id}v{self.version}"


def try_parse_arxiv_id(raw: str) -> ArxivId | None:
    """The id in `raw`, or None when it is not one."""
    text = _PREFIXES.sub("", raw.strip(), count=1).strip()
    text = text.removesuffix(".pdf").rstrip("/")
    match = _ID_RE.match(text)
    if match is None or not _digits_fit_month(match.group("new")):
        return None
    version = match.group("version")
    return ArxivId(match.group("new") or match.group("old"), int(version) if version else None)


def _digits_fit_month(new_id: str | None) -> bool:
    """Four digits after the dot until 1412, five from 1501 on."""
    if new_id is None:
        return True
    yymm, number = new_id.split(".")
    return len(number) == (4 if yymm <= "1412" else 5)


def parse_arxiv_id(raw: str) -> ArxivId:
    """The id in `raw`; raises `InvalidInput` with a readable message when malformed."""
    parsed = try_parse_arxiv_id(raw)
    if parsed is None:
        shown = raw.strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise InvalidInput(
            f"“{shown}” is not an arXiv id ({_EXAMPLES}).",
            zh=f"“{shown}” 不是有效的 arXiv 编号（例如 {_EXAMPLES_ZH}）。",
        )
    return parsed


def parse_arxiv_ids(raws: list[str] | tuple[str, ...]) -> list[ArxivId]:
    """Parse every id (all-or-nothing) and drop repeats, keeping the first occurrence."""
    seen: dict[str, ArxivId] = {}
    for raw in raws:
        parsed = parse_arxiv_id(raw)
        seen.setdefault(str(parsed), parsed)
    if not seen:
        raise InvalidInput(
            f"No arXiv id given ({_EXAMPLES}).", zh=f"请给出 arXiv 编号（例如 {_EXAMPLES_ZH}）。"
        )
    return list(seen.values())


def split_versioned(short_id: str) -> tuple[str, int]:
    """`2402.01399v2` → ("2402.01399", 2); an id without a version counts as version 1."""
    match = re.match(r"^(?P<id>.+?)v(?P<version>\d+)$", short_id)
    if match is None:
        return short_id, 1
    return match.group("id"), int(match.group("version"))
