"""Web archive benchmark: p50/p95 of `/issues/N` (20 papers) and `/search?q=` at N papers,
over real HTTP against a real `digestbot run`, on SQLite and PostgreSQL (goal: p95 <= 50 ms).

`python -m bench web` (N = 200,000; `BENCH_SEARCH_PAPERS=20000` for a quick run). The corpus is
the search benchmark's (`bench.search_build`, cached under bench/.cache/ and in a PostgreSQL
schema keyed by N): every 50th paper sits in a published issue of 20, so there are N/1000
issue pages. The server is the `digestbot run` an operator starts, in its own process (so the
client's CPU is not the server's), with a schedule that never fires. Each page is asked for
without validators (no If-None-Match), so every answer is a full render.

Three moods, like the search benchmark: idle (one client, one request at a time); loaded (the
same, with a busy-loop process keeping the other core busy); concurrent (CLIENTS clients at
once: the latency each request saw, and the pages per second).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from bench import search_build
from bench.bench_search import QUERIES, _build, _busy_core, _percentile, _postgres_reachable

GOAL_P95_MS = 50.0
ISSUE_REQUESTS = 200
SEARCH_REPEATS = 3
CLIENTS = 4
LISTENING = re.compile(r"HTTP server listening on http://127\.0\.0\.1:(\d+)")
DIGESTBOT = Path(sys.executable).with_name("digestbot")
QUIET_CRON = "0 0 1 1 *"


def _env(database_url: str, home: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "DATABASE_URL": database_url,
        "HTTP_LISTEN": "127.0.0.1:0",
        "WECHAT_TOKEN": "benchtoken",  # server mode: no console, no push platform
        "ARXIV_API_URL": "http://127.0.0.1:9/api/query",
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
        "ARXIV_RETRIES": "0",
        "FETCH_CRON": QUIET_CRON,
        "ISSUE_CRON": QUIET_CRON,
        "PUBLISH_CRON": QUIET_CRON,
        "HTTP_TRUSTED_PROXIES": "127.0.0.1",  # the readers' addresses come from us (_reader)
    }


@dataclass(frozen=True)
class Served:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """The server process's user + system CPU so far (a shared machine's load does not
        inflate it the way it inflates wall-clock latency)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def served(database_url: str) -> Iterator[Served]:
    """`digestbot run` over `database_url` until the block ends."""
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.Popen(
            [str(DIGESTBOT), "run"], env=_env(database_url, home), cwd=home,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        try:
            yield Served(f"http://127.0.0.1:{_port(proc)}", proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _port(proc: subprocess.Popen[str]) -> int:
    """The port from the log line; stderr is drained after it so the server never blocks."""
    found: list[int] = []
    lines: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if not found and (match := LISTENING.search(line)):
                found.append(int(match.group(1)))
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    ready.wait(timeout=120)
    if not found:
        raise RuntimeError("digestbot run did not serve:\n" + "".join(lines[-20:]))
    return found[0]


def _paths(issues: int) -> dict[str, list[str]]:
    step = max(1, issues // ISSUE_REQUESTS)
    numbers = [1 + (i * step) % issues for i in range(ISSUE_REQUESTS)]
    search = [f"/search?q={quote(q)}" for q in QUERIES for _ in range(SEARCH_REPEATS)]
    return {"issue": [f"/issues/{n}" for n in numbers], "search": search}


_readers = itertools.count(1)


def _reader() -> dict[str, str]:
    """A different reader's address on each request, as a reverse proxy on this host passes it
    (HTTP_TRUSTED_PROXIES=127.0.0.1): the per-address search limit is for one scraper, and the
    benchmark is many readers."""
    n = next(_readers)
    return {"x-forwarded-for": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


async def _timed(client: httpx.AsyncClient, path: str) -> float:
    started = time.perf_counter()
    answer = await client.get(path, headers=_reader())
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: {answer.status_code}")
    return elapsed


async def _sequential(base: str, paths: list[str]) -> list[float]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await _timed(client, paths[0])  # connection, the server's caches, jieba
        return [await _timed(client, path) for path in paths]


async def _concurrent(base: str, paths: list[str]) -> tuple[list[float], float]:
    """CLIENTS keep-alive clients share the paths; every latency and the pages per second."""
    times: list[float] = []
    todo = list(paths)

    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while todo:
                times.append(await _timed(client, todo.pop()))

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(CLIENTS)))
    return times, len(paths) / (time.perf_counter() - started)


def _figures(times: list[float]) -> dict[str, float]:
    p95 = _percentile(times, 0.95)
    return {
        "p50_ms": round(_percentile(times, 0.5), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(times), 1),
        "p95_to_goal": round(p95 / GOAL_P95_MS, 2),
    }


def _measure(server: Served, issues: int) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for kind, paths in _paths(issues).items():
        cpu = server.cpu_seconds()
        idle = asyncio.run(_sequential(server.base, paths))
        cpu = (server.cpu_seconds() - cpu) / (len(paths) + 1)
        with _busy_core():
            loaded = asyncio.run(_sequential(server.base, paths))
        together, rate = asyncio.run(_concurrent(server.base, paths))
        results[kind] = {
            "requests": len(paths),
            "server_cpu_ms_per_page": round(cpu * 1000, 1),
            "idle": _figures(idle),
            "loaded": _figures(loaded),
            f"concurrent_{CLIENTS}": {**_figures(together), "pages_per_second": round(rate, 1)},
        }
    return results


def main() -> dict:
    n = int(os.environ.get("BENCH_SEARCH_PAPERS", "200000"))
    with_postgres = _postgres_reachable()
    started = time.perf_counter()
    built = _build(n, with_postgres)
    issues = n // (search_build.ISSUE_EVERY * 20)
    results: dict = {"papers": n, "issues": issues, "goal_p95_ms": GOAL_P95_MS, "clients": CLIENTS,
                     "build_wall_seconds": round(time.perf_counter() - started, 1),
                     "databases": {}}  # fmt: skip
    urls = {"sqlite": f"sqlite+aiosqlite:///{built['sqlite']['path']}"}
    if built["postgres"]:
        urls["postgres"] = search_build.postgres_url(built["postgres"]["schema"])
    for name, url in urls.items():
        with served(url) as server:
            results["databases"][name] = _measure(server, issues)
    _print(results)
    return results


def _print(results: dict) -> None:
    print(f"\nWeb benchmark: {results['papers']:,} papers, {results['issues']} issues of 20,"
          f" over HTTP to `digestbot run` (goal p95 <= {GOAL_P95_MS:.0f} ms)")  # fmt: skip
    moods = ("idle", "loaded", f"concurrent_{CLIENTS}")
    print(f"{'database / page':<22}" + "".join(f"{m + ' p50/p95 ms':>26}" for m in moods))
    for db, kinds in results["databases"].items():
        for kind, figures in kinds.items():
            cells = "".join(
                f"{figures[m]['p50_ms']:>13.1f} /{figures[m]['p95_ms']:>7.1f}"
                f" ({figures[m]['p95_to_goal']:.2f}x)"[-26:].rjust(26)
                for m in moods
            )
            print(f"{db + ' ' + kind:<22}{cells}")
    for db, kinds in results["databases"].items():
        for kind, figures in kinds.items():
            rate = figures[f"concurrent_{CLIENTS}"]["pages_per_second"]
            cpu = figures["server_cpu_ms_per_page"]
            verdict = "met" if figures["loaded"]["p95_ms"] <= GOAL_P95_MS else "MISSED"
            print(f"{db} {kind}: loaded p95 goal {verdict}; server CPU {cpu} ms/page;"
                  f" {rate:.0f} pages/s with {CLIENTS} clients")  # fmt: skip


if __name__ == "__main__":
    main()
