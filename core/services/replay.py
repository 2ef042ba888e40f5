"""Replay refusal for signed callbacks: has this nonce been used within the window?

A front end (the WeChat callback) asks here instead of opening a session itself; the answer
comes from the database, so it holds across restarts and between instances. Only a hash of the
nonce is stored, so neither the table nor a driver's DEBUG log of the INSERT repeats a value
that was part of a request's signature.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from storage.db import Database
from storage.queries.nonces import remember_nonce


def nonce_key(nonce: str) -> str:
    """What is stored for `nonce`: 64 hex characters, whatever the nonce looked like."""
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


async def first_use(
    db: Database, *, scope: str, nonce: str, now: datetime, window: timedelta
) -> bool:
    """True (and remembered) the first time; False when `nonce` was seen within `window`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    async with db.session() as session:
        return await remember_nonce(
            session, scope=scope, nonce=nonce_key(nonce), now=now, window=window
        )
