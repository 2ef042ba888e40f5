"""Operator tools over a whole database: an online SQLite backup and a copy to another database.

They live in storage because they speak SQL (the architecture's rule); the CLI only parses
arguments and prints. A backup uses SQLite's own online backup API, so it is a consistent copy
even while the bot writes. A copy migrates the target with Alembic, moves every table in
foreign-key order keeping ids, resets PostgreSQL's id sequences, then rebuilds the search index
with `storage.search` (the FTS5 table has no PostgreSQL equivalent to copy into).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, text, tuple_
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from storage.db import Database
from storage.models import Base, Paper
from storage.search import reindex_papers

BATCH = 500
TABLES: tuple[Table, ...] = tuple(Base.metadata.sorted_tables)  # parents before children


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    rows: dict[str, int]

    def line(self) -> str:
        total = sum(self.rows.values())
        return (
            f"backup written to {self.path} ({self.size:,} bytes):"
            f" {len(self.rows)} tables, {total:,} rows"
        )


@dataclass(frozen=True)
class CopyReport:
    """Rows per table in the source and, after the copy, in the target."""

    source: dict[str, int]
    target: dict[str, int]

    @property
    def mismatched(self) -> list[str]:
        return [name for name, rows in self.source.items() if self.target.get(name) != rows]

    def table(self) -> list[str]:
        width = max(len(name) for name in self.source)
        lines = [f"{'table':<{width}}  {'source':>8}  {'target':>8}"]
        for name, rows in self.source.items():
            mark = "" if self.target.get(name) == rows else "  MISMATCH"
            lines.append(f"{name:<{width}}  {rows:>8}  {self.target.get(name, 0):>8}{mark}")
        return lines


def safe_url(url: str) -> str:
    """A database URL fit to print: the password replaced by `***`."""
    return make_url(url).render_as_string(hide_password=True)


async def backup_sqlite(db: Database, *, out: Path, force: bool = False) -> BackupReport:
    """Copy the live SQLite file to `out` (via a `.partial` file, renamed when complete)."""
    return await asyncio.to_thread(_backup, _sqlite_path(db), out, force)


def _backup(source: str, out: Path, force: bool) -> BackupReport:
    if out.exists() and not force:
        raise InvalidInput(f"{out} already exists; pass --force to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    _backup_file(source, out)
    return BackupReport(path=out, size=out.stat().st_size, rows=_file_counts(out))


def _sqlite_path(db: Database) -> str:
    if not db.is_sqlite:
        raise InvalidInput(
            "db backup is for SQLite; back up PostgreSQL with pg_dump"
            " (e.g. pg_dump -Fc -f digestbot.dump DATABASE)"
        )
    path = make_url(db.url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise InvalidInput("db backup needs a SQLite database file")
    return path


def _backup_file(source: str, out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, out)


def _file_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return {
            table.name: connection.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
            for table in TABLES
        }
    finally:
        connection.close()


async def count_rows(db: Database) -> dict[str, int]:
    """Rows per table of the schema, parents first."""
    async with db.session() as session:
        return {table.name: await _count(session, table) for table in TABLES}


async def _count(session: AsyncSession, table: Table) -> int:
    return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def copy_database(source: Database, target: Database, *, batch: int = BATCH) -> CopyReport:
    """Migrate `target`, refuse it unless empty, copy every row, rebuild search, count both."""
    await _upgrade_target(target)
    await _refuse_non_empty(target)
    async with source.session() as reader, target.session() as writer:
        for table in TABLES:
            await _copy_table(reader, writer, table, batch)
        await _reset_sequences(writer)
        await _reindex(writer)
    return CopyReport(source=await count_rows(source), target=await count_rows(target))


async def _upgrade_target(target: Database) -> None:
    """An unreachable target is said in one line naming it (never its password)."""
    try:
        await target.upgrade()
    except (OperationalError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        password = make_url(target.url).password
        if password:
            reason = reason.replace(str(password), "***")
        raise InvalidInput(f"cannot use the target {safe_url(target.url)}: {reason}") from None


async def _refuse_non_empty(target: Database) -> None:
    filled = {name: rows for name, rows in (await count_rows(target)).items() if rows}
    if filled:
        listed = ", ".join(f"{name}: {rows}" for name, rows in filled.items())
        raise InvalidInput(
            f"the target database is not empty ({listed}); copy only into an empty database"
        )


async def _copy_table(reader: AsyncSession, writer: AsyncSession, table: Table, size: int) -> None:
    """Keyset pages by primary key (one column, `id` or a name, or several, e.g. an issue and a
    platform: compared as a row value), so memory stays bounded whatever the table's size."""
    keys = list(table.primary_key.columns)
    key = keys[0] if len(keys) == 1 else tuple_(*keys)
    last: tuple[Any, ...] | None = None
    while True:
        query = select(table).order_by(*keys).limit(size)
        if last is not None:
            query = query.where(key > (last[0] if len(keys) == 1 else tuple_(*last)))
        rows = [dict(row._mapping) for row in await reader.execute(query)]
        if not rows:
            return
        await writer.execute(insert(table), rows)
        last = tuple(rows[-1][column.name] for column in keys)


async def _reset_sequences(writer: AsyncSession) -> None:
    """Ids were copied as they were: the next generated id must come after the largest."""
    if writer.get_bind().dialect.name != "postgresql":
        return
    for table in (table for table in TABLES if "id" in table.c):
        await writer.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                f' COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


async def _reindex(writer: AsyncSession) -> None:
    paper_ids = list(await writer.scalars(select(Paper.id).order_by(Paper.id)))
    await reindex_papers(writer, paper_ids=paper_ids)
