"""`storage.transfer`: online SQLite backups and whole-database copies, on real databases."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from domain.errors import InvalidInput
from storage.db import Database
from storage.models import AuditLog, Paper
from storage.transfer import TABLES, backup_sqlite, copy_database, count_rows
from tests.factories import make_paper, store_paper
from tests.integration.transfer_helpers import fill, search_ids


async def _write_until(db: Database, stop: asyncio.Event) -> int:
    written = 0
    while not stop.is_set():
        async with db.session() as session:
            session.add(AuditLog(actor="writer", action="tick", detail={"n": written}))
        written += 1
        await asyncio.sleep(0)
    return written


async def test_backup_is_consistent_while_a_writer_writes(
    sqlite_db: Database, tmp_path: Path
) -> None:
    await fill(sqlite_db)
    stop = asyncio.Event()
    writer = asyncio.create_task(_write_until(sqlite_db, stop))
    await asyncio.sleep(0.05)
    report = await backup_sqlite(sqlite_db, out=tmp_path / "backup.db")
    stop.set()
    written = await writer
    with sqlite3.connect(report.path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert report.rows["papers"] == 12 and 1 <= report.rows["audit_log"] <= written + 1
    assert report.size == report.path.stat().st_size
    assert "backup written to" in report.line() and f"{len(TABLES)} tables" in report.line()


async def test_a_backup_opens_as_a_database_with_its_search(
    sqlite_db: Database, tmp_path: Path
) -> None:
    await fill(sqlite_db)
    report = await backup_sqlite(sqlite_db, out=tmp_path / "b" / "backup.db")
    restored = Database(f"sqlite+aiosqlite:///{report.path}")
    try:
        await restored.upgrade()
        assert await search_ids(restored) == await search_ids(sqlite_db)
    finally:
        await restored.dispose()


async def test_backup_refuses_an_existing_file_unless_forced(
    sqlite_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "backup.db"
    out.write_text("keep me")
    with pytest.raises(InvalidInput, match="already exists; pass --force"):
        await backup_sqlite(sqlite_db, out=out)
    assert out.read_text() == "keep me"
    report = await backup_sqlite(sqlite_db, out=out, force=True)
    assert report.rows["papers"] == 0 and not out.with_name("backup.db.partial").exists()


async def test_backup_refuses_postgresql(postgres_db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="pg_dump"):
        await backup_sqlite(postgres_db, out=tmp_path / "backup.db")
    assert not (tmp_path / "backup.db").exists()


async def test_copy_to_postgresql_keeps_every_row_and_search(
    sqlite_db: Database, postgres_db: Database
) -> None:
    await fill(sqlite_db)
    before = await search_ids(sqlite_db)
    report = await copy_database(sqlite_db, postgres_db, batch=5)
    assert report.mismatched == []
    assert all(report.source[table.name] > 0 for table in TABLES)
    assert report.target == await count_rows(sqlite_db)
    assert await search_ids(postgres_db) == before
    assert "MISMATCH" not in "\n".join(report.table())


async def test_after_a_copy_new_rows_get_new_ids(
    sqlite_db: Database, postgres_db: Database
) -> None:
    await fill(sqlite_db)
    await copy_database(sqlite_db, postgres_db)
    async with postgres_db.session() as session:
        top = await session.scalar(select(func.max(Paper.id)))
        paper_id = await store_paper(session, make_paper())
        session.add(AuditLog(actor="cli", action="after-copy"))
    assert top is not None and paper_id > top


async def test_copy_refuses_a_target_with_rows(sqlite_db: Database, postgres_db: Database) -> None:
    await fill(sqlite_db, papers=2)
    async with postgres_db.session() as session:
        session.add(AuditLog(actor="someone", action="was here"))
    with pytest.raises(InvalidInput, match=r"not empty \(audit_log: 1\)"):
        await copy_database(sqlite_db, postgres_db)
    assert (await count_rows(postgres_db))["papers"] == 0


async def test_copy_between_sqlite_files(sqlite_db: Database, tmp_path: Path) -> None:
    await fill(sqlite_db)
    target = Database(f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}")
    try:
        report = await copy_database(sqlite_db, target, batch=1)  # a page per row: every key
        assert report.mismatched == [] and report.target["papers"] == 12
        assert report.target["paid_broadcasts"] == 2  # paged over its two-column key
        assert await search_ids(target) == await search_ids(sqlite_db)
    finally:
        await target.dispose()
