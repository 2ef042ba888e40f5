"""Personal relevance benchmark (issue 13): does each reader's own model beat the LLM's order,
and what does it cost?

`python -m bench ranking`. Quality: `tests/ranking_sim.py`'s simulation on real abstracts
(`../shared/fixtures/arxiv-days`): `BENCH_RANKING_READERS` (default 60) readers with hidden
interests (2–3 categories or keyword sets) vote with 10 % noise on the 50-paper issue they are
shown, 10 days; after each day, nDCG@5 and precision@5 of their own order of the next day's
papers against the LLM-score order (goal: ≥ 30 % better by day 10). Cost: training time per
reader (wall and CPU), then one delivery of a 50-paper issue to `BENCH_RANKING_CHATS` (default
5,000) readers on SQLite, every one with a trained model (the simulated readers' models, dealt
round-robin). Planning: `plan_deliveries` as publishing runs it with RANKING_FOR_YOU off and
on (alternating, median of 5, wall and CPU); "for you" does no model work in planning, only,
per page with "topics" readers nothing matched, one indexed query for which of them have a
model (their row is kept for recommendations), so the gap is that query and the machine's
noise (goal: ≤ 10 % added); `nothing_matched_rows_kept` counts those rows. Send
time (`core.services.sendtime`): the ledger planned, then `BENCH_RANKING_SEND_ROWS` (default
1,000) rows claimed as the deliverer claims them (one per claim on SQLite; also eight, as on
PostgreSQL) and ordered (models read, scored, topics readers' recommendations chosen, the
order written): CPU per row with no model in memory, with the models kept, and after a tenth
of them changed, against the 33.3 ms a row's first message alone takes at Telegram's 30
messages/s (the ratio; a row of several messages takes longer still). Memory: peak RSS of
this process and the stored bytes per model, per paper vector and of the IDF counts.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from bot.telegram.targets import TelegramTargets
from core.services import ranking_plan
from core.services.delivery import plan_deliveries, publish_plan
from core.services.sendtime import SendTimeOrder
from domain.types import IssueStatus, IssueView, PaperMeta
from storage.db import Database
from storage.models import Chat, Delivery
from storage.models_ranking import PaperVector, RankingVocab, ReaderModel
from storage.queries import deliveries as ledger
from storage.queries.issues import NewItem, create_issue, get_issue_view
from storage.queries.papers import upsert_papers
from tests.planning_world import store_chats
from tests.ranking_sim import load_days, simulate

READERS = int(os.environ.get("BENCH_RANKING_READERS", "60"))
CHATS = int(os.environ.get("BENCH_RANKING_CHATS", "5000"))
DAYS, SEED, ISSUE, RUNS = 10, 7, 50, 5
CHANGED_SHARE = 0.1
SEND_ROWS = int(os.environ.get("BENCH_RANKING_SEND_ROWS", "1000"))
MIN_FEEDBACK = 5  # RANKING_MIN_FEEDBACK's default: every bench reader has 50 marks
TELEGRAM_ROW_SECONDS = 1 / 30  # one message at Telegram's global limit: a row's least


def quality() -> tuple[dict[str, object], list[object]]:
    figures = simulate(reader_count=READERS, days=DAYS, seed=SEED)
    last = figures.days[-1]
    gain = {
        f"{m}_relative_gain_pct": round(100 * (last[f"{m}_personal"] / last[f"{m}_llm"] - 1), 1)
        for m in ("ndcg", "p5")
    }
    ms = [1000 * s for s in figures.train_seconds]
    cpu = [1000 * s for s in figures.train_cpu_seconds]
    out = {
        "readers": READERS, "days": DAYS, "per_day": figures.days, "day10": last, **gain,
        "train_ms_median": round(statistics.median(ms), 1),
        "train_ms_p95": round(sorted(ms)[int(0.95 * len(ms))], 1),
        "train_cpu_ms_median": round(statistics.median(cpu), 1),
    }  # fmt: skip
    return out, list(figures.models)


def _issue_papers() -> list[PaperMeta]:
    at = datetime(2026, 6, 2, 18, tzinfo=UTC)
    return [
        PaperMeta(
            arxiv_id=str(r["id"]), version=1, title=str(r["title"]), abstract=str(r["abstract"]),
            authors=tuple(r["authors"]), categories=tuple(r["categories"]),  # type: ignore[arg-type]
            primary_category=str(r["categories"][0]), published_at=at, updated_at=at,  # type: ignore[index]
        )
        for r in load_days(DAYS + 2)[-1][:ISSUE]
    ]  # fmt: skip


async def _world(db: Database, models: list[object]) -> IssueView:
    async with db.session() as session:
        ids = (await upsert_papers(session, papers=_issue_papers())).paper_ids
        await create_issue(
            session, number=1, title="bench", language="en", period_start=date(2026, 6, 2),
            period_end=date(2026, 6, 2), items=[NewItem(paper_id=i, summary_id=None) for i in ids],
            status=IssueStatus.APPROVED,
        )  # fmt: skip
        view = await get_issue_view(session, number=1)
    await store_chats(db, chats=CHATS, seed=3)
    async with db.session() as session:
        chat_ids = list((await session.scalars(select(Chat.id).order_by(Chat.id))).all())
        rows = []
        for n, chat_id in enumerate(chat_ids):
            model = models[n % len(models)]
            (ix, ws), b = model.vector.pack(), model.intercept  # type: ignore[attr-defined]
            rows.append({"chat_id": chat_id, "revision": 1, "trained_revision": 1, "examples": 50,
                         "indices": ix, "weights": ws, "intercept": b})  # fmt: skip
        for start in range(0, len(rows), 1000):
            await session.execute(insert(ReaderModel), rows[start : start + 1000])
    assert view is not None
    return view


async def _timed(db: Database, issue: IssueView, for_you: int | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one plan: the CPU seconds (this process, the database thread
    included) are the steadier figure on a shared machine."""
    started, cpu = time.perf_counter(), time.process_time()
    await plan_deliveries(db, issue=issue, targets=TelegramTargets(), for_you=for_you)
    return time.perf_counter() - started, time.process_time() - cpu


async def _kept(db: Database, issue: IssueView) -> int:
    """Rows "for you" keeps for recommendations: a reader's, pending, without papers."""
    rows = await plan_deliveries(db, issue=issue, targets=TelegramTargets(), for_you=MIN_FEEDBACK)
    return sum(
        1 for r in rows if r.kind == "subscriber" and not r.paper_ids and r.status == "pending"
    )


async def _send_time(db: Database, issue: IssueView, batch: int) -> tuple[float, float]:
    """(wall, CPU) seconds per row of ordering `SEND_ROWS` freshly planned rows at send time,
    claimed `batch` at a time as the deliverer does (the claim itself not counted)."""
    async with db.session() as session:
        await session.execute(delete(Delivery))
    await publish_plan(
        db, issue=issue, targets=TelegramTargets(), actor="bench", for_you=MIN_FEEDBACK
    )
    ids = [item.paper.id for item in issue.included_items]
    async with db.session() as session:
        order = await SendTimeOrder.prepare(session, paper_ids=ids, min_feedback=MIN_FEEDBACK)
    wall = cpu = 0.0
    done, stale_before = 0, datetime.now(UTC) - timedelta(hours=1)  # never take a claimed row
    while done < SEND_ROWS:
        async with db.session() as session:
            rows = []
            for _ in range(batch):
                row = await ledger.claim_one(
                    session, issue_id=issue.id, platform="telegram", stale_before=stale_before
                )
                rows += [row] if row is not None else []
            if not rows:
                break
            started, used = time.perf_counter(), time.process_time()
            await order.claimed(session, rows)
            wall += time.perf_counter() - started
            cpu += time.process_time() - used
        done += len(rows)
    return wall / done, cpu / done


async def delivery(models: list[object]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-ranking-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await db.upgrade()
            issue = await _world(db, models)
            off, on = [], []
            for _ in range(RUNS):  # alternating, so load from elsewhere falls on both
                off.append(await _timed(db, issue, None))
                on.append(await _timed(db, issue, MIN_FEEDBACK))  # RANKING_FOR_YOU on
            kept = await _kept(db, issue)
            ranking_plan.forget_cached_models()
            started = time.perf_counter()
            cold = await _send_time(db, issue, 1)  # every model read (and the issue vectorized)
            first = time.perf_counter() - started
            warm = [await _send_time(db, issue, 1) for _ in range(RUNS)]
            batched = [await _send_time(db, issue, 8) for _ in range(RUNS)]
            changed = []
            for _ in range(RUNS):  # a day later: a tenth of the readers voted since
                await _retrained(db, CHANGED_SHARE)
                changed.append(await _send_time(db, issue, 1))
            sizes = await _sizes(db)
        finally:
            await db.dispose()
    wall = [statistics.median(t[0] for t in runs) for runs in (off, on)]
    cpu = [statistics.median(t[1] for t in runs) for runs in (off, on)]
    row = {
        name: statistics.median(t[1] for t in runs)
        for name, runs in (("cached", warm), ("batch8", batched), ("tenth", changed))
    }
    row["cold"] = cold[1]
    return {
        "chats": CHATS, "papers": ISSUE, "runs": RUNS,
        "plan_seconds": round(wall[0], 3), "plan_for_you_seconds": round(wall[1], 3),
        "added_pct": round(100 * (wall[1] / wall[0] - 1), 1),
        "plan_cpu_seconds": round(cpu[0], 3), "plan_for_you_cpu_seconds": round(cpu[1], 3),
        "added_cpu_pct": round(100 * (cpu[1] / cpu[0] - 1), 1), "nothing_matched_rows_kept": kept,
        "send_rows": SEND_ROWS, "first_send_time_pass_seconds_with_vectorizing": round(first, 3),
        **{f"order_cpu_us_per_row_{k}": round(1e6 * v, 1) for k, v in row.items()},
        "order_wall_us_per_row_cached": round(1e6 * statistics.median(t[0] for t in warm), 1),
        **{
            f"order_vs_telegram_row_pct_{k}": round(100 * v / TELEGRAM_ROW_SECONDS, 2)
            for k, v in row.items()
        },
        **sizes,
    }  # fmt: skip


async def _retrained(db: Database, share: float) -> None:
    """As if `share` of the readers had voted since the last plan: their stamps move, so
    planning reads their models again (the weights stay the bench's)."""
    async with db.session() as session:
        await session.execute(
            update(ReaderModel)
            .where(ReaderModel.chat_id % round(1 / share) == 0)
            .values(trained_revision=ReaderModel.trained_revision + 1)
        )


async def _sizes(db: Database) -> dict[str, object]:
    async with db.session() as session:
        models = (await session.execute(select(ReaderModel.indices, ReaderModel.weights))).all()
        vectors = (await session.execute(select(PaperVector.indices, PaperVector.values))).all()
        vocab = await session.scalar(select(RankingVocab.frequencies))
    per_model = statistics.mean(len(i) + len(w) for i, w in models)
    per_vector = statistics.mean(len(i) + len(v) for i, v in vectors)
    return {
        "model_bytes_mean": round(per_model), "vector_bytes_mean": round(per_vector),
        "idf_bytes": len(vocab or b""),
    }  # fmt: skip


def main() -> dict[str, object]:
    figures, models = quality()
    print(f"day 10: {figures['day10']}")
    print(f"nDCG@5 +{figures['ndcg_relative_gain_pct']}%, P@5 +{figures['p5_relative_gain_pct']}%")
    print(f"training per reader: {figures['train_ms_median']} ms median wall")
    cost = asyncio.run(delivery(models))
    print(f"delivery of {CHATS} × {ISSUE}: {cost}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"quality": figures, "delivery": cost, "peak_rss_mb": round(peak, 1)}
