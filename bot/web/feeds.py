"""The feeds: `/feed.atom` and `/feed.json` (the newest published issues, in full) and any
search as a feed, `/search.atom?q=RLHF` and `/search.json?q=…` (a keyword subscription).

A search feed lists the newest stored papers matching every word, newest first: an RSS reader
polls it and must see what arrived since, which a best-first list (the same top matches every
time) would never show. Only published issues are named (`core.services.archive`, `search`);
nothing here changes state. A bad `q` is a 400 with the reason, in both languages; search
feeds share the search page's per-client budget (429 with Retry-After past it). Entries
link to the pages in the digest's language; ETag / Last-Modified / 304 as for the pages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.web.feed_formats import atom_bytes, json_bytes
from bot.web.feed_model import FeedDoc, FeedEntry, issue_entry, paper_entry, xml_safe
from bot.web.headers import cached
from bot.web.links import DEFAULT_LANGUAGE, Links
from bot.web.site import WebConfig
from core.ratelimit import RateLimiter
from core.services.archive import published_issues, recent_published_issues
from core.services.search import newest_matching_papers
from domain.errors import DigestError, InvalidInput, RateLimited
from storage.db import Database

FEED_ISSUES = 10  # issues per feed, each in full (about 20 papers with their summaries)
FEED_PAPERS = 30  # papers per search feed
BUILT_KEPT = 8  # built issue feeds remembered (two formats × a few origins)
FEED_CACHE = "public, max-age=300"  # changes when an issue is published; readers poll hourly
MEDIA = {
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
WRITERS: dict[str, Callable[[FeedDoc], bytes]] = {"atom": atom_bytes, "json": json_bytes}
FEED_PATHS = ("/feed.atom", "/feed.json")
TITLES = {
    "zh": ("ML Papers 论文速递", "每期精选的机器学习论文与中文摘要",
           "搜索：{q}", "新收录的论文中含「{q}」的"),
    "en": ("ML Papers Digest", "Each issue's machine-learning papers with summaries",
           "Search: {q}", "Newly stored papers matching “{q}”"),
}  # fmt: skip


class Feeds:
    """The feed routes over one database, shaped like the pages (`config`: base path, origin
    from PUBLIC_BASE_URL — else each request's own — and directory links for a static copy);
    `language` is the digest's."""

    def __init__(
        self,
        db: Database,
        config: WebConfig,
        *,
        language: str,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.db, self.config, self.language = db, config, language
        self.limiter = limiter  # the pages' per-client search budget, shared
        # Built issue feeds by what they show (published issues are immutable): a poll costs
        # one light list query instead of rendering ten issues again.
        self._built: OrderedDict[Hashable, tuple[bytes, datetime]] = OrderedDict()

    def routes(self) -> list[Route]:
        paths = (*FEED_PATHS, "/search.atom", "/search.json")
        handlers = (self.issues, self.issues, self.search, self.search)
        return [Route(path, handler) for path, handler in zip(paths, handlers, strict=True)]

    async def issues(self, request: Request) -> Response:
        links, kind = self._links(request), _kind(request)
        listing = await published_issues(self.db, limit=FEED_ISSUES)
        shown = tuple((i.number, i.title, i.paper_count, i.published_at) for i in listing.items)
        key = (kind, links.origin, links.base_path, shown)
        built = self._built.get(key)
        if built is None:
            views = await recent_published_issues(self.db, limit=FEED_ISSUES)
            title, description, _, _ = TITLES[self.language]
            entries = tuple(issue_entry(view, links) for view in views)
            built = self._build(request, title, description, links.home(), entries)
            self._built[key] = built
            while len(self._built) > BUILT_KEPT:
                self._built.popitem(last=False)
        return _response(request, kind, *built)

    async def search(self, request: Request) -> Response:
        query = request.query_params.get("q", "")
        try:
            if self.limiter is not None:
                self.limiter.check(request.client.host if request.client else "unknown")
            hits = await newest_matching_papers(
                self.db, query=query, language=self.language, limit=FEED_PAPERS
            )
        except InvalidInput as exc:
            return _plain(exc, 400)
        except RateLimited as exc:
            return _plain(exc, 429, {"retry-after": str(exc.retry_after)})
        links = self._links(request)
        _, _, title, description = TITLES[self.language]
        q = xml_safe(" ".join(query.split()))
        entries = tuple(paper_entry(hit, links) for hit in hits)
        home = links.search(query)
        built = self._build(
            request, title.format(q=q), description.format(q=q), home, entries, query
        )
        return _response(request, _kind(request), *built)

    def _build(
        self,
        request: Request,
        title: str,
        description: str,
        home: str,
        entries: tuple[FeedEntry, ...],
        query: str | None = None,
    ) -> tuple[bytes, datetime]:
        """The feed document's bytes in the request's format, and its newest entry's date."""
        root = replace(self._links(request), language=DEFAULT_LANGUAGE)  # feeds: no /en
        own = root.path(request.url.path, {"q": query} if query else None, page=False)
        absolute = root.absolute
        doc = FeedDoc(title, description, absolute(home), absolute(own), self.language, entries)
        return WRITERS[_kind(request)](doc), doc.updated

    def _links(self, request: Request) -> Links:
        links = self.config.links(self.language)
        if links.origin:
            return links
        return replace(links, origin=f"{request.url.scheme}://{request.url.netloc}")


def _kind(request: Request) -> str:
    return "atom" if request.url.path.endswith(".atom") else "json"


def _response(request: Request, kind: str, body: bytes, updated: datetime) -> Response:
    return cached(
        request, body, media_type=MEDIA[kind], cache_control=FEED_CACHE, last_modified=updated
    )


def _plain(error: DigestError, status: int, headers: dict[str, str] | None = None) -> Response:
    message = f"{error.message_for('zh')}\n{error.message_for('en')}\n"
    return PlainTextResponse(message, status_code=status, headers=headers)
