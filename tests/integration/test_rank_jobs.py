"""The ranking jobs on real SQLite and PostgreSQL, through the one runner (`jobs.runs`):
`rank_index` vectorizes each paper once (a backfill, then nothing), `rank_refresh` retrains
the models left behind their readers' feedback, and each run leaves its `job_runs` row."""

from __future__ import annotations

from sqlalchemy import func, select, update

from core.services import ranking
from jobs.runs import run_job
from storage.db import Database
from storage.models_ranking import PaperVector, ReaderModel
from storage.queries.ranking import chat_id_of
from tests.integration.schedule_helpers import context, job_rows
from tests.integration.test_ranking_service import _ids, _teach, _world


async def test_index_backfills_once_then_has_nothing_to_do(db: Database) -> None:
    issue, _ = await _world(db)
    ctx = context(db)
    first = await run_job("rank_index", ctx, trigger="cli")
    again = await run_job("rank_index", ctx, trigger="cli")
    async with db.session() as session:
        vectors = await session.scalar(select(func.count()).select_from(PaperVector))
    assert vectors is not None and vectors >= len(_ids(issue))
    assert first.summary == f"rank: {vectors} new paper vectors"
    assert again.summary == "rank: 0 new paper vectors"
    rows = await job_rows(db)
    assert [(r.name, r.status, r.trigger) for r in rows] == [("rank_index", "ok", "cli")] * 2


async def test_refresh_retrains_only_the_stale_models(db: Database) -> None:
    issue, readers = await _world(db)
    await _teach(db, readers[0], issue)
    await _teach(db, readers[1], issue)
    before = await ranking.rank_for(db, readers[0], _ids(issue))
    async with db.session() as session:  # as if reader 0's last training had failed
        chat = await chat_id_of(session, platform="telegram", external_id=readers[0].chat_id)
        await session.execute(
            update(ReaderModel)
            .where(ReaderModel.chat_id == chat)
            .values(trained_revision=0, indices=None, weights=None)
        )
    assert await ranking.rank_for(db, readers[0], _ids(issue)) == _ids(issue)  # no model now

    result = await run_job("rank_refresh", context(db), trigger="cli")

    assert result.status == "ok"
    assert result.summary.endswith(", 1 reader models retrained")
    assert await ranking.rank_for(db, readers[0], _ids(issue)) == before
    again = await run_job("rank_refresh", context(db), trigger="cli")
    assert again.summary == "rank: 0 new paper vectors, 0 reader models retrained"
