"""What a readiness probe asks of the database: does it answer, is its schema at head, and how
many deliveries wait in the ledger.

Kept apart from `queries/` because two of these need more than a session: the SQLite file is
looked at before connecting (connecting would create an empty file in its place), and the
schema revision is Alembic's, compared with the newest migration shipped in `migrations/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, make_url

from storage.db import Database
from storage.migrate import alembic_config
from storage.models import Delivery
from storage.queries.deliveries import PENDING, SENDING


@dataclass(frozen=True, slots=True)
class SchemaState:
    """`current`: the database's revisions (empty: never migrated); `heads`: the code's."""

    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return bool(self.current) and set(self.current) == set(self.heads)


@lru_cache(maxsize=1)
def code_heads() -> tuple[str, ...]:
    """The newest migration(s) this code ships; read once (the files do not change)."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def sqlite_file_missing(db: Database) -> bool:
    """A SQLite database whose file is gone (deleted, or its volume unmounted)."""
    if not db.is_sqlite:
        return False
    name = make_url(db.url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return False
    return not Path(name).is_file()


async def schema_state(db: Database) -> SchemaState:
    """The database's Alembic revision(s) beside the code's; raises when it does not answer."""
    async with db.engine.connect() as connection:
        current = await connection.run_sync(_current_revisions)
    return SchemaState(current=current, heads=code_heads())


def _current_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


async def waiting_deliveries(db: Database) -> dict[str, int]:
    """{platform: ledger rows still to send (pending, or sending now)}."""
    query = (
        select(Delivery.platform, func.count())
        .where(Delivery.status.in_((PENDING, SENDING)))
        .group_by(Delivery.platform)
    )
    async with db.session() as session:
        return {platform: int(n) for platform, n in await session.execute(query)}
