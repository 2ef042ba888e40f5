"""The feeds: `/feed.atom` and `/feed.json` (the newest published issues, in full) and any
search as a feed, `/search.atom?q=RLHF` and `/search.json?q=…` (a keyword subscription).

A search feed lists the newest stored papers matching every word, newest first: an RSS reader
polls it and must see what arrived since, which a best-first list (the same top matches every
time) would never show. Only published issues are named (`core.services.archive`, `search`);
nothing here changes state. A bad `q` is a 400 with the reason, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.web.caching import cached_response
from bot.web.feed_formats import atom_bytes, json_bytes
from bot.web.feed_model import FeedDoc, FeedEntry, issue_entry, paper_entry, xml_safe
from core.services.archive import recent_published_issues
from core.services.search import newest_matching_papers
from domain.errors import InvalidInput
from storage.db import Database

FEED_ISSUES = 10  # issues per feed, each in full (about 20 papers with their summaries)
FEED_PAPERS = 30  # papers per search feed
MAX_AGE = 300  # seconds: a feed changes when an issue is published, readers poll hourly
MEDIA = {
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
WRITERS: dict[str, Callable[[FeedDoc], bytes]] = {"atom": atom_bytes, "json": json_bytes}
TITLES = {
    "zh": ("ML Papers 论文速递", "每期精选的机器学习论文与中文摘要",
           "搜索：{q}", "新收录的论文中含「{q}」的"),
    "en": ("ML Papers digest", "Each issue's machine-learning papers with summaries",
           "Search: {q}", "Newly stored papers matching “{q}”"),
}  # fmt: skip


class Feeds:
    """The feed routes over one database; `base_url` is PUBLIC_BASE_URL (None: each request's
    own base URL) and `language` the digest's."""

    def __init__(self, db: Database, *, base_url: str | None, language: str) -> None:
        self.db = db
        self.base_url = base_url.rstrip("/") if base_url else None
        self.language = language

    def routes(self) -> list[Route]:
        return [
            Route("/feed.atom", self.issues, name="feed_atom"),
            Route("/feed.json", self.issues, name="feed_json"),
            Route("/search.atom", self.search, name="search_atom"),
            Route("/search.json", self.search, name="search_json"),
        ]

    async def issues(self, request: Request) -> Response:
        base, kind = self._base(request), _kind(request)
        views = await recent_published_issues(self.db, limit=FEED_ISSUES)
        title, description, _, _ = TITLES[self.language]
        entries = tuple(issue_entry(view, base) for view in views)
        return self._respond(request, kind, title, description, f"{base}/", entries)

    async def search(self, request: Request) -> Response:
        base, kind = self._base(request), _kind(request)
        query = request.query_params.get("q", "")
        try:
            hits = await newest_matching_papers(
                self.db, query=query, language=self.language, limit=FEED_PAPERS
            )
        except InvalidInput as exc:
            message = f"{exc.message_for('zh')}\n{exc.message_for('en')}\n"
            return PlainTextResponse(message, status_code=400)
        _, _, title, description = TITLES[self.language]
        q = xml_safe(" ".join(query.split()))
        entries = tuple(paper_entry(hit, base, self.language) for hit in hits)
        home = f"{base}/search?{urlencode({'q': query})}"
        return self._respond(
            request, kind, title.format(q=q), description.format(q=q), home, entries
        )

    def _respond(
        self,
        request: Request,
        kind: str,
        title: str,
        description: str,
        home: str,
        entries: tuple[FeedEntry, ...],
    ) -> Response:
        query = request.query_params.get("q")
        path = request.url.path + (f"?{urlencode({'q': query})}" if query is not None else "")
        self_url = f"{self._base(request)}{path}"
        doc = FeedDoc(title, description, home, self_url, self.language, entries)
        body = WRITERS[kind](doc)
        return cached_response(
            request, body, media_type=MEDIA[kind], modified=doc.updated, max_age=MAX_AGE
        )

    def _base(self, request: Request) -> str:
        return self.base_url or str(request.base_url).rstrip("/")


def _kind(request: Request) -> str:
    return "atom" if request.url.path.endswith(".atom") else "json"
