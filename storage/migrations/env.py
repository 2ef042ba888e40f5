"""Alembic environment: runs on the caller's connection, or on the URL the caller configured.

It reads no settings itself, so storage stays below `core` (it imports only `domain`).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import Base

target_metadata = Base.metadata


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """The search index (FTS5 shadow tables, tsvector table) is managed by hand, not by models."""
    return not (type_ == "table" and (name or "").startswith("paper_search"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:  # storage reads no settings: the caller says which database (storage.migrate)
        raise RuntimeError("no database: pass a connection or storage.migrate.alembic_config(url)")
    asyncio.run(_run_from_url(url))


main()
