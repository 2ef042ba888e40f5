"""Published issues are immutable: ETag, Last-Modified, long cache, 304s; and an issue of 20
papers with realistic summaries weighs at most 60 KB of HTML + CSS."""

from __future__ import annotations

from email.utils import format_datetime

from bot.web.headers import LONG_CACHE, SHORT_CACHE
from domain.types import IssueStatus
from storage.db import Database
from tests.integration.web_helpers import (
    PUBLISHED_AT,
    Elements,
    client,
    compose,
    set_status,
    store_seed,
)

MAX_ISSUE_BYTES = 60_000


async def _published(db: Database, papers: int = 3) -> None:
    await store_seed(db, papers)
    await compose(db, per_issue=papers)
    await set_status(db, 1, IssueStatus.PUBLISHED)


async def test_a_published_issue_is_cached_and_revalidated(db: Database) -> None:
    await _published(db)
    async with client(db) as http:
        page = await http.get("/issues/1")
        etag, modified = page.headers["etag"], page.headers["last-modified"]
        assert page.headers["cache-control"] == LONG_CACHE
        assert modified == format_datetime(PUBLISHED_AT, usegmt=True)
        same = await http.get("/issues/1", headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
        since = await http.get("/issues/1", headers={"If-Modified-Since": modified})
        assert since.status_code == 304
        stale = await http.get("/issues/1", headers={"If-None-Match": '"other"'})
        assert stale.status_code == 200 and stale.content == page.content
        garbage = await http.get("/issues/1", headers={"If-Modified-Since": "yesterday"})
        assert garbage.status_code == 200
        listing = await http.get("/issues")
        assert listing.headers["cache-control"] == SHORT_CACHE and listing.headers["etag"]
        search = await http.get("/search", params={"q": "model"})
        assert search.headers["cache-control"] == SHORT_CACHE


async def test_the_stylesheet_is_cached_for_a_year_under_its_hash(db: Database) -> None:
    await _published(db, 1)
    async with client(db) as http:
        page = Elements((await http.get("/issues/1")).text)
        (sheet,) = [link["href"] for link in page.named("link") if link.get("rel") == "stylesheet"]
        assert sheet and "?v=" in sheet
        css = await http.get(sheet)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "immutable" in css.headers["cache-control"]


async def test_an_issue_of_twenty_papers_weighs_at_most_60_kb(db: Database) -> None:
    await _published(db, 20)
    async with client(db) as http:
        page = await http.get("/issues/1")
        sheet = [
            a["href"] for a in Elements(page.text).named("link") if a.get("rel") == "stylesheet"
        ]
        css = await http.get(sheet[0] or "")
    assert page.text.count('class="paper"') == 20
    weight = len(page.content) + len(css.content)
    assert weight <= MAX_ISSUE_BYTES, f"{weight} bytes"
