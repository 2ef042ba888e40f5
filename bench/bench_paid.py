"""Paid-broadcast benchmark: one issue to 50,000 subscribers with `allow_paid_broadcast`.

`python -m bench paid`. `digestbot publish` processes (2 by default) on PostgreSQL share the
ledger and the bot's paid budget (TELEGRAM_PAID_RATE=1000, paced fleet-wide by
`core.services.send_budget`); the fake Bot API enforces 1000 paid messages/s for the bot
(burst 200) and the free 30/s for anything unpaid. Figures: rate ÷ 1000 (first to last
accepted message), 429s, duplicates, missing, paid messages, and the CPU each side spent per
message — the sending processes' (children's user+system time) and the fake's (this process),
which is what bounds the rate on a small machine.

`BENCH_PAID_SUBSCRIBERS` (default 50,000), `BENCH_PAID_PROCESSES` (2) and
`BENCH_PAID_CONCURRENCY` (DELIVERY_CONCURRENCY of each process, 20: more workers only add
heartbeats and contention on 2 cores) tune a run.
"""

from __future__ import annotations

import asyncio
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fleet_world import build_world, finished, outcome, postgres_schema, publish_process
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FloodLimits

PAID_RATE = 1000.0
FLOOD = FloodLimits(
    private_burst=100, private_per_second=100.0, global_burst=30, paid_burst=200,
    paid_per_second=PAID_RATE,
)  # fmt: skip


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _run(readers: int, processes: int, concurrency: int, folder: Path) -> dict[str, Any]:
    env = {
        "TELEGRAM_PAID_BROADCAST": "true", "TELEGRAM_PAID_RATE": str(int(PAID_RATE)),
        "TELEGRAM_PAID_MAX_MESSAGES": str(readers * 10), "DELIVERY_CONCURRENCY": str(concurrency),
    }  # fmt: skip
    with postgres_schema() as url, FakeTelegram(flood=FLOOD) as fake:
        await build_world(url, fake, readers)
        cpu_children, cpu_self = _children_cpu(), time.process_time()
        started = time.monotonic()
        runs = [await publish_process(url, fake, folder, **env) for _ in range(processes)]
        results = await asyncio.gather(*(finished(run) for run in runs))
        seconds = time.monotonic() - started
        cpu_children, cpu_self = _children_cpu() - cpu_children, time.process_time() - cpu_self
        figures = outcome(fake, readers)
        sent = max(1, figures["messages"])
        return {
            "subscribers": readers, "processes": processes, "concurrency": concurrency,
            "seconds_incl_startup": round(seconds, 1),
            "rate_over_limit": round(figures["rate_per_s"] / PAID_RATE, 3), **figures,
            "sender_cpu_ms_per_message": round(1000 * cpu_children / sent, 2),
            "fake_cpu_ms_per_message": round(1000 * cpu_self / sent, 2),
            "cores": os.cpu_count(), "exit_codes": [code for code, _ in results],
            "errors": [line for code, line in results if code],
        }  # fmt: skip


def main() -> dict[str, Any]:
    readers = int(os.environ.get("BENCH_PAID_SUBSCRIBERS", "50000"))
    processes = int(os.environ.get("BENCH_PAID_PROCESSES", "2"))
    concurrency = int(os.environ.get("BENCH_PAID_CONCURRENCY", "20"))
    os.environ["PTB_TIMEDELTA"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        figures = {"limit_per_s": PAID_RATE,
                   **asyncio.run(_run(readers, processes, concurrency, Path(tmp)))}  # fmt: skip
    print(figures)
    return figures


if __name__ == "__main__":
    main()
