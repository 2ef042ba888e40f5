"""The archive's pages: each parses its request, calls one archive service and renders.

Handlers raise our errors (`NotFound`, `InvalidInput`, `RateLimited`); `bot.web.routes` turns
them into the styled error pages. Nothing here queries the database or changes state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.render.context import PaperCard, card_from_item, card_from_paper
from bot.render.weekly import weekly_entries
from bot.web.headers import LONG_CACHE, cached, revalidated
from bot.web.labels import page_labels
from bot.web.links import Links
from bot.web.page_cache import PageCache
from bot.web.render import CSS_NAME, render, stylesheet
from bot.web.site import SITE_NAME, WebConfig
from core.ratelimit import RateLimiter
from core.services import archive
from core.services.popular import popular_topics
from core.services.search import search_papers
from domain.errors import InvalidInput, NotFound
from domain.fulltext import FigureView
from domain.issue_ref import IssueRef
from domain.numbers import bounded_int
from domain.types import IssueKind, IssueView, Page, PaperView, SearchHit
from storage.db import Database

HTML_LANG = {"zh": "zh-CN", "en": "en"}
HITS_PER_PAGE = 10
MAX_PAGE = 10_000
TOPICS_SHOWN = 30
DESCRIPTION_CHARS = 160
MAX_ID_CHARS = 64  # "arXiv:hep-th/9901001v12" and friends are far shorter

Here = Callable[[Links], str]  # the page's own URL in a language: canonical and switch link


@dataclass(frozen=True)
class Shown:
    """A paper as a page shows it: its card, its id (for its link) and the language of its
    summary (an English page may show the Chinese one when there is no English summary)."""

    card: PaperCard
    arxiv_id: str
    lang: str


def shown(paper: PaperView, card: PaperCard, page_lang: str) -> Shown:
    summary_lang = paper.summary.language if paper.summary else page_lang
    return Shown(card, paper.meta.arxiv_id, HTML_LANG.get(summary_lang, summary_lang))


@dataclass(frozen=True)
class Meta:
    """What the head says about a page (title, description, Open Graph)."""

    title: str
    description: str
    og_type: str = "website"
    published: str = ""  # ISO time: article:published_time (Instant View, previews)
    image: str = ""  # og:image: a key figure's absolute URL (only with a public origin)


class Pages:
    """The handlers, sharing the database handle, the site's shape and the search limiter."""

    def __init__(self, db: Database, config: WebConfig, limiter: RateLimiter) -> None:
        self.db, self.config, self.limiter = db, config, limiter
        self.rendered = PageCache(config)

    def html(self, lang: str, template: str, meta: Meta, here: Here, **extra: Any) -> bytes:
        links = self.config.links(lang)
        other = links.in_language("en" if lang == "zh" else "zh")
        css_version = stylesheet()[1]
        return render(
            template, L=page_labels(lang), lang=lang, html_lang=HTML_LANG[lang], links=links,
            meta=meta, canonical=links.absolute(here(links)), switch_url=here(other),
            css_url=links.static(CSS_NAME, css_version), site_name=SITE_NAME[lang],
            search_enabled=self.config.search, **extra,
        ).encode()  # fmt: skip

    async def home(self, request: Request, lang: str) -> Response:
        try:
            issue = await archive.latest_published_issue(self.db, language=lang)
        except NotFound:
            meta = Meta(SITE_NAME[lang], page_labels(lang)["description"])
            return cached(request, self.html(lang, "empty.html", meta, Links.home))
        return cached(request, self._issue_html(lang, issue, Links.home))

    async def issue(self, request: Request, lang: str) -> Response:
        return await self._issue_page(request, lang, IssueKind.DAILY)

    async def weekly(self, request: Request, lang: str) -> Response:
        """`/weekly/N`: a round-up in seed 001's shape, cached like an issue."""
        return await self._issue_page(request, lang, IssueKind.WEEKLY)

    async def _issue_page(self, request: Request, lang: str, kind: IssueKind) -> Response:
        """One cheap query says whether the client's copy or ours is current; the issue is
        loaded and rendered only when neither is (`bot.web.page_cache`)."""
        number = _number(request.path_params["number"])
        stamp = await archive.published_issue_stamp(
            self.db, number=number, language=lang, kind=kind
        )
        etag = self.rendered.issue_etag(stamp, f"{lang}/{kind.value}")  # apart per kind
        modified = stamp.published_at or stamp.created_at
        if early := revalidated(request, etag, cache_control=LONG_CACHE, last_modified=modified):
            return early
        body = self.rendered.issues.get(etag)
        if body is None:
            issue = await archive.published_issue(self.db, number=number, language=lang, kind=kind)
            body = self._issue_html(lang, issue, lambda links: links.issue(number, kind))
            self.rendered.keep_issue(etag, body)
        return cached(request, body, cache_control=LONG_CACHE, last_modified=modified, etag=etag)

    def _issue_html(self, lang: str, issue: IssueView, here: Here) -> bytes:
        if issue.kind is IssueKind.WEEKLY:
            return self._weekly_html(lang, issue, here)
        cards = [
            shown(item.paper, card_from_item(item, ref=ref, language=lang), lang)
            for ref, item in enumerate(issue.included_items, start=1)
        ]
        labels = page_labels(lang)
        heading = labels["issue_heading"].format(number=issue.number)
        description = " · ".join(shown.card.display_title for shown in cards[:3])
        stamp = (issue.published_at or issue.created_at).isoformat()
        image = self._image(lang, [(s.arxiv_id, s.card.figure) for s in cards])
        meta = Meta(f"{issue.title} · {heading}", _short(description), "article", stamp, image)
        return self.html(lang, "issue.html", meta, here, issue=issue, cards=cards)

    def _weekly_html(self, lang: str, issue: IssueView, here: Here) -> bytes:
        entries = weekly_entries(issue)
        label = IssueRef(issue.number, issue.kind).label(lang)
        stamp = (issue.published_at or issue.created_at).isoformat()
        description = " · ".join(entry.heading for entry in entries[:3])
        meta = Meta(f"{issue.title} · {label}", _short(description), "article", stamp)
        papers = [item.paper.meta.arxiv_id for item in issue.included_items]
        return self.html(
            lang, "weekly.html", meta, here, issue=issue, label=label,
            entries=list(zip(entries, papers, strict=True)),
        )  # fmt: skip

    def _image(self, lang: str, figures: Sequence[tuple[str, FigureView | None]]) -> str:
        """The first key figure's absolute URL, for link previews; "" without a public origin."""
        links = self.config.links(lang)
        found = next(((arxiv_id, f) for arxiv_id, f in figures if f is not None), None)
        return links.absolute(links.figure(*found)) if found and links.origin else ""

    async def issues(self, request: Request, lang: str) -> Response:
        page = _page(request)
        size = self.config.issues_per_page
        listing = await archive.published_issues(self.db, offset=(page - 1) * size, limit=size)
        if page > 1 and not listing.items:
            raise _no_page(page)
        labels = page_labels(lang)
        meta = Meta(f"{labels['issues_title']} · {SITE_NAME[lang]}", labels["description"])
        here: Here = lambda links: links.issues(page)  # noqa: E731
        body = self.html(lang, "issues.html", meta, here, listing=listing, page=page)
        return cached(request, body)

    async def paper(self, request: Request, lang: str) -> Response:
        wanted = request.path_params["arxiv_id"].strip("/")
        if not wanted or len(wanted) > MAX_ID_CHARS:  # nothing, or no id: an unknown path
            raise NotFound("There is no page here.", zh="这里没有页面。")
        paper, numbers = await archive.archive_paper(self.db, arxiv_id=wanted, language=lang)
        card = card_from_paper(paper, ref=1, language=lang)
        arxiv_id = paper.meta.arxiv_id
        image = self._image(lang, [(arxiv_id, card.figure)])
        meta = Meta(card.display_title, _short(card.tldr or card.abstract), "article", "", image)
        here: Here = lambda links: links.paper(arxiv_id)  # noqa: E731
        one = shown(paper, card, lang)
        body = self.html(lang, "paper.html", meta, here, s=one, numbers=numbers)
        return cached(request, body)

    async def search(self, request: Request, lang: str) -> Response:
        """Results are kept for SEARCH_TTL_SECONDS (a reader paging back and forth); the rate
        limit counts every request, kept or not."""
        query, page = request.query_params.get("q", "").strip(), _page(request)
        if not query:
            return cached(request, self._search_html(lang, query, page, None))
        self.limiter.check(_client(request))
        key = (lang, query, page)
        body = self.rendered.searches.get(key)
        if body is None:
            hits = await search_papers(
                self.db, query=query, language=lang, offset=(page - 1) * HITS_PER_PAGE,
                limit=HITS_PER_PAGE, published_only=True,
            )  # fmt: skip
            if page > 1 and not hits.items:
                raise _no_page(page)
            body = self.rendered.keep_search(key, self._search_html(lang, query, page, hits))
        return cached(request, body)

    def _search_html(self, lang: str, query: str, page: int, hits: Page[SearchHit] | None) -> bytes:
        labels = page_labels(lang)
        meta = Meta(f"{query or labels['search_title']} · {SITE_NAME[lang]}", labels["description"])
        here: Here = lambda links: links.search(query, page)  # noqa: E731
        cards = _hit_cards(hits.items if hits else (), lang)
        return self.html(
            lang, "search.html", meta, here, query=query, hits=hits, cards=cards,
            search_page=lambda n: self.config.links(lang).search(query, n),
        )  # fmt: skip

    async def topics(self, request: Request, lang: str) -> Response:
        topics = await popular_topics(self.db, limit=TOPICS_SHOWN, language=lang)
        labels = page_labels(lang)
        meta = Meta(f"{labels['topics_title']} · {SITE_NAME[lang]}", labels["topics_intro"])
        body = self.html(lang, "topics.html", meta, Links.topics, topics=topics)
        return cached(request, body)


def _hit_cards(hits: Sequence[SearchHit], lang: str) -> list[tuple[Shown, tuple[int, ...]]]:
    return [
        (
            shown(hit.paper, card_from_paper(hit.paper, ref=0, language=lang), lang),
            hit.issue_numbers,
        )
        for hit in hits
    ]


def _number(text: str) -> int:
    number = bounded_int(text.strip("/"), 10**9)
    if not number:  # not digits, too big, or 0: no such issue, the same page as a missing one
        raise NotFound(f"There is no issue {text[:20]!r}.", zh=f"没有第 {text[:20]} 期。")
    return number


def _page(request: Request) -> int:
    raw = request.path_params.get("page") or request.query_params.get("page") or "1"
    page = bounded_int(raw.strip("/"), MAX_PAGE)
    if not page:
        raise InvalidInput(
            f"The page must be a number from 1 to {MAX_PAGE}.",
            zh=f"页码应为 1 到 {MAX_PAGE} 之间的数字。",
        )
    return page


def _no_page(page: int) -> NotFound:
    return NotFound(f"There is no page {page}.", zh=f"没有第 {page} 页。")


def _client(request: Request) -> str:
    """The peer's address: uvicorn has already put the forwarded one there only for proxies
    trusted by HTTP_TRUSTED_PROXIES (`bot.server.serve`); never a header read here."""
    return request.client.host if request.client else "unknown"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"
