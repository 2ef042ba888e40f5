"""Today's announcement: arXiv's RSS/Atom feed for the configured categories.

The feed is the source of truth for "new today": it lists exactly what arXiv announced (new
submissions and cross-lists; replacements are ignored). On weekends and holidays arXiv serves
a feed with no entries, which means "no announcement", not an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import feedparser
import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from core.config_groups import ArxivSettings
from core.proxy import httpx_options, secret
from domain.arxiv_ids import ArxivId, try_parse_arxiv_id

KEEP_TYPES = frozenset({"new", "cross"})
# arXiv announces on its own clock: the feed's dates are US Eastern.
ARXIV_TZ = ZoneInfo("America/New_York")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class AnnouncedPaper:
    arxiv_id: ArxivId
    announce_type: str


@dataclass
class Announcement:
    """What the feed announced; `papers` is empty on days without an announcement."""

    announced_on: date | None
    papers: list[AnnouncedPaper] = field(default_factory=list)
    ignored: int = 0  # replacements, unknown types and entries without a usable id

    @property
    def is_empty(self) -> bool:
        return not self.papers and not self.ignored


def feed_url(arxiv: ArxivSettings) -> str:
    return f"{arxiv.rss_url.rstrip('/')}/{'+'.join(arxiv.categories)}"


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code in _RETRY_STATUSES
    return isinstance(error, httpx.TransportError)


async def download_feed(arxiv: ArxivSettings) -> bytes:
    """GET the combined feed, retrying throttling, server errors and network errors."""
    retrying = AsyncRetrying(
        stop=stop_after_attempt(arxiv.retries + 1),
        wait=wait_exponential(multiplier=max(arxiv.delay_seconds, 0.05), max=60),
        retry=retry_if_exception(_is_transient),
        reraise=True,
    )
    timeout = httpx.Timeout(arxiv.timeout_seconds)
    url = feed_url(arxiv)
    proxy = httpx_options(url, secret(arxiv.proxy))
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, **proxy) as client:
        async for attempt in retrying:
            with attempt:
                response = await client.get(url)
                response.raise_for_status()
                return response.content
    raise AssertionError("unreachable: tenacity re-raises the last error")


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ARXIV_TZ).date()


def _entry_date(entry: feedparser.FeedParserDict) -> date | None:
    """An entry's `published` is the announcement day, midnight US Eastern."""
    raw = entry.get("published")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _announced_on(parsed: feedparser.FeedParserDict) -> date | None:
    for entry in parsed.entries:
        if day := _entry_date(entry):
            return day
    return _parse_date(parsed.feed.get("updated"))


def parse_feed(content: bytes) -> Announcement:
    """Parse the feed; malformed entries are counted as ignored, never raised."""
    parsed = feedparser.parse(content)
    if parsed.bozo and not parsed.entries and not parsed.feed.get("title"):
        raise ValueError(f"arXiv feed is not a feed: {type(parsed.bozo_exception).__name__}")
    announcement = Announcement(announced_on=_announced_on(parsed))
    for entry in parsed.entries:
        kind = (entry.get("arxiv_announce_type") or "").strip().lower()
        arxiv_id = try_parse_arxiv_id(entry.get("id") or "")
        if kind in KEEP_TYPES and arxiv_id is not None:
            announcement.papers.append(AnnouncedPaper(arxiv_id, kind))
        else:
            announcement.ignored += 1
    return announcement


async def fetch_announcement(arxiv: ArxivSettings) -> Announcement:
    return parse_feed(await download_feed(arxiv))
