"""Announcement days missed while the process was down are caught up through the API date
window on the next fetch: from the watermark to the start of the window the feed announces,
bounded, once. Fake arXiv over HTTP, real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.config import Settings
from jobs.fetch import run_fetch
from jobs.fetch.calendar import CATCH_UP_LIMIT
from jobs.fetch.rss import ARXIV_TZ
from storage.db import Database
from storage.queries import fetch_runs
from storage.queries.papers import count_papers
from tests.conftest import make_settings
from tests.fakes.arxiv_feeds import Announced, make_papers
from tests.fakes.arxiv_server import FakeArxiv

MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 21, 30, tzinfo=ARXIV_TZ)  # after Monday's announcement
FEED_START = datetime(2026, 11, 20, 14, 0, tzinfo=ARXIV_TZ)  # Monday's window: Fri 14:00 →


def _settings(fake: FakeArxiv) -> Settings:
    return make_settings(**fake.settings_overrides(arxiv_categories="cs.LG"))


async def _stored_up_to(db: Database, watermark: datetime) -> None:
    """What an earlier process left: a fetch that stored up to `watermark`."""
    async with db.session() as session:
        run_id = await fetch_runs.start_run(session, mode="rss", categories=["cs.LG"])
        await fetch_runs.record_batch(session, run_id=run_id, seen=1, watermark=watermark)
        await fetch_runs.finish_run(session, run_id=run_id, status="ok")


def _windows(fake: FakeArxiv) -> list[str]:
    return [q for r in fake.api_requests if (q := r.params.get("search_query"))]


def _minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M")


async def test_days_announced_while_down_are_fetched_once(db: Database, fake_arxiv: FakeArxiv):
    watermark = datetime(2026, 11, 17, 13, 50, tzinfo=ARXIV_TZ)  # Tuesday's window was stored
    await _stored_up_to(db, watermark)
    # Down Tuesday night to Monday: Wednesday's, Thursday's and Sunday's announcements missed.
    missed = make_papers(12, start=watermark + timedelta(hours=1), step=timedelta(hours=6))
    today = make_papers(5, start=FEED_START + timedelta(hours=2), first_number=500)
    assert all(p.published < FEED_START for p in missed)
    fake_arxiv.add_papers(*missed)
    fake_arxiv.announce([Announced(p, "new") for p in today], on=MONDAY)
    settings = _settings(fake_arxiv)

    report = await run_fetch(settings.arxiv, db, now=NOW)
    assert report.ok and report.inserted == 5 and report.caught_up is not None
    caught = report.caught_up
    assert (caught.status, caught.inserted) == ("ok", 12)
    assert (caught.window_start, caught.window_end) == (watermark, FEED_START)
    assert "caught up on missed days: fetched 12 papers" in report.message
    assert _windows(fake_arxiv) == [
        f"submittedDate:[{_minute(watermark)} TO {_minute(FEED_START)}] AND (cat:cs.LG)"
    ]
    async with db.session() as session:
        assert await count_papers(session) == 17

    again = await run_fetch(settings.arxiv, db, now=NOW + timedelta(minutes=30))
    assert again.caught_up is None and len(_windows(fake_arxiv)) == 1  # nothing missing now


async def test_catch_up_is_bounded(db: Database, fake_arxiv: FakeArxiv):
    await _stored_up_to(db, NOW - timedelta(days=40))
    fake_arxiv.announce_nothing(on=date(2026, 11, 21))
    report = await run_fetch(_settings(fake_arxiv).arxiv, db, now=NOW)
    assert report.no_announcement and report.caught_up is not None
    assert report.caught_up.window_start == NOW - CATCH_UP_LIMIT


async def test_nothing_missed_means_no_api_window(db: Database, fake_arxiv: FakeArxiv):
    await _stored_up_to(db, FEED_START - timedelta(minutes=5))  # Sunday's window was stored
    today = make_papers(2, start=FEED_START + timedelta(hours=1), first_number=700)
    fake_arxiv.announce([Announced(p, "new") for p in today], on=MONDAY)
    report = await run_fetch(_settings(fake_arxiv).arxiv, db, now=NOW)
    assert (report.inserted, report.caught_up) == (2, None)
    assert _windows(fake_arxiv) == []


async def test_a_fresh_database_does_not_backfill(db: Database, fake_arxiv: FakeArxiv):
    today = make_papers(2, start=FEED_START + timedelta(hours=1), first_number=800)
    fake_arxiv.announce([Announced(p, "new") for p in today], on=MONDAY)
    report = await run_fetch(_settings(fake_arxiv).arxiv, db, now=NOW)
    assert (report.inserted, report.caught_up) == (2, None)


async def _watermark(db: Database) -> datetime | None:
    async with db.session() as session:
        return await fetch_runs.last_watermark(session)


async def test_watermark_waits_for_the_last_batch(db: Database, fake_arxiv: FakeArxiv):
    """Rule: the watermark moves only once the announcement's last batch is stored."""
    before = FEED_START - timedelta(minutes=5)
    await _stored_up_to(db, before)
    today = make_papers(150, start=FEED_START + timedelta(minutes=1), step=timedelta(minutes=1),
                        first_number=1000)  # fmt: skip
    fake_arxiv.announce([Announced(p, "new") for p in today], on=MONDAY)
    second = today[100].arxiv_id
    fake_arxiv.fail(503, times=None, when=lambda q: second in q.get("id_list", ""))
    settings = make_settings(**fake_arxiv.settings_overrides(arxiv_categories="cs.LG",
                                                             arxiv_retries=1))  # fmt: skip
    failed = await run_fetch(settings.arxiv, db, now=NOW)
    assert (failed.status, failed.inserted) == ("failed", 100)  # the first batch is stored…
    assert await _watermark(db) == before  # …but the watermark did not move

    fake_arxiv.clear_faults()
    done = await run_fetch(settings.arxiv, db, now=NOW)
    assert done.status == "ok" and await _watermark(db) == today[-1].published


async def test_watermark_never_moves_back(db: Database, fake_arxiv: FakeArxiv):
    """Rule: fetching an older window (a backfill) never lowers the watermark."""
    recent = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    await _stored_up_to(db, recent)
    old = make_papers(30, start=datetime(2026, 11, 2, 1, tzinfo=UTC), first_number=2000)
    fake_arxiv.add_papers(*old)
    settings = make_settings(**fake_arxiv.settings_overrides(arxiv_categories="cs.LG",
                                                             timezone="UTC"))  # fmt: skip
    report = await run_fetch(settings.arxiv, db, since=date(2026, 11, 2), until=date(2026, 11, 3))
    assert report.inserted == 30 and report.watermark == old[-1].published
    assert await _watermark(db) == recent
