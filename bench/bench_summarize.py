"""Summarize throughput against the fake LLM (200 ms per reply): concurrency 8 vs 1, then re-run.

Papers are recombined from the real abstracts in ../shared/fixtures/arxiv-api, each into a fresh
SQLite file, so the figures include our real storage path. Run: `python -m bench.bench_summarize`.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from core.config import Settings
from domain.types import PaperMeta
from jobs.summarize import SummarizeReport, run_summarize
from storage.db import Database
from storage.queries.papers import upsert_papers
from tests.fakes.openai_server import FakeOpenAI

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "arxiv-api"
LATENCY = 0.2
_ENTRY = re.compile(r"<entry>.*?<title>(.*?)</title>.*?<summary>(.*?)</summary>", re.DOTALL)


def real_texts() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for path in sorted(FIXTURES.glob("*.json")):
        body = json.loads(path.read_text()).get("body", "")
        texts += [(" ".join(t.split()), " ".join(a.split())) for t, a in _ENTRY.findall(body)]
    return texts or [("Placeholder title", "We improve accuracy by 12.5% on 3 benchmarks.")]


def make_papers(count: int) -> list[PaperMeta]:
    """Distinct papers: titles and abstract sentences of real papers, recombined."""
    texts = real_texts()
    start = datetime(2026, 11, 20, tzinfo=UTC)
    papers = []
    for n in range(count):
        title, abstract = texts[n % len(texts)]
        _, other = texts[(n * 7 + 3) % len(texts)]
        papers.append(
            PaperMeta(
                arxiv_id=f"2611.{n:05d}",
                version=1,
                title=f"{title} ({n})",
                authors=("A. Author",),
                abstract=f"{abstract} {other.split('. ')[0]}.",
                categories=("cs.LG",),
                primary_category="cs.LG",
                published_at=start + timedelta(minutes=n),
                updated_at=start + timedelta(minutes=n),
            )
        )
    return papers


async def one_pass(
    fake: FakeOpenAI, papers: list[PaperMeta], concurrency: int, rerun: bool
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=url,
            openai_api_key=SecretStr("sk-bench"),
            openai_base_url=fake.base_url,
            llm_model="fake-model",
            llm_concurrency=concurrency,
            llm_max_retries=0,
        )
        db = Database(url)
        try:
            await db.upgrade()
            async with db.session() as session:
                await upsert_papers(session, papers=papers)
            started = time.perf_counter()
            report = await run_summarize(settings.llm, db, language="zh")
            elapsed = time.perf_counter() - started
            again = await run_summarize(settings.llm, db, language="zh") if rerun else None
        finally:
            await db.dispose()
    return figures(report, elapsed, again)


def figures(
    report: SummarizeReport, elapsed: float, again: SummarizeReport | None
) -> dict[str, Any]:
    return {
        "papers": report.papers,
        "llm_ok": report.llm_ok,
        "seconds": round(elapsed, 2),
        "papers_per_s": round(report.papers / elapsed, 2),
        "tokens": report.tokens_in + report.tokens_out,
        "rerun_llm_calls": again.llm_calls if again else None,
        "rerun_cached": again.cached if again else None,
    }


async def run(papers: int, serial_papers: int) -> dict[str, Any]:
    with FakeOpenAI(latency=LATENCY) as fake:
        parallel = await one_pass(fake, make_papers(papers), 8, rerun=True)
        serial = await one_pass(fake, make_papers(serial_papers), 1, rerun=False)
    return {
        "latency_ms": int(LATENCY * 1000),
        "concurrency_8": parallel,
        "concurrency_1": serial,
        "speedup": round(parallel["papers_per_s"] / serial["papers_per_s"], 2),
        "rerun_llm_calls": parallel["rerun_llm_calls"],
    }


def print_table(result: dict[str, Any]) -> None:
    print(f"summarize benchmark — fake LLM, {result['latency_ms']} ms per reply, SQLite")
    print(f"{'LLM_CONCURRENCY':>16} {'papers':>7} {'LLM ok':>7} {'seconds':>8} {'papers/s':>9}")
    for name, concurrency in (("concurrency_8", 8), ("concurrency_1", 1)):
        row = result[name]
        print(
            f"{concurrency:>16} {row['papers']:>7} {row['llm_ok']:>7} "
            f"{row['seconds']:>8.2f} {row['papers_per_s']:>9.2f}"
        )
    print(f"speed-up 8 vs 1: {result['speedup']:.2f}x (expected >= 6x)")
    print(
        f"re-run of the {result['concurrency_8']['papers']} papers: "
        f"{result['rerun_llm_calls']} LLM calls ({result['concurrency_8']['rerun_cached']} cached)"
    )


def main(papers: int = 500, serial_papers: int = 500) -> dict[str, Any]:
    result = asyncio.run(run(papers, serial_papers))
    print_table(result)
    return result


if __name__ == "__main__":
    main()
