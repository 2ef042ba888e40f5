"""`arxiv.Result` → `PaperMeta`: clean text, split id and version, repair mojibake, find code.

Everything arXiv sends is treated as untrusted text: whitespace is collapsed, empty strings
become None, datetimes are made aware UTC, and an entry we cannot understand is skipped by the
caller rather than crashing the fetch.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import arxiv

from domain.arxiv_ids import split_versioned
from domain.types import PaperMeta
from jobs.fetch.links import first_code_url

_WS = re.compile(r"\s+")
_NON_ASCII_LATIN1 = re.compile(r"[\x80-\xff]")
_ARXIV_LINK = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/", re.IGNORECASE)


class UnusableEntry(ValueError):
    """An API entry without the fields a paper needs (id, title, dates)."""


def clean_text(text: str | None) -> str:
    """Collapse runs of whitespace (arXiv wraps titles and abstracts at ~80 columns)."""
    return _WS.sub(" ", text or "").strip()


def repaired_text(text: str | None) -> str:
    """Mojibake repair first: "Ã\x85" (Å) and "Ã\xa0" (à) hold bytes that look like spaces."""
    return clean_text(fix_mojibake(text or ""))


def optional_text(text: str | None) -> str | None:
    return repaired_text(text) or None


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1 ("WÃ¼bben" → "Wübben").

    Only when the round trip succeeds cleanly and changes something; a genuine Latin-1 name
    ("José") does not survive the UTF-8 decode and is kept as it is.
    """
    if not _NON_ASCII_LATIN1.search(text):
        return text
    try:
        repaired = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    return repaired


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # the package returns aware UTC; be safe with anything else
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _doi(raw: str | None) -> str | None:
    doi = clean_text(raw)
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
    return doi or None


def _external_links(result: arxiv.Result) -> list[str]:
    return [link.href for link in result.links if not _ARXIV_LINK.match(link.href or "")]


def _categories(result: arxiv.Result) -> tuple[tuple[str, ...], str]:
    categories = tuple(dict.fromkeys(c.strip() for c in result.categories if c and c.strip()))
    primary = (result.primary_category or "").strip() or (categories[0] if categories else "")
    if primary and primary not in categories:
        categories = (primary, *categories)
    return categories, primary


def to_paper_meta(
    result: arxiv.Result,
    *,
    announced_on: date | None = None,
    announce_type: str | None = None,
) -> PaperMeta:
    """Convert one API result; raises `UnusableEntry` when it lacks an id or a title."""
    arxiv_id, version = split_versioned(result.get_short_id().strip())
    title = repaired_text(result.title)
    if not arxiv_id or "/api/errors" in result.entry_id or not title:
        raise UnusableEntry(f"unusable arXiv entry {result.entry_id!r}")
    abstract = repaired_text(result.summary)
    comment = optional_text(result.comment)
    categories, primary = _categories(result)
    return PaperMeta(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=tuple(name for a in result.authors if (name := repaired_text(a.name))),
        abstract=abstract,
        categories=categories,
        primary_category=primary,
        published_at=as_utc(result.published),
        updated_at=as_utc(result.updated),
        comment=comment,
        journal_ref=optional_text(result.journal_ref),
        doi=_doi(result.doi),
        code_url=first_code_url([abstract, comment, *_external_links(result)]),
        announced_on=announced_on,
        announce_type=announce_type,
    )
