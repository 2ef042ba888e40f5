"""Rendered issue pages are kept and revalidated from a cheap stamp: a kept page is the page a
fresh render gives, and anything readers would see change (a late summary, a new release of the
templates, a status change) changes the answer."""

from __future__ import annotations

from sqlalchemy import select

from bot.web.headers import LONG_CACHE
from domain.types import IssueStatus, SummaryContent, SummarySource
from storage.db import Database
from storage.models import Issue, IssueItem
from storage.queries.summaries import save_summary
from tests.integration.web_helpers import client, compose, set_status, store_seed


async def _published(db: Database, papers: int = 3) -> None:
    await store_seed(db, papers)
    await compose(db, per_issue=papers)
    await set_status(db, 1, IssueStatus.PUBLISHED)


async def _late_summary(db: Database, language: str = "zh") -> None:
    """A better summary of the issue's first paper arrives after publication."""
    async with db.session() as s:
        first = await s.scalar(
            select(IssueItem).join(Issue).where(Issue.number == 1).order_by(IssueItem.position)
        )
        assert first is not None
        await save_summary(
            s, paper_id=first.paper_id, paper_version=1, language=language, model="m2",
            prompt_version="p2", source=SummarySource.LLM,
            content=SummaryContent(title_translated="迟到的好标题", tldr="迟到的一句话", rating=5),
        )  # fmt: skip


async def test_a_kept_page_is_the_rendered_page_and_revalidates_without_a_render(
    db: Database,
) -> None:
    await _published(db)
    async with client(db) as http:
        first = await http.get("/issues/1")
        again = await http.get("/issues/1")
        etag = first.headers["etag"]
        same = await http.get("/issues/1", headers={"If-None-Match": etag})
    async with client(db) as fresh:  # a new process: nothing kept
        rendered = await fresh.get("/issues/1")
    assert first.status_code == again.status_code == rendered.status_code == 200
    assert first.content == again.content == rendered.content
    assert etag == again.headers["etag"] == rendered.headers["etag"]
    assert same.status_code == 304 and same.content == b""
    assert same.headers["cache-control"] == LONG_CACHE and same.headers["last-modified"]


async def test_a_late_summary_changes_the_page_and_its_etag(db: Database) -> None:
    await _published(db)
    async with client(db) as http:
        before = await http.get("/issues/1")
        english = await http.get("/en/issues/1")
        await _late_summary(db)
        after = await http.get("/issues/1")
        stale = await http.get("/issues/1", headers={"If-None-Match": before.headers["etag"]})
        english_after = await http.get("/en/issues/1")  # no English summary arrived
    assert "迟到的好标题" not in before.text and "迟到的好标题" in after.text
    assert after.headers["etag"] != before.headers["etag"]
    assert stale.status_code == 200 and stale.content == after.content
    assert english_after.headers["etag"] == english.headers["etag"]
    assert english_after.content == english.content


async def test_an_unpublished_issue_is_never_answered_from_what_was_kept(db: Database) -> None:
    await _published(db)
    async with client(db) as http:
        page = await http.get("/issues/1")
        await set_status(db, 1, IssueStatus.REJECTED)
        for validators in ({}, {"If-None-Match": page.headers["etag"]}, {"If-None-Match": "*"}):
            gone = await http.get("/issues/1", headers=validators)
            assert gone.status_code == 404, validators
            assert "迟到" not in gone.text and page.headers["etag"] != gone.headers.get("etag")


async def test_search_results_are_the_same_page_when_asked_again(db: Database) -> None:
    await _published(db)
    async with client(db) as http:
        first = await http.get("/search", params={"q": "model"})
        again = await http.get("/search", params={"q": "model"})
        other = await http.get("/search", params={"q": "model", "page": "1"}, headers={})
        english = await http.get("/en/search", params={"q": "model"})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content == other.content
    assert english.content != first.content and 'lang="en"' in english.text
