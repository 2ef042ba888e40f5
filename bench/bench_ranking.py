"""Personal relevance benchmark (issue 13): does each reader's own model beat the LLM's order,
and what does it cost?

`python -m bench ranking`. Quality: `tests/ranking_sim.py`'s simulation on real abstracts
(`../shared/fixtures/arxiv-days`): `BENCH_RANKING_READERS` (default 60) readers with hidden
interests (2–3 categories or keyword sets) vote with 10 % noise on the 50-paper issue they are
shown, 10 days; after each day, nDCG@5 and precision@5 of their own order of the next day's
papers against the LLM-score order (goal: ≥ 30 % better by day 10). Cost: training time per
reader (wall and CPU), then one delivery of a 50-paper issue to `BENCH_RANKING_CHATS` (default
5,000) readers on SQLite, every one with a trained model (the simulated readers' models, dealt
round-robin): `plan_deliveries` with "for you" off and on (alternating, median of 5, wall
and CPU; the first "on" run, which also vectorizes the issue's papers, reported apart), goal
≤ 10 % added; then with no model in memory (all read), and, five times, after a tenth of the
readers' models changed (as on a day when they voted). Memory: peak
RSS of this process and the stored bytes per model, per paper vector and of the IDF counts.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, select, update

from bot.telegram.targets import TelegramTargets
from core.services import ranking_plan
from core.services.delivery import plan_deliveries
from domain.types import IssueStatus, IssueView, PaperMeta
from storage.db import Database
from storage.models import Chat
from storage.models_ranking import PaperVector, RankingVocab, ReaderModel
from storage.queries.issues import NewItem, create_issue, get_issue_view
from storage.queries.papers import upsert_papers
from tests.planning_world import store_chats
from tests.ranking_sim import load_days, simulate

READERS = int(os.environ.get("BENCH_RANKING_READERS", "60"))
CHATS = int(os.environ.get("BENCH_RANKING_CHATS", "5000"))
DAYS, SEED, ISSUE, RUNS = 10, 7, 50, 5
CHANGED_SHARE = 0.1


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


async def _timed(db: Database, issue: IssueView, min_feedback: int | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one plan: the CPU seconds (this process, the database thread
    included) are the steadier figure on a shared machine."""
    started, cpu = time.perf_counter(), time.process_time()
    await plan_deliveries(
        db, issue=issue, targets=TelegramTargets(), for_you_min_feedback=min_feedback
    )
    return time.perf_counter() - started, time.process_time() - cpu


async def delivery(models: list[object]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-ranking-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await db.upgrade()
            issue = await _world(db, models)
            first_on = await _timed(db, issue, 5)  # vectorizes the issue's 50 papers too
            off, on = [], []
            for _ in range(RUNS):  # alternating, so load from elsewhere falls on both
                off.append(await _timed(db, issue, None))
                on.append(await _timed(db, issue, 5))
            ranking_plan.forget_cached_models()
            cold = await _timed(db, issue, 5)  # every model read from the database
            changed = []
            for _ in range(RUNS):  # a day later: a tenth of the readers voted since
                await _retrained(db, CHANGED_SHARE)
                changed.append(await _timed(db, issue, 5))
            sizes = await _sizes(db)
        finally:
            await db.dispose()
    wall = [statistics.median(t[0] for t in runs) for runs in (off, on)]
    cpu = [statistics.median(t[1] for t in runs) for runs in (off, on)]
    return {
        "chats": CHATS, "papers": ISSUE, "runs": RUNS,
        "plan_seconds": round(wall[0], 3), "plan_for_you_seconds": round(wall[1], 3),
        "added_pct": round(100 * (wall[1] / wall[0] - 1), 1),
        "plan_cpu_seconds": round(cpu[0], 3), "plan_for_you_cpu_seconds": round(cpu[1], 3),
        "added_cpu_pct": round(100 * (cpu[1] / cpu[0] - 1), 1),
        "first_for_you_seconds_with_vectorizing": round(first_on[0], 3),
        "for_you_no_cached_model_seconds": round(cold[0], 3),
        "for_you_no_cached_model_cpu_seconds": round(cold[1], 3),
        "for_you_tenth_retrained_seconds": round(statistics.median(t[0] for t in changed), 3),
        "for_you_tenth_retrained_cpu_seconds": round(statistics.median(t[1] for t in changed), 3),
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
