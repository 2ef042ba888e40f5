"""The page cache: bounded by bytes, search pages expire, ETags follow everything that shapes a
page and nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.web.page_cache import ISSUE_CACHE_BYTES, SEARCH_TTL_SECONDS, PageCache
from bot.web.site import WebConfig
from domain.types import IssueStamp, IssueStatus

STAMP = IssueStamp(
    number=7, status=IssueStatus.PUBLISHED, published_at=datetime(2024, 4, 2, tzinfo=UTC),
    created_at=datetime(2024, 4, 1, tzinfo=UTC), latest_summary_id=40, latest_figure_id=0,
)  # fmt: skip


def test_the_etag_changes_with_whatever_changes_the_page() -> None:
    cache = PageCache(WebConfig())
    tag = cache.issue_etag(STAMP, "zh")
    assert tag == PageCache(WebConfig()).issue_etag(STAMP, "zh")  # stable across processes
    assert tag.startswith('"') and tag.endswith('"')
    changed = [
        cache.issue_etag(STAMP, "en"),
        cache.issue_etag(replace(STAMP, number=8), "zh"),
        cache.issue_etag(replace(STAMP, latest_summary_id=41), "zh"),
        cache.issue_etag(replace(STAMP, latest_figure_id=1), "zh"),
        cache.issue_etag(replace(STAMP, published_at=datetime(2024, 4, 3, tzinfo=UTC)), "zh"),
        PageCache(WebConfig(base_path="/digest")).issue_etag(STAMP, "zh"),
    ]
    assert len({tag, *changed}) == len(changed) + 1


def test_issue_pages_are_bounded_by_bytes_not_entries() -> None:
    cache = PageCache(WebConfig())
    page = b"x" * (ISSUE_CACHE_BYTES // 4)
    for n in range(10):
        cache.keep_issue(f'"{n}"', page)
    assert cache.issues.currsize <= ISSUE_CACHE_BYTES and len(cache.issues) == 4
    assert '"9"' in cache.issues and '"0"' not in cache.issues  # the least recently used go
    huge = b"y" * (ISSUE_CACHE_BYTES + 1)
    assert cache.keep_issue('"huge"', huge) is huge and '"huge"' not in cache.issues


def test_search_pages_expire() -> None:
    now = [1000.0]
    cache = PageCache(WebConfig(), clock=lambda: now[0])
    cache.keep_search(("zh", "rlhf", 1), b"<p>results</p>")
    now[0] += SEARCH_TTL_SECONDS - 1
    assert cache.searches.get(("zh", "rlhf", 1)) == b"<p>results</p>"
    now[0] += 2
    assert cache.searches.get(("zh", "rlhf", 1)) is None
