"""Nonces of signed requests, remembered for a window so a replayed request is refused.

Kept in the database rather than in memory so a replay is refused after a restart and by
another instance behind the same URL. Whether a nonce is new is decided by the insert itself
(ON CONFLICT DO NOTHING on the unique (scope, nonce)), so two requests racing with the same
nonce cannot both win, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_limits import SeenNonce


async def remember_nonce(
    session: AsyncSession, *, scope: str, nonce: str, now: datetime, window: timedelta
) -> bool:
    """True the first time `nonce` is seen in `scope` within `window`; False for a replay.

    Rows of `scope` older than the window are pruned first, so a nonce may come back once its
    window has passed (its signature's timestamp is stale by then anyway).
    """
    await session.execute(
        delete(SeenNonce).where(SeenNonce.scope == scope, SeenNonce.seen_at < now - window)
    )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(SeenNonce)
        .values(scope=scope, nonce=nonce, seen_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "nonce"])
        .returning(SeenNonce.id)
    )
    return (await session.execute(statement)).first() is not None


async def count_nonces(session: AsyncSession, *, scope: str) -> int:
    """How many nonces of `scope` are remembered (so pruning can be observed)."""
    total = await session.scalar(
        select(func.count()).select_from(SeenNonce).where(SeenNonce.scope == scope)
    )
    return int(total or 0)
