"""The announcement feed: new and cross-lists kept, replacements ignored, empty = no news."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.arxiv_ids import ArxivId
from jobs.fetch.rss import parse_feed
from tests.conftest import FIXTURES
from tests.fakes.arxiv_feeds import Announced, make_papers, rss_feed


def test_real_fixture() -> None:
    content = (FIXTURES / "arxiv-rss" / "cs.AI-atom-2025-08-20.xml").read_bytes()
    announcement = parse_feed(content)
    assert announcement.announced_on == date(2025, 8, 20)
    assert [(p.arxiv_id, p.announce_type) for p in announcement.papers] == [
        (ArxivId("2508.13426", 1), "cross"),
        (ArxivId("2508.13428", 1), "cross"),
        (ArxivId("2508.13429", 1), "cross"),
        (ArxivId("2508.13434", 1), "cross"),
        (ArxivId("2508.13435", 1), "cross"),
        (ArxivId("2508.14001", 1), "new"),
        (ArxivId("2508.14002", 1), "new"),
    ]
    assert announcement.ignored == 0


def test_replacements_are_ignored() -> None:
    papers = make_papers(4, start=datetime(2026, 11, 19, 15, tzinfo=UTC))
    kinds = ["new", "cross", "replace", "replace-cross"]
    items = [Announced(p, kind) for p, kind in zip(papers, kinds, strict=True)]
    announcement = parse_feed(rss_feed(items, on=date(2026, 11, 20), categories=["cs.LG"]).encode())
    assert [p.announce_type for p in announcement.papers] == ["new", "cross"]
    assert announcement.ignored == 2
    assert announcement.announced_on == date(2026, 11, 20)


def test_empty_weekend_feed_dates_from_the_feed_header() -> None:
    feed = rss_feed([], on=date(2026, 11, 21), categories=["cs.CL", "cs.LG"])
    announcement = parse_feed(feed.encode())
    assert announcement.is_empty
    assert announcement.announced_on == date(2026, 11, 21)


def test_entries_with_bad_ids_are_counted_not_raised() -> None:
    feed = rss_feed(
        [Announced(make_papers(1, start=datetime(2026, 1, 1, tzinfo=UTC))[0], "new")],
        on=date(2026, 1, 2),
        categories=["cs.LG"],
    ).replace("oai:arXiv.org:2611.00001v1", "oai:arXiv.org:not-an-id")
    announcement = parse_feed(feed.encode())
    assert (announcement.papers, announcement.ignored) == ([], 1)


@pytest.mark.parametrize("content", [b"<html><body>Service Unavailable</body></html", b"\x00\xff"])
def test_garbage_is_an_error_not_an_empty_day(content: bytes) -> None:
    with pytest.raises(ValueError):
        parse_feed(content)
