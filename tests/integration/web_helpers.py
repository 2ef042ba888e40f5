"""A small archive for the web tests: issues composed from the seed papers (or given papers),
some published, some not, and an HTTP client on the web routes through httpx's ASGITransport."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser

import httpx
from sqlalchemy import select

from bot.commands.context import Deps
from bot.server.app import build_app
from bot.web.routes import web_routes
from bot.web.site import WebConfig
from domain.types import IssueStatus, PaperMeta, SummaryContent
from jobs.compose import compose_issue
from storage.db import Database
from storage.models import Issue
from tests.conftest import make_settings
from tests.factories import store_paper
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

SEED = load_seed_papers()
PUBLISHED_AT = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)


async def store_seed(db: Database, count: int = 20) -> None:
    async with db.session() as s:
        for paper in SEED[:count]:
            await store_paper(s, seed_meta(paper), seed_summary(paper))


async def store(db: Database, papers: Sequence[tuple[PaperMeta, SummaryContent]]) -> None:
    async with db.session() as s:
        for meta, content in papers:
            await store_paper(s, meta, content)


async def compose(db: Database, *, issues: int = 1, per_issue: int = 20) -> None:
    settings = make_settings(database_url=db.url, issue_max_papers=per_issue)
    for _ in range(issues):
        await compose_issue(settings.editorial, db)


async def set_status(db: Database, number: int, status: IssueStatus) -> None:
    async with db.session() as s:
        issue = await s.scalar(select(Issue).where(Issue.number == number))
        assert issue is not None
        issue.status = status.value
        if status is IssueStatus.PUBLISHED:
            issue.published_at = PUBLISHED_AT


def client(
    db: Database, config: WebConfig | None = None, *, peer: str = "203.0.113.7", **settings: object
) -> httpx.AsyncClient:
    deps = Deps(settings=make_settings(database_url=db.url, **settings), db=db)
    app = build_app(web_routes(deps, config))
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://digest.test")


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, of a page (as a browser parses it)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def meta(self, key: str) -> str | None:
        for attrs in self.named("meta"):
            if key in (attrs.get("property"), attrs.get("name")):
                return attrs.get("content")
        return None

    def links(self) -> list[str]:
        return [a["href"] for a in self.named("a") if a.get("href")]  # type: ignore[misc]
