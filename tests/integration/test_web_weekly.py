"""A published weekly round-up on the web archive: `/weekly/N` (and `/en/weekly/N`) in seed
001's shape, linked from `/issues` apart from the daily of the same number, and in the feed."""

from __future__ import annotations

from html.parser import HTMLParser

import feedparser
from sqlalchemy import update

from domain.types import IssueStatus
from jobs.weekly import compose_weekly
from storage.db import Database
from storage.models import Issue
from tests.conftest import make_settings
from tests.integration.web_helpers import PUBLISHED_AT, Elements, client
from tests.integration.weekly_helpers import NOW, published_week


async def _published_weekly(db: Database) -> None:
    await published_week(db, [4, 5, 3])
    settings = make_settings(database_url=db.url)
    await compose_weekly(settings.editorial, settings.llm, db, now=NOW)
    async with db.session() as s:
        await s.execute(
            update(Issue).values(status=IssueStatus.PUBLISHED.value, published_at=PUBLISHED_AT)
        )


async def test_weekly_page_in_the_seeds_shape(db: Database) -> None:
    await _published_weekly(db)
    async with client(db) as http:
        page = await http.get("/weekly/1")
        english = await http.get("/en/weekly/1")
        missing = await http.get("/weekly/2")
        daily = await http.get("/issues/1")
    assert page.status_code == 200 and english.status_code == 200
    doc = Elements(page.text)
    headings = ["".join(h) for h in _texts(page.text, "h2")]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、"]
    assert "【极速前进】20261116-20261122" in "".join(doc.text)
    assert "周报第1期" in page.text and "Weekly 1" in english.text
    assert sum(link.startswith("https://arxiv.org/pdf/") for link in doc.links()) == 3
    assert missing.status_code == 404 and "周报第2期尚未发布" in missing.text
    assert daily.status_code == 200 and "ML Papers第1期" in daily.text  # the daily, not the weekly


async def test_issues_list_links_both_kinds_and_the_feed_carries_the_weekly(db: Database) -> None:
    await _published_weekly(db)
    async with client(db) as http:
        listing = Elements((await http.get("/issues")).text)
        feed = feedparser.parse((await http.get("/feed.atom")).text)
    assert {"/issues/1", "/weekly/1"} <= set(listing.links())
    assert "周报第1期" in "".join(listing.text)
    links = {entry.link for entry in feed.entries}
    assert any(link.endswith("/weekly/1") for link in links)
    (weekly,) = [entry for entry in feed.entries if entry.link.endswith("/weekly/1")]
    assert weekly.title.startswith("周报第1期 · 【极速前进】")
    assert "一、" in weekly.content[0].value and "论文地址" in weekly.content[0].value
    assert any(link.endswith("/issues/1") for link in links)


def _texts(html: str, tag: str) -> list[list[str]]:
    """The text inside each `tag` element, in order."""
    found: list[list[str]] = []

    class Reader(HTMLParser):
        inside = False

        def handle_starttag(self, name: str, attrs: object) -> None:
            if name == tag:
                self.inside = True
                found.append([])

        def handle_endtag(self, name: str) -> None:
            if name == tag:
                self.inside = False

        def handle_data(self, data: str) -> None:
            if self.inside:
                found[-1].append(data)

    Reader().feed(html)
    return found
