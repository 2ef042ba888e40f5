"""Migration 0005 (fleet) on a database that already recorded a fire time twice: the upgrade keeps
every row, lets the first keep the fire time, and then the unique index holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.migrate import downgrade_connection
from storage.models import JobRun

pytestmark = pytest.mark.fresh_migrations  # Alembic itself runs, not the per-test copy

FIRE = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


async def _add(db: Database, status: str) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(JobRun.__table__).values(
                name="fetch", trigger="schedule", status=status, started_at=FIRE,
                scheduled_for=FIRE,
            )
        )  # fmt: skip


async def test_upgrade_undoubles_old_fire_times_then_refuses_new_ones(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade_connection, "0004")
    for status in ("ok", "ok", "failed", "running"):
        await _add(db, status)  # 0004 had no index: a fire time could be recorded twice
    await db.upgrade()
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(JobRun.id, JobRun.status, JobRun.scheduled_for)
                                   .order_by(JobRun.id))).all()  # fmt: skip
    assert [(status, when) for _, status, when in rows] == [
        ("ok", FIRE), ("ok", None), ("failed", FIRE), ("running", None),
    ]  # fmt: skip
    with pytest.raises(IntegrityError):
        await _add(db, "running")
