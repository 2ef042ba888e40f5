"""Fairness benchmark: one user floods 100 commands; how long do other users wait for /help?

`python -m bench fairness`. The product's `run_telegram` (real PTB, real handlers, polling)
against `FakeTelegram()` with Telegram's flood limits on (1 message/s per private chat after a
burst of 20, 20/min per group, 30/s overall), on the demo database (issue 1, 20 papers), with a
deliberately slow on-demand fetch (`/paper` of an unknown id sleeps 3 s, as fetch + LLM would).

The flooder pushes 100 commands at once (/latest, /issue 1, /search, /paper, /issues, /help,
/mysubs, /topics, /settings in turn); from the same moment 20 other users send one /help each,
0.5 s apart, and we time each from push to the reply's arrival at the fake. The bot process's
RSS (VmRSS in /proc/self/status, the fake included) is sampled every 20 ms from just before the
flood until the flood has drained (the flooder's trailing /start is answered).

Two variants in the same run: ours, as `build_application` builds it (per-chat ordered
concurrent updates, the fair round-robin limiter, slow commands in the background), and the
naive way (`concurrent_updates(1)`: one update at a time; PTB's first-come-first-served
`AIORateLimiter`; /paper awaited in the handler). Both have the per-user budgets.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

os.environ.setdefault("PTB_TIMEDELTA", "true")  # before PTB builds any RetryAfter

from pydantic import SecretStr
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bench.bench_search import _percentile
from bench.telegram_load import clocked
from bot.commands.context import Deps
from bot.telegram.app import run_telegram
from core.config import Settings
from jobs.demo import run_demo
from storage.db import Database
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_spacing import spacing_violations

FLOOD = 100
TRIES = 20
TRY_SPACING = 0.5
SLOW_FETCH_SECONDS = 3.0
TRY_TIMEOUT = 120.0
DRAIN_TIMEOUT = 240.0
TARGET_P95_S = 2.0
TARGET_RSS_MB = 20.0
MIX = (
    "/latest", "/issue 1", "/search model", "/paper 2401.{n:05d}", "/issues", "/help",
    "/mysubs", "/topics", "/settings", "/search 对齐",
)  # fmt: skip


@dataclass(frozen=True)
class Variant:
    name: str
    naive: bool


VARIANTS = (Variant("ours", naive=False), Variant("naive", naive=True))


def vm_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _slow_fetch(arxiv_id: str, language: str) -> int | None:
    await asyncio.sleep(SLOW_FETCH_SECONDS)  # fetch + LLM; then arXiv has no such paper
    return None


@contextmanager
def _as_variant(variant: Variant) -> Iterator[None]:
    """The naive way: one update at a time, PTB's FCFS limiter, /paper awaited in place."""
    if not variant.naive:
        yield
        return
    original = ApplicationBuilder.build

    def build(self: ApplicationBuilder) -> object:
        self.concurrent_updates(1)
        self.rate_limiter(_fcfs_limiter())
        return original(self)

    with (
        mock.patch.object(ApplicationBuilder, "build", build),
        mock.patch("bot.telegram.app.BACKGROUND_COMMANDS", frozenset()),
    ):
        yield


def _fcfs_limiter() -> AIORateLimiter:
    """The limiter the bot had before: PTB's, first come first served."""
    return AIORateLimiter(
        overall_max_rate=1, overall_time_period=1 / 30,
        group_max_rate=20, group_time_period=60, max_retries=3,
    )  # fmt: skip


@asynccontextmanager
async def _bot(fake: FakeTelegram, workdir: Path, variant: Variant) -> AsyncIterator[None]:
    db = Database(f"sqlite+aiosqlite:///{workdir / f'{variant.name}.db'}")
    await db.upgrade()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=db.url, telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.url, telegram_poll_timeout=1,
    )  # fmt: skip
    await run_demo(settings, db)
    stop = asyncio.Event()
    with _as_variant(variant):
        task = asyncio.create_task(
            run_telegram(Deps(settings=settings, db=db, fetch_paper=_slow_fetch), stop=stop)
        )
        try:
            await fake.wait_for_poll(timeout=30)
            yield
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=DRAIN_TIMEOUT)
            await db.dispose()


async def _warm_up(fake: FakeTelegram) -> None:
    user = fake.user(first_name="Warm")
    for text in ("/search warm up 预热", "/latest", "/help"):
        fake.send_text(user, text)
        await fake.wait_for_sent(user, timeout=60)


async def _try_help(fake: FakeTelegram, delay: float) -> float | None:
    await asyncio.sleep(delay)
    user = fake.user(first_name="Other", language_code="en")
    clock, task = await clocked(fake, {user.id: 1})
    pushed = time.perf_counter()
    fake.send_text(user, "/help")
    try:
        done = await asyncio.wait_for(task, TRY_TIMEOUT)
    except TimeoutError:
        return None
    return clock.arrivals[user.id][0][0] - pushed if done else None


async def _sample_rss(peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], vm_rss_mb())
        await asyncio.sleep(0.02)


async def _drained(fake: FakeTelegram, flooder_id: int) -> bool:
    def done() -> bool | None:
        sent = fake.sent(flooder_id)
        return True if sent and "Subscribed" in sent[-1].text else None

    try:
        await fake.wait_until(done, DRAIN_TIMEOUT)
    except TimeoutError:
        return False
    return True


async def _flood(fake: FakeTelegram) -> dict:
    flooder = fake.user(first_name="Flood", language_code="en")
    baseline, peak, stop = vm_rss_mb(), [0.0], asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(peak, stop))
    started = time.perf_counter()
    for n in range(FLOOD):
        fake.send_text(flooder, MIX[n % len(MIX)].format(n=n))
    fake.send_text(flooder, "/start")  # answered last: the flood has drained
    tries = [asyncio.create_task(_try_help(fake, k * TRY_SPACING)) for k in range(TRIES)]
    latencies = await asyncio.gather(*tries)
    drained = await _drained(fake, flooder.id)
    drain_s = time.perf_counter() - started
    stop.set()
    await sampler
    answered = [s for s in latencies if s is not None]
    texts = [m.text for m in fake.sent(flooder)]
    return {
        "help_tries": TRIES,
        "help_answered": len(answered),
        "help_p50_s": _percentile(answered, 0.5) if answered else float("nan"),
        "help_p95_s": _percentile(answered, 0.95) if answered else float("nan"),
        "help_max_s": max(answered, default=float("nan")),
        "flood_drained": drained,
        "flood_drain_s": drain_s,
        "flooder_messages": len(texts),
        "flooder_slow_downs": sum(t.startswith("Too many requests") for t in texts),
        "rss_baseline_mb": baseline,
        "rss_growth_mb": peak[0] - baseline,
    }


async def _variant(variant: Variant, workdir: Path) -> dict:
    with FakeTelegram() as fake:
        async with _bot(fake, workdir, variant):
            await _warm_up(fake)
            figures = await _flood(fake)
        figures.update(
            variant=variant.name,
            fake_429s=sum(call.status == 429 for call in fake.errors),
            spacing_violations=spacing_violations(fake),
        )
        return figures


def main() -> dict:
    logging.getLogger("bot.telegram.ratelimit").setLevel(logging.ERROR)  # 429 lines: counted
    with tempfile.TemporaryDirectory() as workdir:
        rows = [asyncio.run(_variant(variant, Path(workdir))) for variant in VARIANTS]
    results = {"flood": FLOOD, "tries": TRIES, "slow_fetch_s": SLOW_FETCH_SECONDS, "rows": rows}
    _print(rows)
    return results


def _print(rows: list[dict]) -> None:
    print(
        f"\nFairness: one user pushes {FLOOD} commands at once (/latest /issue /search /paper "
        f"with a {SLOW_FETCH_SECONDS:.0f} s fetch, …); {TRIES} other users send /help "
        f"{TRY_SPACING} s apart. Real PTB + handlers vs FakeTelegram with Telegram's limits."
    )
    head = f"{'variant':<8}{'answered':>9}{'p50 s':>8}{'p95 s':>8}{'max s':>8}"
    print(head + f"{'drain s':>9}{'flooder msgs':>13}{'slow-downs':>11}{'RSS +MB':>9}{'429s':>6}")
    for r in rows:
        drain = f"{r['flood_drain_s']:.1f}" if r["flood_drained"] else "n/a"
        print(
            f"{r['variant']:<8}{r['help_answered']:>6}/{r['help_tries']:<2}"
            f"{r['help_p50_s']:>8.2f}{r['help_p95_s']:>8.2f}{r['help_max_s']:>8.2f}"
            f"{drain:>9}{r['flooder_messages']:>13}{r['flooder_slow_downs']:>11}"
            f"{r['rss_growth_mb']:>9.1f}{r['fake_429s']:>6}"
        )
    ours = rows[0]
    p95_ok = ours["help_answered"] == TRIES and ours["help_p95_s"] <= TARGET_P95_S
    rss_ok = ours["rss_growth_mb"] <= TARGET_RSS_MB
    print(
        f"targets (ours): /help p95 <= {TARGET_P95_S:.0f} s: {'met' if p95_ok else 'MISSED'}; "
        f"RSS growth <= {TARGET_RSS_MB:.0f} MB: {'met' if rss_ok else 'MISSED'}; "
        f"send-spacing violations: {len(ours['spacing_violations'])}"
    )


if __name__ == "__main__":
    main()
