"""The web archive's safety: hostile text stays text, every page carries the CSP, bad input gets
a clear 4xx page (never a 500), nothing but GET/HEAD, and search is rate-limited per client."""

from __future__ import annotations

import pytest

from bot.web.headers import CSP
from bot.web.routes import SEARCH_BURST
from domain.types import IssueStatus, SummaryContent
from storage.db import Database
from tests.factories import make_paper
from tests.integration.web_helpers import Elements, client, compose, set_status, store

HOSTILE_TITLE = "<script>alert(1)</script> & </title><b>x</b> $O(n^2) < 3$"
HOSTILE_ZH = '<img src=x onerror="alert(2)"> 标题 & "引号"'
HOSTILE_TLDR = "</p><iframe src=//evil></iframe> \\frac{a}{b} & 'q'"


async def _hostile_issue(db: Database) -> str:
    meta = make_paper(
        title=HOSTILE_TITLE,
        abstract="We show <a href=javascript:alert(3)>x</a> & \\emph{y} < z.",
        authors=("<svg onload=alert(4)>", "Ada & Co"),
        code_url="javascript:alert(5)",
    )
    summary = SummaryContent(
        title_translated=HOSTILE_ZH, tldr=HOSTILE_TLDR, background="<style>body{}</style>",
        contributions=["<script>x</script>"], rating=5, rating_reason="<b>bold</b>",
        keywords=["<k>"], abstract_translated="<u>u</u>",
    )  # fmt: skip
    await store(db, [(meta, summary)])
    await compose(db, per_issue=1)
    await set_status(db, 1, IssueStatus.PUBLISHED)
    return meta.arxiv_id


@pytest.mark.parametrize(
    "path", ["/", "/issues/1", "/en/issues/1", "/papers/{id}", "/search?q=alert"]
)
async def test_hostile_text_is_escaped_in_body_and_meta(db: Database, path: str) -> None:
    arxiv_id = await _hostile_issue(db)
    async with client(db) as http:
        page = await http.get(path.format(id=arxiv_id))
    assert page.status_code == 200
    doc = Elements(page.text)
    tags = {name for name, _ in doc.tags}
    assert not tags & {"script", "img", "iframe", "svg", "style", "u", "k"}, tags
    assert not any(attrs.get("onerror") or attrs.get("onload") for _, attrs in doc.tags)
    assert not any(link.startswith("javascript:") for link in doc.links())
    text = "".join(doc.text)
    assert "<script>" in text or "<img src=x" in text  # shown as text, not dropped
    if path != "/search?q=alert":
        assert doc.meta("og:title") is not None and "<" in (doc.meta("og:title") or "")
    assert len(doc.named("h1")) == 1 and len(doc.named("title")) == 1


async def test_every_response_carries_the_security_headers(db: Database) -> None:
    await _hostile_issue(db)
    paths = ["/", "/issues", "/issues/1", "/topics", "/search", "/search?q=x", "/nope",
             "/static/site.css", "/issues/abc", "/en/", "/en/nope"]  # fmt: skip
    async with client(db) as http:
        for path in paths:
            response = await http.get(path)
            assert response.headers["content-security-policy"] == CSP, path
            assert "unsafe-inline" not in CSP and "script-src 'self'" in CSP
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"]
            if response.headers["content-type"].startswith("text/html"):
                assert "<script" not in response.text and " style=" not in response.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/issues/abc", 404), ("/issues/0", 404), ("/issues/-1", 404),
        ("/issues/99999999999999999999999", 404), ("/issues/1２", 404),
        ("/papers/<script>", 400), ("/papers/%00", 400), ("/papers/", 404),
        ("/search?q=" + "x" * 5000, 400), ("/search?q=x&page=-1", 400),
        ("/search?q=x&page=abc", 400), ("/issues?page=0", 400), ("/issues?page=99999999", 400),
        ("/issues/page/abc", 400), ("/en/issues/abc", 404), ("/nothing/here", 404),
        ("/search?q=%00", 200), ("/search?q=a%00b%ff%fe", 200), ("/search?q=%22%27%3B--", 200),
        ("/search?q=x&page=10000", 404), ("/papers/" + "9" * 5000, 404),
    ],
)  # fmt: skip
async def test_bad_input_gets_a_clear_page(db: Database, path: str, status: int) -> None:
    async with client(db) as http:
        page = await http.get(path)
    assert page.status_code == status, page.text[:300]
    doc = Elements(page.text)
    assert len(doc.named("h1")) == 1 and (status == 200 or str(status) in page.text)
    assert "<script>" not in page.text


async def test_nothing_on_the_web_changes_state(db: Database) -> None:
    async with client(db) as http:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            for path in ("/", "/issues", "/search?q=x"):
                response = await http.request(method, path)
                assert response.status_code == 405, (method, path)
                assert "GET" in response.headers["allow"]
        assert (await http.head("/issues")).status_code == 200


async def test_search_is_rate_limited_per_client(db: Database) -> None:
    async with client(db, peer="198.51.100.1") as http, client(db, peer="198.51.100.2") as other:
        for n in range(SEARCH_BURST):
            page = await http.get("/search", params={"q": f"word{n}"})
            assert page.status_code == 200
        refused = await http.get(
            "/search", params={"q": "again"}, headers={"X-Forwarded-For": "192.0.2.9"}
        )  # a header cannot buy a new bucket: no proxy is trusted by default
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "请求太频繁" in refused.text
        assert (await other.get("/search", params={"q": "again"})).status_code == 200
        assert (await http.get("/search")).status_code == 200  # the empty form costs nothing
        assert (await http.get("/issues")).status_code == 200  # pages are not limited
