"""The fetch job end to end: fake arXiv over HTTP, real SQLite and PostgreSQL.

Covers the daily announcement, idempotent re-runs, newer versions, backfill, weekends, retries,
failures mid-fetch (the watermark never runs ahead of what is stored) and the RSS fallback.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.config import Settings
from domain.errors import InvalidInput
from jobs.fetch import FetchReport, run_fetch
from storage.db import Database
from storage.queries import fetch_runs
from storage.queries.papers import count_papers, get_paper
from storage.types import utcnow
from tests.conftest import make_settings
from tests.fakes.arxiv_feeds import Announced, FakePaper, make_papers
from tests.fakes.arxiv_server import FakeArxiv, utc

TODAY = date(2026, 11, 20)


def _settings(fake: FakeArxiv, **extra: object) -> Settings:
    values: dict[str, object] = {"arxiv_categories": "cs.CL,cs.LG", **extra}
    return make_settings(**fake.settings_overrides(**values))


async def _count(db: Database) -> int:
    async with db.session() as s:
        return await count_papers(s)


async def _watermark(db: Database) -> datetime | None:
    async with db.session() as s:
        return await fetch_runs.last_watermark(s)


async def _run_row(db: Database, report: FetchReport) -> tuple[str, int, int, list[str]]:
    assert report.run_id is not None
    async with db.session() as s:
        run = await fetch_runs.get_run(s, run_id=report.run_id)
    assert run is not None and run.finished_at is not None
    return run.status, run.inserted, run.updated, list(run.errors)


def _announce(fake: FakeArxiv, papers: list[FakePaper], kinds: list[str]) -> None:
    fake.announce([Announced(p, k) for p, k in zip(papers, kinds, strict=True)], on=TODAY)


async def test_real_rss_fixture_then_rerun_is_harmless(db: Database, fake_arxiv: FakeArxiv):
    settings = _settings(fake_arxiv, arxiv_categories="cs.AI")
    first = await run_fetch(settings.arxiv, db)
    second = await run_fetch(settings.arxiv, db)
    assert (first.mode, first.status, first.announced_on) == ("rss", "ok", date(2025, 8, 20))
    assert (first.seen, first.inserted, first.updated) == (7, 7, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 7)
    assert first.message == "fetched 7 papers announced 2025-08-20 (7 new, 0 updated)"
    assert await _count(db) == 7
    assert await _run_row(db, first) == ("ok", 7, 0, [])
    async with db.session() as s:
        row = await get_paper(s, arxiv_id="2508.13426")
    assert row is not None
    assert (row.announced_on, row.announce_type) == (date(2025, 8, 20), "cross")
    assert row.authors[0] == "Chunhua Liu"


async def test_announcement_keeps_new_and_cross_only(db: Database, fake_arxiv: FakeArxiv):
    papers = make_papers(4, start=utc(2026, 11, 19, 12), categories=("cs.CL",))
    _announce(fake_arxiv, papers, ["new", "cross", "replace", "replace-cross"])
    report = await run_fetch(_settings(fake_arxiv).arxiv, db)
    assert (report.seen, report.inserted, report.skipped) == (2, 2, 2)
    assert await _count(db) == 2
    assert report.watermark == papers[1].published  # the latest stored submission
    assert await _watermark(db) == papers[1].published
    ids = fake_arxiv.api_requests[0].params["id_list"].split(",")
    assert ids == [papers[0].arxiv_id, papers[1].arxiv_id]  # no version: the latest one


async def test_big_announcement_resolves_in_batches(db: Database, fake_arxiv: FakeArxiv):
    papers = make_papers(205, start=utc(2026, 11, 19), step=timedelta(minutes=1))
    _announce(fake_arxiv, papers, ["new"] * 205)
    report = await run_fetch(_settings(fake_arxiv).arxiv, db)
    assert (report.inserted, report.status) == (205, "ok")
    assert [len(r.params["id_list"].split(",")) for r in fake_arxiv.api_requests] == [100, 100, 5]
    assert await _count(db) == 205


async def test_weekend_feed_means_no_announcement(db: Database, fake_arxiv: FakeArxiv):
    fake_arxiv.announce_nothing(on=date(2026, 11, 21))
    report = await run_fetch(_settings(fake_arxiv).arxiv, db)
    assert report.no_announcement and report.ok and report.errors == []
    assert report.message == "no new papers announced today (weekend or holiday)"
    assert await _count(db) == 0
    assert fake_arxiv.api_requests == []
    assert await _run_row(db, report) == ("empty", 0, 0, [])
    assert await _watermark(db) is None


async def test_newer_version_replaces_older(db: Database, fake_arxiv: FakeArxiv):
    (v1,) = make_papers(1, start=utc(2026, 11, 19, 12), categories=("cs.CL",))
    _announce(fake_arxiv, [v1], ["new"])
    settings = _settings(fake_arxiv)
    await run_fetch(settings.arxiv, db)
    fake_arxiv.add_papers(v1.next_version(title="Revised title"))
    updated = await run_fetch(settings.arxiv, db, ids=[v1.arxiv_id])
    older = await run_fetch(settings.arxiv, db, ids=[f"{v1.arxiv_id}v1"])  # asking for v1 again
    assert (updated.updated, older.updated, older.unchanged) == (1, 0, 1)
    async with db.session() as s:
        row = await get_paper(s, arxiv_id=v1.arxiv_id)
    assert row is not None
    assert (row.version, row.title, row.announced_on) == (2, "Revised title", TODAY)
    assert await _count(db) == 1


async def test_ids_mode_reports_unknown_ids(db: Database, fake_arxiv: FakeArxiv):
    fake_arxiv.add_papers(*make_papers(2, start=utc(2026, 11, 19)))
    report = await run_fetch(
        _settings(fake_arxiv).arxiv,
        db,
        ids=["https://arxiv.org/abs/2611.00001", "2611.00002v1", "2611.99999"],
    )
    assert (report.mode, report.status, report.inserted, report.skipped) == ("ids", "ok", 2, 1)
    assert report.errors == ["not found on arXiv: 2611.99999"]
    assert report.watermark is None  # a lookup is not a window
    assert await _run_row(db, report) == ("ok", 2, 0, ["not found on arXiv: 2611.99999"])


async def test_malformed_ids_raise_before_anything_happens(db: Database, fake_arxiv: FakeArxiv):
    with pytest.raises(InvalidInput, match="not an arXiv id"):
        await run_fetch(_settings(fake_arxiv).arxiv, db, ids=["2402.01399", "2402.01399; rm -rf"])
    with pytest.raises(InvalidInput):
        await run_fetch(_settings(fake_arxiv).arxiv, db, until=date(2026, 11, 1))
    assert fake_arxiv.requests == []
    async with db.session() as s:
        assert await fetch_runs.recent_runs(s) == []


async def test_backfill_window_pages_oldest_first(db: Database, fake_arxiv: FakeArxiv):
    inside = make_papers(250, start=utc(2026, 11, 2, 1), step=timedelta(minutes=10))
    outside = make_papers(3, start=utc(2026, 11, 6), first_number=900)
    other_cat = make_papers(3, start=utc(2026, 11, 3), categories=("math.AG",), first_number=950)
    fake_arxiv.add_papers(*inside, *outside, *other_cat)
    settings = _settings(fake_arxiv, timezone="UTC")
    report = await run_fetch(settings.arxiv, db, since=date(2026, 11, 2), until=date(2026, 11, 4))
    assert (report.mode, report.status, report.inserted) == ("api", "ok", 250)
    assert report.message == (
        "fetched 250 papers submitted 2026-11-02 00:00–2026-11-05 00:00 UTC (250 new, 0 updated)"
    )
    assert report.watermark == inside[-1].published
    assert [r.params["start"] for r in fake_arxiv.api_requests] == ["0", "100", "200"]
    query = fake_arxiv.api_requests[0].params
    assert query["search_query"] == (
        "submittedDate:[202611020000 TO 202611050000] AND (cat:cs.CL OR cat:cs.LG)"
    )
    assert (query["sortBy"], query["sortOrder"]) == ("submittedDate", "ascending")
    again = await run_fetch(settings.arxiv, db, since=date(2026, 11, 2), until=date(2026, 11, 4))
    assert (again.inserted, again.unchanged, await _count(db)) == (0, 250, 250)


async def test_retries_then_success(db: Database, fake_arxiv: FakeArxiv):
    fake_arxiv.add_papers(*make_papers(150, start=utc(2026, 11, 2), step=timedelta(minutes=1)))
    fake_arxiv.fail(429, times=1)
    fake_arxiv.fail(503, times=1, when=lambda q: q.get("start") == "100")
    fake_arxiv.empty_pages(times=2, when=lambda q: q.get("start") == "100")
    report = await run_fetch(
        _settings(fake_arxiv, timezone="UTC").arxiv,
        db,
        since=date(2026, 11, 2),
        until=date(2026, 11, 2),
    )
    assert (report.status, report.inserted, report.errors) == ("ok", 150, [])
    faults = [r.fault for r in fake_arxiv.api_requests]
    assert faults == ["status", None, "status", "empty", "empty", None]


async def test_failure_mid_fetch_keeps_watermark_at_last_stored_page(
    db: Database, fake_arxiv: FakeArxiv
):
    papers = make_papers(250, start=utc(2026, 11, 2), step=timedelta(minutes=1))
    fake_arxiv.add_papers(*papers)
    page_two_down = fake_arxiv.fail(503, times=None, when=lambda q: q.get("start") == "100")
    settings = _settings(fake_arxiv, timezone="UTC", arxiv_retries=2)
    day = date(2026, 11, 2)
    failed = await run_fetch(settings.arxiv, db, since=day, until=day)
    assert (failed.status, failed.inserted) == ("failed", 100)
    assert failed.errors == ["arXiv API answered HTTP 503"]
    assert failed.message.startswith("fetch failed: arXiv API answered HTTP 503")
    assert await _count(db) == 100
    assert await _watermark(db) == papers[99].published  # the last stored page, not beyond
    assert await _run_row(db, failed) == ("failed", 100, 0, ["arXiv API answered HTTP 503"])

    page_two_down.times = 0
    rerun = await run_fetch(settings.arxiv, db, since=day, until=day)
    assert (rerun.status, rerun.inserted, rerun.unchanged) == ("ok", 150, 100)
    assert await _count(db) == 250
    assert await _watermark(db) == papers[-1].published


async def test_rss_failure_falls_back_to_api_window_from_watermark(
    db: Database, fake_arxiv: FakeArxiv
):
    now = utcnow().replace(second=0, microsecond=0)
    old = make_papers(3, start=now - timedelta(days=2), categories=("cs.CL",))
    new = make_papers(4, start=now - timedelta(hours=5), categories=("cs.CL",), first_number=50)
    _announce(fake_arxiv, old, ["new"] * 3)
    settings = _settings(fake_arxiv)
    await run_fetch(settings.arxiv, db)
    assert await _watermark(db) == old[-1].published
    fake_arxiv.add_papers(*new)
    fake_arxiv.fail(503, times=None, path="/rss")
    report = await run_fetch(settings.arxiv, db)
    assert (report.mode, report.fell_back, report.status) == ("api", True, "ok")
    assert (report.inserted, report.unchanged) == (4, 1)  # the watermark's own paper again
    assert report.errors == ["RSS feed failed: HTTP 503"]
    assert report.window_start == old[-1].published
    assert "RSS feed unavailable" in report.message
    assert await _count(db) == 7


async def test_timeout_on_slow_feed_and_api_is_reported(db: Database, fake_arxiv: FakeArxiv):
    fake_arxiv.slow(5.0, times=None, path="/")
    settings = _settings(fake_arxiv, arxiv_timeout_seconds=0.2, arxiv_retries=1)
    report = await run_fetch(settings.arxiv, db)
    assert (report.status, report.fell_back) == ("failed", True)
    assert report.errors == ["RSS feed failed: timed out", "arXiv API timed out"]
    assert await _count(db) == 0
    assert await _watermark(db) is None


async def test_rss_throttling_is_retried(db: Database, fake_arxiv: FakeArxiv):
    papers = make_papers(2, start=utc(2026, 11, 19, 12), categories=("cs.LG",))
    _announce(fake_arxiv, papers, ["new", "new"])
    fake_arxiv.fail(429, times=1, path="/rss")
    fake_arxiv.fail(503, times=1, path="/rss")
    report = await run_fetch(_settings(fake_arxiv).arxiv, db)
    assert (report.mode, report.fell_back, report.inserted) == ("rss", False, 2)
    assert [r.status for r in fake_arxiv.rss_requests] == [429, 503, 200]
    assert fake_arxiv.rss_requests[0].path == "/rss/cs.CL+cs.LG"
