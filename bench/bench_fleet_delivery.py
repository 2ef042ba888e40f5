"""Fleet delivery benchmark: two `digestbot publish` processes share one issue on PostgreSQL.

`python -m bench fleet_delivery`. One issue (one message per reader) to 5,000 subscribers
through the fake Bot API enforcing 30 messages/s for the bot as a whole (all connections of
both processes together; private chats raised to 100/s so only the overall limit binds).
Both processes claim rows with `FOR UPDATE SKIP LOCKED` and pace on the shared budget
(`core.services.send_budget`).

Pass 1 (clean): both run to the end. Rate ÷ 30 (first to last accepted message), 429s,
duplicates, missing, and how the messages split between the two.
Pass 2 (kill): SIGKILL one process once half the messages were accepted; the other finishes
alone (taking over the killed one's leases after STALE_AFTER). `unrecorded_at_kill_max` is
accepted minus recorded parts just after the kill: the documented window of the killed
process, plus whatever the survivor had in flight at that instant (an upper bound).
`BENCH_FLEET_SUBSCRIBERS` shrinks both passes (default 5,000 and 2,000).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.bench_delivery import FLOOD, LIMIT
from bench.fleet_world import (
    accepted,
    build_world,
    finished,
    outcome,
    postgres_schema,
    publish_process,
)
from tests.fakes.telegram_server import FakeTelegram


def _sizes() -> tuple[int, int]:
    override = os.environ.get("BENCH_FLEET_SUBSCRIBERS")
    return (int(override), int(override)) if override else (5000, 2000)


async def _clean_pass(readers: int, folder: Path) -> dict[str, Any]:
    with postgres_schema() as url, FakeTelegram(flood=FLOOD) as fake:
        await build_world(url, fake, readers)
        started = time.monotonic()
        runs = [await publish_process(url, fake, folder) for _ in range(2)]
        results = await asyncio.gather(*(finished(run) for run in runs))
        figures = outcome(fake, readers)
        return {
            "subscribers": readers, "processes": 2,
            "seconds_incl_startup": round(time.monotonic() - started, 1),
            "rate_over_limit": round(figures["rate_per_s"] / LIMIT, 3),
            "exit_codes": [code for code, _ in results], **figures,
            "errors": [line for code, line in results if code],
        }  # fmt: skip


def _recorded(url: str) -> int:
    dsn, _, query = url.replace("postgresql+psycopg://", "postgresql://").partition("?")
    options = query.removeprefix("options=").replace("%3D", "=")
    with psycopg.connect(dsn, options=options) as conn:
        row = conn.execute("SELECT coalesce(sum(messages_sent), 0) FROM deliveries").fetchone()
    return int(row[0]) if row else 0


async def _kill_pass(readers: int, folder: Path) -> dict[str, Any]:
    with postgres_schema() as url, FakeTelegram(flood=FLOOD) as fake:
        await build_world(url, fake, readers)
        started = time.monotonic()
        victim, survivor = [await publish_process(url, fake, folder) for _ in range(2)]
        await fake.wait_until(lambda: accepted(fake) >= readers // 2 or None, timeout=900)
        victim.kill()
        await victim.wait()
        await asyncio.sleep(0.5)  # requests already on the wire still land at the fake
        unrecorded = accepted(fake) - _recorded(url)
        code, line = await finished(survivor)
        return {
            "subscribers": readers, "killed_after": readers // 2,
            "unrecorded_at_kill_max": unrecorded, "survivor_exit": code,
            "seconds_incl_startup": round(time.monotonic() - started, 1),
            **outcome(fake, readers), "error": line if code else None,
        }  # fmt: skip


def main() -> dict[str, Any]:
    clean, kill = _sizes()
    os.environ["PTB_TIMEDELTA"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        figures = {
            "limit_per_s": LIMIT,
            "clean": asyncio.run(_clean_pass(clean, Path(tmp))),
            "kill_one_at_50pct": asyncio.run(_kill_pass(kill, Path(tmp))),
        }
    print(figures)
    return figures


if __name__ == "__main__":
    main()
