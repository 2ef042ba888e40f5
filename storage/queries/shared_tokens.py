"""Credentials every instance shares (the WeChat access token): read, lock, save.

`lock` serializes refreshers for one name until commit: a transaction-scoped advisory lock on
PostgreSQL; on SQLite a write, which takes the database's single write lock. The refresher reads
again under the lock, so the one who waited finds the token the first one fetched.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_limits import SharedToken

_KEY = "hashtextextended('digestbot.token:' || current_schema() || ':' || :name, 0)"


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def lock(session: AsyncSession, *, name: str) -> None:
    if _is_postgres(session):
        await session.execute(text(f"SELECT pg_advisory_xact_lock({_KEY})"), {"name": name})
        return
    await session.execute(  # matches no row or changes nothing; takes the write lock either way
        update(SharedToken).where(SharedToken.name == name).values(name=SharedToken.name)
    )


async def read(session: AsyncSession, *, name: str) -> tuple[str, datetime] | None:
    row = (
        await session.execute(
            select(SharedToken.value, SharedToken.expires_at).where(SharedToken.name == name)
        )
    ).first()
    return None if row is None else (row.value, row.expires_at)


async def save(session: AsyncSession, *, name: str, value: str, expires_at: datetime) -> None:
    dialect = postgresql if _is_postgres(session) else sqlite
    statement = dialect.insert(SharedToken).values(name=name, value=value, expires_at=expires_at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": value, "expires_at": expires_at}
        )
    )
