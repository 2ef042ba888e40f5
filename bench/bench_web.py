"""Web archive benchmark: p50/p95 of `/issues/N` (20 papers) and `/search?q=` at N papers,
over real HTTP against a real `digestbot run`, on SQLite and PostgreSQL (goal: p95 <= 50 ms).

`python -m bench web` (N = 200,000; `BENCH_SEARCH_PAPERS=20000` for a quick run). The corpus is
the search benchmark's (`bench.search_build`, cached under bench/.cache/ and in a PostgreSQL
schema keyed by N): every 50th paper sits in a published issue of 20, so there are N/1000
issue pages. The server is the `digestbot run` an operator starts, in its own process (so the
client's CPU is not the server's), with a schedule that never fires.

The server keeps rendered issue pages (and search pages for 30 s, `bot.web.page_cache`), so
each page kind is measured in passes: cold (every issue, every query asked for the first time
since the server started: a full load and render), warm (the same again: what most readers
get), and for issues a 304 pass (If-None-Match with the ETag seen: a reader's or a proxy's
revalidation); each with the server process's CPU per page.

Three moods, like the search benchmark, each on a server of its own (so its cold pass is
cold): idle (one client, one request at a time); loaded (the same, with a busy-loop process
keeping the other core busy); concurrent (CLIENTS clients at once: the latency each request
saw, and the pages per second).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench import search_build
from bench.bench_search import QUERIES, _build, _busy_core, _percentile, _postgres_reachable
from tests.e2e.cli_process import DIGESTBOT
from tests.e2e.web_site import LISTENING, server_env

GOAL_P95_MS = 50.0
ISSUE_REQUESTS = 200
SEARCH_REPEATS = 3
CLIENTS = 4
MOODS = ("idle", "loaded", f"concurrent_{CLIENTS}")
WARM_UP = ["/", "/search?q=warm%20up%20%E6%A8%A1%E5%9E%8B", "/issues"]  # never measured


def _env(database_url: str, home: str) -> dict[str, str]:
    # the readers' addresses come from us (_reader)
    return server_env(database_url, home, HTTP_TRUSTED_PROXIES="127.0.0.1")


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


def _plans(issues: int) -> dict[str, dict[str, list[str]]]:
    """Per page kind, the cold pass (every path asked for the first time since the server
    started) and the warm pass (the same paths again: kept issue pages, search pages within
    their 30 s)."""
    step = max(1, issues // ISSUE_REQUESTS)
    numbers = sorted({1 + (i * step) % issues for i in range(ISSUE_REQUESTS)})
    issue = [f"/issues/{n}" for n in numbers]
    search = [f"/search?q={quote(q)}" for q in QUERIES]
    return {
        "issue": {"cold": issue, "warm": issue},
        "search": {"cold": search, "warm": search * (SEARCH_REPEATS - 1)},
    }


_readers = itertools.count(1)


def _reader() -> dict[str, str]:
    """A different reader's address on each request, as a reverse proxy on this host passes it
    (HTTP_TRUSTED_PROXIES=127.0.0.1): the per-address search limit is for one scraper, and the
    benchmark is many readers."""
    n = next(_readers)
    return {"x-forwarded-for": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


async def _timed(
    client: httpx.AsyncClient, path: str, etags: dict[str, str], revalidate: bool = False
) -> float:
    """One request's latency; `revalidate` sends the ETag seen before (a reader's cache)."""
    headers = _reader() | ({"if-none-match": etags[path]} if revalidate else {})
    started = time.perf_counter()
    answer = await client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != (304 if revalidate else 200):
        raise RuntimeError(f"{path}: {answer.status_code}")
    etags[path] = answer.headers.get("etag", "")
    return elapsed


async def _pass(
    base: str, paths: list[str], clients: int, etags: dict[str, str], revalidate: bool = False
) -> tuple[list[float], float]:
    """`clients` keep-alive clients share the paths (1: one request at a time, in order);
    every latency and the pages per second."""
    times: list[float] = []
    todo = list(reversed(paths))

    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while todo:
                times.append(await _timed(client, todo.pop(), etags, revalidate))

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return times, len(paths) / (time.perf_counter() - started)


async def _session(server: Served, issues: int, clients: int) -> dict[str, dict[str, object]]:
    """A fresh server: warm-up on pages not measured (connection, templates, jieba), then per
    kind the cold pass, the warm pass and (issues) the 304 pass, each with the server's CPU."""
    etags: dict[str, str] = {}
    await _pass(server.base, WARM_UP, 1, etags)
    results: dict[str, dict[str, object]] = {}
    for kind, plan in _plans(issues).items():
        phases = [("cold", plan["cold"], False), ("warm", plan["warm"], False)]
        if kind == "issue":
            phases.append(("not_modified", plan["warm"], True))
        results[kind] = {}
        for phase, paths, revalidate in phases:
            cpu = server.cpu_seconds()
            times, rate = await _pass(server.base, paths, clients, etags, revalidate)
            cpu_ms = (server.cpu_seconds() - cpu) * 1000 / len(paths)
            results[kind][phase] = {**_figures(times), "requests": len(paths),
                                    "server_cpu_ms_per_page": round(cpu_ms, 1),
                                    "pages_per_second": round(rate, 1)}  # fmt: skip
    return results


def _figures(times: list[float]) -> dict[str, float]:
    p95 = _percentile(times, 0.95)
    return {
        "p50_ms": round(_percentile(times, 0.5), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(times), 1),
        "p95_to_goal": round(p95 / GOAL_P95_MS, 2),
    }


def _measure(database_url: str, issues: int) -> dict[str, Any]:
    """Each mood on a server of its own, so every mood's cold pass is really cold."""
    results: dict[str, Any] = {}
    for mood in MOODS:
        busy = _busy_core() if mood == "loaded" else nullcontext()
        clients = CLIENTS if mood.startswith("concurrent") else 1
        with served(database_url) as server, busy:
            results[mood] = asyncio.run(_session(server, issues, clients))
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
    results["load_average_before"] = os.getloadavg()
    for name, url in urls.items():
        results["databases"][name] = _measure(url, issues)
    results["load_average_after"] = os.getloadavg()
    _print(results)
    return results


def _print(results: dict) -> None:
    load = " / ".join(f"{x:.1f}" for x in results["load_average_before"])
    print(f"\nWeb benchmark: {results['papers']:,} papers, {results['issues']} issues of 20,"
          f" over HTTP to `digestbot run` (goal p95 <= {GOAL_P95_MS:.0f} ms); load average"
          f" before: {load}")  # fmt: skip
    print(f"{'database page phase':<30}" + "".join(f"{m + ' p50/p95 ms':>28}" for m in MOODS)
          + f"{'CPU ms/page':>13}")  # fmt: skip
    for db, moods in results["databases"].items():
        for kind, phases in moods["idle"].items():
            for phase in phases:
                cells = "".join(_cell(moods[m][kind][phase]) for m in MOODS)
                cpu = phases[phase]["server_cpu_ms_per_page"]
                print(f"{f'{db} {kind} {phase}':<30}{cells}{cpu:>13.1f}")
    for db, moods in results["databases"].items():
        for kind in ("issue", "search"):
            for phase in ("cold", "warm"):
                p95 = max(moods[m][kind][phase]["p95_ms"] for m in MOODS)
                verdict = "met" if p95 <= GOAL_P95_MS else "MISSED"
                print(f"{db} {kind} {phase}: goal {verdict} (worst p95 of the moods {p95} ms)")


def _cell(figures: dict) -> str:
    text = f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f} ({figures['p95_to_goal']:.2f}x)"
    return text.rjust(28)


if __name__ == "__main__":
    main()
