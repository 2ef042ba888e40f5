"""The database handle: one async engine and session factory per process, SQLite or PostgreSQL.

SQLite gets WAL, foreign keys and a busy timeout so the bot, the scheduler and a CLI command can
share the file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def normalize_url(url: str) -> str:
    """Pick our async drivers for plain `sqlite://` and `postgresql://` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """Owns the engine; `session()` opens a unit of work that commits on success."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalize_url(url)
        self.engine: AsyncEngine = create_async_engine(
            self.url, echo=echo, **_engine_args(self.url)
        )
        if self.is_sqlite:
            _ensure_sqlite_dir(self.url)
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def pinned_session(self) -> AsyncIterator[AsyncSession]:
        """A session on a connection of its own for the whole block, for state that lives with
        a connection (PostgreSQL session-level locks); commit as you go. The connection is
        closed afterwards, never pooled, so nothing it held outlives the block."""
        async with self.engine.connect() as connection:
            try:
                async with AsyncSession(bind=connection, expire_on_commit=False) as session:
                    yield session
            finally:
                await connection.invalidate()

    async def upgrade(self) -> None:
        """Apply Alembic migrations up to head (idempotent)."""
        from storage.migrate import upgrade_connection

        async with self.engine.begin() as connection:
            await connection.run_sync(upgrade_connection)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _engine_args(url: str) -> dict[str, Any]:
    if make_url(url).get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
