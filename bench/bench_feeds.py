"""Feeds and the static site at a realistic size: 10 published issues of 20 papers each.

Figures: `/feed.atom` and `/feed.json` (10 full issues, ~400 KB) on the first request (built)
and on polls (remembered until an issue is published), `/search.atom?q=` (30 newest matches),
and `site build`'s pages per second (both languages, every issue and paper page), all
in-process over a real SQLite file.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path

import httpx
from starlette.applications import Starlette

from bot.commands.context import Deps
from bot.web.feeds import Feeds
from bot.web.site import WebConfig
from bot.web.static_site import build_site, static_config
from core.config import Settings
from domain.types import IssueStatus
from storage.db import Database
from storage.queries.issues import NewItem, create_issue
from tests.factories import make_paper, store_paper
from tests.seed_papers import load_seed_papers, seed_summary

ISSUES, PER_ISSUE, POLLS = 10, 20, 30


async def _archive(db: Database) -> None:
    seeds, numbers = load_seed_papers(), count(1)
    for number in range(1, ISSUES + 1):
        async with db.session() as s:
            ids = []
            for _ in range(PER_ISSUE):
                n = next(numbers)
                seed = seeds[n % len(seeds)]
                meta = make_paper(arxiv_id=f"2611.{n:05d}", title=f"Learning paper {n}")
                ids.append(await store_paper(s, meta, seed_summary(seed)))
            await create_issue(
                s, number=number, title=f"Issue {number}", language="zh",
                period_start=date(2026, 11, 1), period_end=date(2026, 11, 1),
                items=[NewItem(paper_id=i, summary_id=None) for i in ids],
                status=IssueStatus.PUBLISHED,
            )  # fmt: skip


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


async def _timed(http: httpx.AsyncClient, path: str, params: dict[str, str] | None) -> float:
    started = time.perf_counter()
    response = await http.get(path, params=params)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def _feeds(db: Database) -> dict[str, object]:
    figures: dict[str, object] = {}
    for path, params in (("/feed.atom", None), ("/feed.json", None)):
        feeds = Feeds(db, WebConfig("", "https://digest.example"), language="zh")
        app = Starlette(routes=feeds.routes())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            first = await _timed(http, path, params)
            polls = [await _timed(http, path, params) for _ in range(POLLS)]
        figures[path] = {"first_ms": round(first, 1), "poll": _ms(polls)}
    feeds = Feeds(db, WebConfig("", "https://digest.example"), language="zh")
    transport = httpx.ASGITransport(app=Starlette(routes=feeds.routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        search = [await _timed(http, "/search.atom", {"q": "learning"}) for _ in range(POLLS)]
    figures["/search.atom?q=learning"] = _ms(search)
    return figures


async def _run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'feeds.db'}"
        db = Database(url)
        await db.upgrade()
        await _archive(db)
        figures = await _feeds(db)
        settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
        started = time.perf_counter()
        report = await build_site(
            Deps(settings=settings, db=db), Path(tmp) / "site", static_config("https://x.org/d/")
        )
        seconds = time.perf_counter() - started
        await db.dispose()
    figures["site_build"] = {
        "pages": report.pages, "seconds": round(seconds, 1),
        "pages_per_second": round(report.pages / seconds, 1), "broken": len(report.broken),
    }  # fmt: skip
    figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return figures


def main() -> dict[str, object]:
    figures = asyncio.run(_run())
    for name, value in figures.items():
        print(f"{name}: {value}")
    return figures
