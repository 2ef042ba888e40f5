"""HTTP server benchmark: latency of /healthz, /readyz and /metrics on the server `run` serves.

`python -m bench http`. The composed app (`cli.http.http_server`: Starlette on uvicorn, our
access log) on loopback, over a migrated SQLite file; one keep-alive client asks each path
REQUESTS times in turn (p50/p95 in ms), then CONCURRENT clients ask /healthz together
(requests per second). /readyz queries the database and Alembic's revision each time; /metrics
reads the delivery queue from the ledger each scrape.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bot.commands.context import Deps
from cli.http import http_server
from core.config import Settings
from storage.db import Database

REQUESTS = 500
CONCURRENT = 20
PATHS = ("/healthz", "/readyz", "/metrics")


def main() -> dict[str, object]:
    figures = asyncio.run(_measure())
    for name, value in figures.items():
        print(f"{name}: {value}")
    return figures


async def _measure() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await db.upgrade()
        settings = Settings(_env_file=None, database_url=db.url)  # type: ignore[call-arg]
        try:
            async with http_server(Deps(settings=settings, db=db), "127.0.0.1:0", None) as http:
                return await _ask(f"http://127.0.0.1:{http.port}")
        finally:
            await db.dispose()


async def _ask(base: str) -> dict[str, object]:
    figures: dict[str, object] = {}
    async with httpx.AsyncClient(base_url=base) as client:
        for path in PATHS:
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                answer = await client.get(path)
                times.append(1000 * (time.perf_counter() - started))
                assert answer.status_code == 200, (path, answer.status_code)
            name = path.strip("/")
            figures[f"{name}_p50_ms"] = round(statistics.median(times), 2)
            figures[f"{name}_p95_ms"] = round(statistics.quantiles(times, n=20)[18], 2)
    figures["healthz_per_second_20_clients"] = round(await _throughput(base))
    return figures


async def _throughput(base: str) -> float:
    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(REQUESTS // 10):
                assert (await client.get("/healthz")).status_code == 200

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(CONCURRENT)))
    return CONCURRENT * (REQUESTS // 10) / (time.perf_counter() - started)
