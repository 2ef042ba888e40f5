"""Rendered pages kept in memory, so a page read again costs a lookup instead of a render.

A published issue comes out byte for byte the same until its `IssueStamp` (publication time,
newest summary and figure of its papers) or our rendering (templates, stylesheet, this code's
version, the site's shape) changes, so its ETag is a hash of exactly those, computed from one
cheap query before the issue is loaded: a matching If-None-Match is a 304 without a render,
and the rendered bytes are kept under that ETag. Search results change as papers arrive, so a
results page is kept only briefly (`SEARCH_TTL_SECONDS`), enough for a reader paging back.

Both caches are bounded by the bytes they hold (cachetools' `getsizeof`), not by entries: an
issue of twenty papers is ~50 KB, so the default keeps ~600 issues in 32 MB.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from importlib.resources.abc import Traversable

from cachetools import LRUCache, TTLCache

from bot.web.site import WebConfig
from domain.types import IssueStamp

ISSUE_CACHE_BYTES = 32 * 2**20
SEARCH_CACHE_BYTES = 8 * 2**20
SEARCH_TTL_SECONDS = 30.0
RENDERING_PACKAGES = ("bot.web", "bot.render")  # what turns an issue into HTML


class PageCache:
    """The rendered issue pages (by ETag) and recent search pages (by language, query, page)
    of one site shape (`WebConfig`)."""

    def __init__(self, config: WebConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.site = hashlib.sha256(repr(config).encode()).hexdigest()[:12]
        self.issues: LRUCache[str, bytes] = LRUCache(ISSUE_CACHE_BYTES, getsizeof=len)
        self.searches: TTLCache[tuple[str, str, int], bytes] = TTLCache(
            SEARCH_CACHE_BYTES, SEARCH_TTL_SECONDS, timer=clock, getsizeof=len
        )

    def issue_etag(self, stamp: IssueStamp, lang: str) -> str:
        """The ETag of issue page `stamp.number` in `lang`: the same bytes have the same tag."""
        published = stamp.published_at.isoformat() if stamp.published_at else ""
        parts = (
            stamp.number, lang, published, stamp.latest_summary_id, stamp.latest_figure_id,
            rendering_version(), self.site,
        )  # fmt: skip
        return f'"i{hashlib.sha256(repr(parts).encode()).hexdigest()[:20]}"'

    def keep_issue(self, etag: str, body: bytes) -> bytes:
        if len(body) <= self.issues.maxsize:  # one page larger than the cache is not kept
            self.issues[etag] = body
        return body

    def keep_search(self, key: tuple[str, str, int], body: bytes) -> bytes:
        if len(body) <= self.searches.maxsize:
            self.searches[key] = body
        return body


@cache
def rendering_version() -> str:
    """A hash of every file that shapes a page (templates, stylesheet, the rendering code)
    and our release: a new release or an edited template changes every page's ETag."""
    digest = hashlib.sha256(_release().encode())
    for package in RENDERING_PACKAGES:
        for path in sorted(_walk(files(package)), key=lambda item: str(item)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _walk(folder: Traversable) -> list[Traversable]:
    found: list[Traversable] = []
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _walk(entry)
        elif entry.name.endswith((".py", ".html", ".j2", ".css")):
            found.append(entry)
    return found


def _release() -> str:
    try:
        return version("digestbot")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unreleased"
