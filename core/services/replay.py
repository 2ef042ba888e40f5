"""Replay refusal for signed callbacks: has this nonce been used within the window?

A front end (the WeChat callback) asks here instead of opening a session itself; the answer
comes from the database, so it holds across restarts and between instances.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Database
from storage.queries.nonces import remember_nonce


async def first_use(
    db: Database, *, scope: str, nonce: str, now: datetime, window: timedelta
) -> bool:
    """True (and remembered) the first time; False when `nonce` was seen within `window`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    async with db.session() as session:
        return await remember_nonce(session, scope=scope, nonce=nonce, now=now, window=window)
