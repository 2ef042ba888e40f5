"""The web archive in a real browser (Debian's Chromium through Playwright), served by a real
`digestbot run` over a seeded SQLite file (tests/e2e/web_site.py):

- every page type renders with no console error and no failed request, at 420 px without
  horizontal scroll, in light and dark mode; screenshots of each at 420 and 1280 px are written
  under the test's temporary folder (its path is printed) for people to look at;
- a crawl from / follows every internal link (a, link[href], the feeds) with no 404 and never
  reaches a draft or a rejected issue, which answer 404 when asked for directly;
- a title and abstract made of markup render as text: no script runs, no element is injected.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urldefrag, urlsplit

import feedparser
import httpx
import pytest

from tests.e2e.browser import (
    NARROW,
    WIDE,
    Visit,
    chromium,
    page_at,
    require_browser,
    screenshot,
    visit,
)
from tests.e2e.web_site import HOSTILE_TITLE, HOSTILE_TITLE_ZH, Site, running_site
from tests.seed_papers import load_seed_papers

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

FILES = (".atom", ".json", ".css")  # fetched as files, not opened as pages
RETRIES = 5
MAX_CRAWL = 300  # pages: the seeded site has a few dozen; a loop of ever-new URLs stops here
SEED = load_seed_papers()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("site")) as running:
        yield running


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    require_browser()
    with chromium() as launched:
        yield launched


def page_types(site: Site) -> dict[str, str]:
    """One URL of every kind of page a reader can land on."""
    return {
        "home": "/",
        "issues": "/issues",
        "issue": f"/issues/{site.published[-1]}",
        "paper": f"/papers/{SEED[0].arxiv_id}",
        "hostile-paper": f"/papers/{site.hostile_id}",
        "search-en": "/search?q=" + quote("language models"),
        "search-zh": "/search?q=" + quote("强化学习"),
        "search-none": "/search?q=" + quote("zzqqxx nothing"),
        "topics": "/topics",
        "issue-en": f"/en/issues/{site.published[-1]}",
        "search-en-ui": "/en/search?q=" + quote("强化学习"),
        "not-found": "/issues/999",
    }


def _scroll_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _own_404_removed(seen: Visit) -> Visit:
    """The not-found page's problems, less its own 404 (which the browser also logs)."""
    seen.failed = [f for f in seen.failed if f != f"{seen.url}: 404"]
    seen.console_errors = [e for e in seen.console_errors if "status of 404" not in e]
    seen.status = 200 if seen.status == 404 else seen.status
    return seen


@pytest.mark.timeout(300)
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_page_renders_cleanly_at_both_widths(
    site: Site, browser: Browser, tmp_path: Path, dark: bool
) -> None:
    shots = tmp_path / "screenshots"
    print(f"screenshots of every page type: {shots}")
    for width in (NARROW, WIDE):
        with page_at(browser, width, dark=dark) as page:
            for name, path in page_types(site).items():
                seen = visit(page, site.base + path)
                if name == "not-found":
                    assert seen.status == 404, seen
                    seen = _own_404_removed(seen)
                assert seen.problems == [], (name, width, seen.problems)
                if width == NARROW:
                    assert _scroll_width(page) <= NARROW, (name, _scroll_width(page))
                screenshot(page, shots, f"{name}-{width}{'-dark' if dark else ''}")
    assert len(list(shots.glob("*.png"))) == 2 * len(page_types(site))


def _links(page: Page) -> list[str]:
    """Every address the page points to: anchors, <link> (stylesheets, feeds, canonical)."""
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href], link[href]", "els => els.map(e => e.href)"
    )
    return [urldefrag(href).url for href in hrefs]


def _dead_anchors(page: Page) -> list[str]:
    """In-page links (the issue's table of contents) whose target id is not on the page."""
    dead: list[str] = page.eval_on_selector_all(
        "a[href*='#']",
        """els => els.filter(e => e.pathname === location.pathname && e.hash
                 && !document.getElementById(decodeURIComponent(e.hash.slice(1))))
                 .map(e => e.getAttribute('href'))""",
    )
    return dead


def _internal(site: Site, url: str) -> bool:
    return urlsplit(url).netloc == urlsplit(site.base).netloc


def _fetched(site: Site, page: Page, url: str) -> tuple[int, list[str]]:
    """One URL's status and, for a page, its internal links: files (feeds, the stylesheet) by a
    plain request, pages in the browser (which must show no problem). A polite crawler: a 429
    (the per-address search limit) is waited out as its Retry-After says, then asked again."""
    for _ in range(RETRIES):
        if urlsplit(url).path.endswith(FILES):
            answer = page.request.get(url)
            status, headers, links = answer.status, answer.headers, []
        else:
            seen = visit(page, url)
            status, headers = seen.status or 0, seen.headers
            links = [link for link in _links(page) if _internal(site, link)]
            assert status != 200 or seen.problems == [], seen
            assert _dead_anchors(page) == [], url
        if status != 429:
            return status, links
        time.sleep(float(headers.get("retry-after", "1")))
    return 429, []


def crawl(site: Site, page: Page) -> dict[str, int]:
    """Breadth-first from /: every internal URL's status."""
    seen: dict[str, int] = {}
    queue = [site.base + "/"]
    while queue and len(seen) < MAX_CRAWL:
        url = queue.pop(0)
        if url not in seen:
            seen[url], links = _fetched(site, page, url)
            queue += [link for link in links if link not in seen]
    return seen


@pytest.mark.timeout(600)
def test_a_crawl_from_the_front_page_finds_no_dead_link_and_no_unpublished_issue(
    site: Site, browser: Browser
) -> None:
    with page_at(browser, WIDE) as page:
        statuses = crawl(site, page)
    assert len(statuses) < MAX_CRAWL, "the crawl did not end: links keep making new URLs"
    broken = {url: status for url, status in statuses.items() if status != 200}
    assert broken == {}
    paths = {urlsplit(url).path for url in statuses}
    for number in site.published:
        assert f"/issues/{number}" in paths
    for number in site.hidden:
        assert f"/issues/{number}" not in paths
    assert f"/papers/{site.hostile_id}" in paths
    assert {"/feed.atom", "/feed.json"} <= paths
    with page_at(browser, WIDE) as page:
        for number in site.hidden:  # asked for directly: the same 404 as a number never used
            assert page.request.get(f"{site.base}/issues/{number}").status == 404


HOSTILE_PAGES = ("/papers/{id}", "/issues/2", "/search?q=Jerry")
INJECTED = (
    "script:not([src])", "img[src='x']", "iframe", "svg[onload]", "[onerror]", "[onload]",
    "a[href^='javascript:']", "title ~ title",
)  # fmt: skip


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_titles_and_abstracts_render_as_text(
    site: Site, browser: Browser, path: str
) -> None:
    with page_at(browser, NARROW) as page:
        seen = visit(page, site.base + path.format(id=site.hostile_id))
        assert seen.problems == []
        assert page.evaluate("typeof window.__pwned") == "undefined"
        for selector in INJECTED:
            assert page.query_selector_all(selector) == [], selector
        text = page.inner_text("body")
        assert "<script>window.__pwned=1</script> Attention" in text
        if path.startswith("/papers"):
            assert HOSTILE_TITLE.split(" <!--")[0] in text
            assert HOSTILE_TITLE_ZH in text
            assert "$x < y$ & $a_{i} > b$" in text
            assert "<script>" in page.title()


def _issue_numbers(links: list[str]) -> set[int]:
    found = (re.search(r"/issues/(\d+)$", urlsplit(link).path) for link in links)
    return {int(match.group(1)) for match in found if match}


ESCAPED = "&lt;script&gt;window.__pwned=1&lt;/script&gt;"


def test_the_feeds_parse_and_carry_every_published_issue(site: Site) -> None:
    atom = feedparser.parse(httpx.get(f"{site.base}/feed.atom").content)
    assert not atom.bozo, atom.bozo_exception
    assert _issue_numbers([entry.link for entry in atom.entries]) == set(site.published)
    feed = httpx.get(f"{site.base}/feed.json").json()
    assert feed["version"].startswith("https://jsonfeed.org/version/1")
    assert _issue_numbers([item["url"] for item in feed["items"]]) == set(site.published)
    # the hostile paper is in issue 2: its title is text inside each entry's HTML
    hostile = [next(e.content[0].value for e in atom.entries if e.link.endswith("/issues/2"))]
    hostile += [next(i["content_html"] for i in feed["items"] if i["url"].endswith("/issues/2"))]
    for html in hostile:
        assert ESCAPED in html and "<script>" not in html
    found = feedparser.parse(httpx.get(f"{site.base}/search.atom?q=Jerry").content)
    assert not found.bozo, found.bozo_exception
    assert [entry.title for entry in found.entries] == [HOSTILE_TITLE_ZH]
    assert site.hostile_id in found.entries[0].link
