"""The feeds parse (feedparser), carry every published issue and no draft, survive hostile
text, answer conditional GETs with 304, and refuse a bad search with a clear 400."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import feedparser
import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from bot.commands.context import Deps
from bot.web.feeds import Feeds
from bot.web.routes import web_routes
from bot.web.site import WebConfig
from storage.db import Database
from storage.models import Issue
from tests.conftest import make_settings
from tests.factories import make_paper, store_paper
from tests.web_archive import DRAFT_TITLE, REJECTED_TITLE, Archive, build_archive

BASE = "https://digest.example/sub"


def client(db: Database, base_url: str | None = BASE) -> httpx.AsyncClient:
    config = WebConfig("/sub", "https://digest.example") if base_url else WebConfig()
    app = Starlette(routes=Feeds(db, config, language="zh").routes())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local")


def assert_public(body: str, archive: Archive) -> None:
    for marker in (DRAFT_TITLE, REJECTED_TITLE, "\x01", "\ufffe"):
        assert marker not in body
    for number in archive.hidden:
        assert f'/issues/{number}"' not in body and f"/issues/{number}<" not in body


@pytest.mark.parametrize("path", ["/feed.atom", "/feed.json"])
async def test_issue_feeds_carry_every_published_issue_and_no_draft(
    db: Database, path: str
) -> None:
    archive = await build_archive(db)
    async with client(db) as http:
        response = await http.get(path)
    assert response.status_code == 200
    entries = parse_feed(response)
    links = [entry["url"] for entry in entries]
    assert links == [f"{BASE}/issues/{n}" for n in sorted(archive.published, reverse=True)]
    assert_public(response.text, archive)
    for hidden_id in archive.hidden_only_ids:
        assert hidden_id not in response.text
    first = entries[0]
    assert first["title"].startswith("ML Papers第3期") and "R&D ]]> <b>bold</b>" in first["title"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first["html"]
    assert f"{BASE}/papers/" in first["html"]
    assert first["published"].startswith("2026-11-03T09:00:00")


def parse_feed(response: httpx.Response) -> list[dict[str, str]]:
    """Atom through feedparser (which has no JSON Feed support in 6.0); JSON Feed checked
    against version 1.1's required members."""
    if response.headers["content-type"].startswith("application/atom+xml"):
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        return [
            {"url": e.link, "title": e.title, "html": e.content[0].value, "published": e.published}
            for e in parsed.entries
        ]
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
    for item in feed["items"]:
        assert item["id"] and (item.get("content_html") or item.get("content_text"))
    return [
        {"url": i["url"], "title": i["title"], "html": i["content_html"],
         "published": i["date_published"]}
        for i in feed["items"]
    ]  # fmt: skip


async def test_atom_is_well_formed_xml_with_hostile_text(db: Database) -> None:
    from xml.etree import ElementTree

    await build_archive(db)
    async with client(db) as http:
        atom = await http.get("/feed.atom")
        search = await http.get("/search.atom", params={"q": "Hostile"})
    for response in (atom, search):
        assert response.headers["content-type"].startswith("application/atom+xml")
        root = ElementTree.fromstring(response.content)  # raises on any XML error
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    entry = feedparser.parse(search.content).entries[0]
    # controls dropped (whitespace ones folded to a space first), markup kept as text
    assert entry.title == "Hostile <script>alert(1)</script> R&D ]]> <b>bold</b>  end"


async def test_search_feed_lists_matching_papers_newest_first(db: Database) -> None:
    archive = await build_archive(db)
    async with client(db) as http:
        response = await http.get("/search.json", params={"q": "Hostile"})
        everything = await http.get("/search.json", params={"q": "learning"})
    assert response.headers["content-type"].startswith("application/feed+json")
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == f"{BASE}/search.json?q=Hostile"
    assert [item["id"] for item in feed["items"]] == [f"{BASE}/papers/{archive.hostile_id}"]
    assert parse_feed(response)[0]["url"].endswith(archive.hostile_id)
    ids = [item["id"] for item in everything.json()["items"]]
    assert len(ids) > 1 and len(set(ids)) == len(ids)
    assert_public(everything.text, archive)


@pytest.mark.parametrize("query", ["", "   ", "x" * 301])
async def test_a_bad_search_is_a_clear_400(db: Database, query: str) -> None:
    async with client(db) as http:
        for path in ("/search.atom", "/search.json"):
            response = await http.get(path, params={"q": query} if query else None)
            assert response.status_code == 400
            assert response.headers["content-type"].startswith("text/plain")
            assert "search" in response.text.lower() and "搜索" in response.text


async def test_punctuation_only_search_is_an_empty_feed(sqlite_db: Database) -> None:
    async with client(sqlite_db) as http:
        response = await http.get("/search.json", params={"q": "\"'*)(&"})
    assert response.status_code == 200 and response.json()["items"] == []


async def test_conditional_get_and_cache_headers(sqlite_db: Database) -> None:
    await build_archive(sqlite_db)
    async with client(sqlite_db) as http:
        first = await http.get("/feed.atom")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert first.headers["cache-control"] == "public, max-age=300"
        assert modified == "Tue, 03 Nov 2026 09:00:00 GMT"  # issue 3's publication
        again = await http.get("/feed.atom", headers={"If-None-Match": etag})
        since = await http.get("/feed.atom", headers={"If-Modified-Since": modified})
        stale = await http.get("/feed.atom", headers={"If-None-Match": '"other"'})
        junk = await http.get("/feed.atom", headers={"If-Modified-Since": "yesterday"})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert since.status_code == 304
    assert stale.status_code == junk.status_code == 200


async def test_without_public_base_url_links_use_the_request_base(sqlite_db: Database) -> None:
    await build_archive(sqlite_db)
    async with client(sqlite_db, base_url=None) as http:
        feed = (await http.get("/feed.json")).json()
    assert feed["feed_url"] == "http://local/feed.json"
    assert feed["items"][0]["url"] == "http://local/issues/3"
    assert json.dumps(feed)  # plain JSON all the way down


async def test_the_web_app_serves_feeds_and_pages_announce_them(sqlite_db: Database) -> None:
    await build_archive(sqlite_db)
    settings = make_settings(database_url=sqlite_db.url, public_base_url=f"{BASE}/")
    app = Starlette(routes=web_routes(Deps(settings=settings, db=sqlite_db)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://local") as http:
        feed = await http.get("/feed.atom")
        home = await http.get("/en/issues/3")
        search = await http.get("/search", params={"q": "Hostile"})
    assert feed.status_code == 200 and "content-security-policy" in feed.headers
    assert parse_feed(feed)[0]["url"] == f"{BASE}/issues/3"
    assert '<link rel="alternate" type="application/atom+xml"' in home.text
    assert 'href="/sub/feed.atom"' in home.text and 'href="/sub/feed.json"' in home.text
    assert 'href="/sub/search.atom?q=Hostile"' in search.text


async def test_search_feeds_share_the_search_pages_per_client_budget(sqlite_db: Database) -> None:
    settings = make_settings(database_url=sqlite_db.url)
    app = Starlette(routes=web_routes(Deps(settings=settings, db=sqlite_db)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://local") as http:
        statuses = [
            (await http.get(path, params={"q": "learning"})).status_code
            for path in ("/search.atom", "/search", "/search.json") * 5
        ]
        refused = await http.get("/search.json", params={"q": "learning"})
    assert statuses[:10] == [200] * 10  # the burst, spent by pages and feeds alike
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Too many requests" in refused.text and "请" in refused.text


async def test_search_feed_is_newest_stored_first_and_widens_to_prefixes(db: Database) -> None:
    async with db.session() as s:
        older = make_paper(title="Zebrafish locomotion policies")
        newer = make_paper(title="Zebrafish schooling with transformers")
        for meta in (older, newer):
            await store_paper(s, meta)
    async with client(db) as http:
        exact = (await http.get("/search.json", params={"q": "zebrafish"})).json()
        prefix = (await http.get("/search.atom", params={"q": "zebrafi"})).content
    expected = [f"{BASE}/papers/{m.arxiv_id}" for m in (newer, older)]
    assert [item["id"] for item in exact["items"]] == expected
    assert [entry.link for entry in feedparser.parse(prefix).entries] == expected


@pytest.mark.parametrize(
    "query", ["a\x00b", "<script>]]>", "\x01\ufffe", "'; DROP TABLE papers; --"]
)
async def test_hostile_search_words_are_words(db: Database, query: str) -> None:
    await build_archive(db)
    async with client(db) as http:
        atom = await http.get("/search.atom", params={"q": query})
        feed = await http.get("/search.json", params={"q": query})
    assert atom.status_code == feed.status_code == 200
    assert not feedparser.parse(atom.content).bozo
    assert "\x00" not in feed.json()["title"] and "\x01" not in feed.json()["title"]


async def test_a_newly_published_issue_appears_in_the_same_feeds_object(
    sqlite_db: Database,
) -> None:
    await build_archive(sqlite_db)
    async with client(sqlite_db) as http:
        before = parse_feed(await http.get("/feed.atom"))
        async with sqlite_db.session() as s:
            draft = await s.scalar(select(Issue).where(Issue.number == 2))
            assert draft is not None
            draft.status, draft.published_at = "published", datetime(2026, 11, 5, tzinfo=UTC)
        after = parse_feed(await http.get("/feed.atom"))
    assert [e["url"] for e in before] == [f"{BASE}/issues/3", f"{BASE}/issues/1"]
    assert [e["url"] for e in after] == [f"{BASE}/issues/{n}" for n in (3, 2, 1)]


@pytest.mark.parametrize("path", ["/feed.atom", "/feed.json"])
async def test_entries_carry_their_key_figure_at_an_absolute_url(db: Database, path: str) -> None:
    archive = await build_archive(db)
    async with client(db) as http:
        response = await http.get(path)
        figure = f"{BASE}/figures/{archive.figure_ids[-1]}.png?v="  # the newest issue's
    if path.endswith(".atom"):
        entry = feedparser.parse(response.content).entries[0]
        (enclosure,) = entry.enclosures
        image, html = enclosure.href, entry.content[0].value
        assert enclosure.type == "image/png" and int(enclosure.length) > 0
    else:
        item = response.json()["items"][0]
        image, html = item["image"], item["content_html"]
    assert image.startswith(figure)
    assert "<img " in html and f'src="{image}"' in html  # feedparser reorders attributes
    assert "Overview" in html and "<script>" not in html  # the hostile caption stays text
