"""Search benchmark: p50/p95 latency of 30 queries over N papers on SQLite and PostgreSQL.

`python -m bench.bench_search` (N = 200,000; `BENCH_SEARCH_PAPERS=20000` for a quick run).
The databases are built in a child process (see `bench.search_build`; cached under
bench/.cache/ and in a PostgreSQL schema keyed by N), so this process's peak RSS is what serving
searches costs. Each query runs REPEATS times through the full `search_papers` service (what a
reader waits for: index query, count, papers, summaries, issue numbers) and through the bare
index query (`storage.search.search_paper_ids`); on PostgreSQL also through the design before
the postings (`bench.search_legacy`), interleaved, so the old/new ratio shares the machine's
mood. Everything is measured twice: idle, then "loaded" with a busy-loop process keeping
another core busy (the target is p95 <= 30 ms loaded).
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path

import psycopg

from bench import search_build, search_legacy
from core.services.search import search_papers
from storage.db import Database
from storage.search import COUNT_CAP, search_paper_ids

REPEATS = 5
TARGET_P95_MS = 30.0
QUERIES = (
    # common English words (match a large share of the corpus)
    "learning",
    "model",
    "language models",
    "data",
    "testing",
    "neural network",
    "large language models",
    "performance evaluation",
    # rarer English words and names
    "neutrinos",
    "colluding partners",
    "Chernoff-Stein",
    "Hellinger",
    "mutation testing",
    "fuzzing",
    "Nocturne",
    "gigahertz processor",
    # prefixes, plurals, case
    "optim",
    "gener",
    "TRANSFORMERS",
    "benchmarks",
    # Chinese and mixed
    "对齐",
    "强化学习",
    "大型语言模型",
    "剪枝",
    "自监督",
    "数据集",
    "模型",
    "假新闻检测",
    "LLM 评估",
    "RLHF 对齐",
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _timed(db: Database, search: object, query: str) -> float:
    async with db.session() as session:
        started = time.perf_counter()
        await search(session, query=query, offset=0, limit=5)  # type: ignore[operator]
        return (time.perf_counter() - started) * 1000


async def _measure(db: Database, legacy: bool) -> dict:
    await search_papers(db, query="warm up 预热", language="zh")  # jieba init, pool, caches
    service, raw, old, totals = [], [], [], {}
    for query in QUERIES:
        for _ in range(REPEATS):
            started = time.perf_counter()
            page = await search_papers(db, query=query, language="zh", limit=5)
            service.append((time.perf_counter() - started) * 1000)
            raw.append(await _timed(db, search_paper_ids, query))
            if legacy:
                old.append(await _timed(db, search_legacy.search_paper_ids, query))
        totals[query] = page.total
    per_query = {
        q: statistics.median(service[i * REPEATS : (i + 1) * REPEATS])
        for i, q in enumerate(QUERIES)
    }
    figures = {
        "service_p50_ms": _percentile(service, 0.5),
        "service_p95_ms": _percentile(service, 0.95),
        "service_max_ms": max(service),
        "index_p50_ms": _percentile(raw, 0.5),
        "index_p95_ms": _percentile(raw, 0.95),
        "per_query_median_ms": per_query,
        "matches": totals,
    }
    if legacy:
        figures["legacy_index_p50_ms"] = _percentile(old, 0.5)
        figures["legacy_index_p95_ms"] = _percentile(old, 0.95)
    return figures


def _spin() -> None:
    while True:
        pass


@contextmanager
def _busy_core() -> Iterator[None]:
    """A process that keeps one core busy for as long as the block runs."""
    spinner = get_context("spawn").Process(target=_spin, daemon=True)
    spinner.start()
    try:
        yield
    finally:
        spinner.terminate()
        spinner.join()


async def _run(url: str, legacy: bool = False) -> dict:
    db = Database(url)
    try:
        idle = await _measure(db, legacy)
        with _busy_core():
            loaded = await _measure(db, legacy)
        return {**idle, "loaded": loaded}
    finally:
        await db.dispose()


def _sqlite_size(path: str) -> float:
    return sum(p.stat().st_size for p in Path(path).parent.glob(Path(path).name + "*")) / 2**20


def _postgres_size(schema: str) -> float:
    with psycopg.connect(search_build.POSTGRES_URL.replace("+psycopg", "")) as conn:
        row = conn.execute(
            "SELECT sum(pg_total_relation_size(format('%%I.%%I', schemaname, tablename)))"
            " FROM pg_tables WHERE schemaname = %s",
            (schema,),
        ).fetchone()
    return float(row[0] or 0) / 2**20 if row else 0.0


def _postgres_search_sizes(schema: str) -> dict[str, float]:
    """MB of the tsvector table (+ GIN) and of the postings (+ both btrees)."""
    with psycopg.connect(
        search_build.POSTGRES_URL.replace("+psycopg", ""), options=f"-csearch_path={schema}"
    ) as conn:
        row = conn.execute(
            "SELECT pg_total_relation_size('paper_search'),"
            " pg_total_relation_size('paper_search_terms')"
        ).fetchone()
    assert row is not None
    return {"tsvector_gin_mb": row[0] / 2**20, "postings_mb": row[1] / 2**20}


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(search_build.POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _build(n: int, with_postgres: bool) -> dict:
    """Both builds in child processes, side by side (two cores), so our RSS stays honest."""
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        sqlite = pool.submit(search_build.build_sqlite, n)
        postgres = pool.submit(search_build.build_postgres, n) if with_postgres else None
        return {"sqlite": sqlite.result(), "postgres": postgres.result() if postgres else None}


def main() -> dict:
    n = int(os.environ.get("BENCH_SEARCH_PAPERS", "200000"))
    with_postgres = _postgres_reachable()
    started = time.perf_counter()
    built = _build(n, with_postgres)
    results: dict = {
        "papers": n,
        "queries": len(QUERIES),
        "repeats": REPEATS,
        "build_wall_seconds": time.perf_counter() - started,
        "databases": {},
    }
    sqlite = built["sqlite"]
    results["databases"]["sqlite"] = {
        **sqlite,
        **asyncio.run(_run(f"sqlite+aiosqlite:///{sqlite['path']}")),
        "size_mb": _sqlite_size(sqlite["path"]),
    }
    if built["postgres"]:
        pg = built["postgres"]
        results["databases"]["postgres"] = {
            **pg,
            **asyncio.run(_run(search_build.postgres_url(pg["schema"]), legacy=True)),
            "size_mb": _postgres_size(pg["schema"]),
            **_postgres_search_sizes(pg["schema"]),
        }
    results["query_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _print(results)
    return results


def _print(results: dict) -> None:
    dbs = results["databases"]
    print(
        f"\nSearch benchmark: {results['papers']:,} papers, {results['queries']} queries"
        f" x {results['repeats']} (target p95 <= {TARGET_P95_MS:.0f} ms)"
    )
    print(f"{'query':<26}{'matches':>9}" + "".join(f"{name + ' ms':>14}" for name in dbs))
    for query in QUERIES:
        first = next(iter(dbs.values()))
        cells = "".join(f"{d['per_query_median_ms'][query]:>14.1f}" for d in dbs.values())
        matches = first["matches"][query]
        shown = f"{COUNT_CAP}+" if matches > COUNT_CAP else f"{matches:,}"
        print(f"{query:<26}{shown:>9}{cells}")
    rows = [
        ("service p50 ms", "service_p50_ms"),
        ("service p95 ms", "service_p95_ms"),
        ("service max ms", "service_max_ms"),
        ("index p50 ms", "index_p50_ms"),
        ("index p95 ms", "index_p95_ms"),
        ("legacy index p50 ms", "legacy_index_p50_ms"),
        ("legacy index p95 ms", "legacy_index_p95_ms"),
    ]
    print()
    for mood in ("idle", "loaded"):
        for label, key in rows:
            figures = [d if mood == "idle" else d["loaded"] for d in dbs.values()]
            cells = "".join(f"{f[key]:>14.1f}" if key in f else f"{'-':>14}" for f in figures)
            print(f"{mood + ' ' + label:<35}{cells}")
    for label, key in (("size MB", "size_mb"), ("build s (0 = cached)", "build_seconds")):
        print(f"{label:<35}" + "".join(f"{d[key]:>14.1f}" for d in dbs.values()))
    print(f"{'peak RSS of the query process MB':<35}{results['query_maxrss_mb']:>14.1f}")
    for name, d in dbs.items():
        verdict = "met" if d["loaded"]["service_p95_ms"] <= TARGET_P95_MS else "MISSED"
        print(f"{name}: loaded p95 target {verdict}")


if __name__ == "__main__":
    main()
