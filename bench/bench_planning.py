"""Planning benchmark: one real 20-paper issue planned for 200,000 subscribers (goal ≤ 30 s).

`python -m bench planning`. The world is `tests/planning_world.py`'s: the first 20 real papers
of 2026-06-01 from `../shared/fixtures/arxiv-days`, and Telegram chats of whom ~55% follow 1-6
topics written from that corpus (categories, title phrases, authors, Chinese terms,
exclusions; a popular head and a long tail), some paused, stopped or with the no-match note.
Measured: `core.services.delivery.publish_plan` — mark published, stream the chats in pages,
match, write the ledger — on SQLite and on PostgreSQL (when reachable), each in a fresh
subprocess so its peak RSS (`ru_maxrss`) is planning's and not the world builder's; its CPU
seconds are reported beside the wall-clock ones (the 2-core machine may be shared). The old
way (a `papers_for_chat` query per chat, the rows in one list) is timed at a smaller size, with
the new way on an identical world in the same run, for the ratio.

`BENCH_PLANNING_SUBSCRIBERS` (default 200,000) and `BENCH_PLANNING_OLD` (default 5,000) resize.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
from sqlalchemy import func, select

from bot.telegram.targets import TelegramTargets
from core.services.chats import active_chats
from core.services.delivery import publish_plan, start_publication
from core.services.planning import chat_row
from core.services.subscriptions import papers_for_chat
from domain.types import DigestMode, IssueView
from storage.db import Database
from storage.models import Delivery, Topic
from storage.queries.issues import get_issue_view
from tests.planning_world import store_chats, store_issue

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
GOAL_SECONDS = 30.0
CHANNEL = "@bench_channel"


def _sizes() -> tuple[int, int]:
    big = int(os.environ.get("BENCH_PLANNING_SUBSCRIBERS", "200000"))
    old = int(os.environ.get("BENCH_PLANNING_OLD", "5000"))
    return big, min(old, big)


def _maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def _issue(db: Database) -> IssueView:
    async with db.session() as session:
        view = await get_issue_view(session, number=1)
    assert view is not None
    return view


async def _new_way(db: Database, issue: IssueView) -> None:
    await publish_plan(db, issue=issue, targets=TelegramTargets(channel_id=CHANNEL), actor="bench")


async def _old_way(db: Database, issue: IssueView) -> None:
    """Planning as it was: the chats in one list, a topic query per chat, the rows in one list."""
    papers = [item.paper for item in issue.included_items]
    rows = TelegramTargets(channel_id=CHANNEL).own_targets(issue)
    for chat in await active_chats(db, platform="telegram"):
        chosen = papers
        if chat.digest_mode is DigestMode.TOPICS and chat.topic_count:
            chosen = await papers_for_chat(
                db, platform="telegram", chat_id=chat.chat_id, papers=papers
            )
        rows.append(chat_row(chat, tuple(paper.id for paper in chosen)))
    await start_publication(db, issue=issue, platform="telegram", rows=rows, actor="bench")


async def _count(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        deliveries = await session.scalar(select(func.count(Delivery.id)))
        topics = await session.scalar(select(func.count(Topic.id)))
    return int(deliveries or 0), int(topics or 0)


async def _measure(url: str) -> dict[str, object]:
    """In the subprocess: plan issue 1 the new way; seconds, rows and RSS."""
    db = Database(url)
    try:
        issue = await _issue(db)
        before = _maxrss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        await _new_way(db, issue)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows, topics = await _count(db)
    finally:
        await db.dispose()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),  # this process's threads (the machine is shared)
        "ledger_rows": rows,
        "topics_stored": topics,
        "rss_before_mb": before,
        "peak_rss_mb": _maxrss_mb(),
    }


def _measure_in_subprocess(url: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_planning", "measure", url],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


async def _build(url: str, chats: int) -> None:
    db = Database(url)
    try:
        await db.upgrade()
        await store_issue(db)
        await store_chats(db, chats=chats)
    finally:
        await db.dispose()


async def _timed(url: str, plan: Callable[[Database, IssueView], Awaitable[None]]) -> float:
    db = Database(url)
    try:
        issue = await _issue(db)
        started = time.perf_counter()
        await plan(db, issue)
        return round(time.perf_counter() - started, 2)
    finally:
        await db.dispose()


@asynccontextmanager
async def _database(kind: str, folder: Path, name: str) -> AsyncIterator[str]:
    """An empty database's URL: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / name}.db"
        return
    schema = f"bench_planning_{name}_{uuid.uuid4().hex[:8]}"
    dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in POSTGRES_URL else "?"
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


async def _backend(kind: str, folder: Path, big: int, old: int) -> dict[str, object]:
    async with _database(kind, folder, "big") as url:
        started = time.perf_counter()
        await _build(url, big)
        built = round(time.perf_counter() - started, 1)
        figures = await asyncio.to_thread(_measure_in_subprocess, url)
    async with _database(kind, folder, "old") as old_url, _database(kind, folder, "new") as new_url:
        await _build(old_url, old)
        await _build(new_url, old)
        old_seconds = await _timed(old_url, _old_way)
        new_seconds = await _timed(new_url, _new_way)
    return {
        "subscribers": big,
        **figures,
        "within_goal": float(str(figures["seconds"])) <= GOAL_SECONDS,
        "world_build_seconds": built,
        "ratio_at": old,
        "old_way_seconds": old_seconds,
        "new_way_seconds": new_seconds,
        "speedup": round(old_seconds / max(new_seconds, 0.001), 1),
    }


def _postgres_reachable() -> bool:
    try:
        dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def main() -> dict[str, object]:
    big, old = _sizes()
    kinds = ["sqlite", "postgres"] if _postgres_reachable() else ["sqlite"]
    results: dict[str, object] = {"goal_seconds": GOAL_SECONDS, "issue_papers": 20}
    with tempfile.TemporaryDirectory(prefix="bench-planning-") as folder:
        for kind in kinds:
            results[kind] = asyncio.run(_backend(kind, Path(folder), big, old))
            print(kind, results[kind], flush=True)
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(asyncio.run(_measure(sys.argv[2]))))
    else:
        main()
