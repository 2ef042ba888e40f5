"""One access token for every instance and client of an account: the WeChat Official Account.

WeChat invalidates the previous access token when a new one is fetched, so two instances (or
two API clients in one process) that each fetched their own would keep invalidating each other.
Here the token lives in the database (`shared_tokens`) with its expiry: whoever finds it
missing, expiring or refused fetches a new one while holding the name's lock
(`storage.queries.shared_tokens.lock`), and everyone else waits for and uses that one. The
table holds a live credential, like the rest of the database it must be kept private.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.db import Database
from storage.queries import shared_tokens
from storage.types import utcnow

# Fetches a new token: (value, seconds it is valid for).
Fetch = Callable[[], Awaitable[tuple[str, float]]]


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime  # already shortened by the margin: refresh at or after this


class DatabaseTokens:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db, self.clock = db, clock

    async def token(
        self, name: str, fetch: Fetch, *, refused: str | None = None, margin: float = 0.0
    ) -> Token:
        """The shared token of `name`: the stored one while it is fresh and not `refused`,
        else a new one from `fetch` (by exactly one caller at a time, across instances)."""
        async with self.db.session() as session:
            found = await shared_tokens.read(session, name=name)
        if self._usable(found, refused):
            assert found is not None
            return Token(*found)
        async with self.db.session() as session:
            await shared_tokens.lock(session, name=name)
            found = await shared_tokens.read(session, name=name)
            if self._usable(found, refused):  # another instance refreshed it meanwhile
                assert found is not None
                return Token(*found)
            value, valid_for = await fetch()
            expires = self.clock() + timedelta(seconds=max(0.0, valid_for - margin))
            await shared_tokens.save(session, name=name, value=value, expires_at=expires)
        return Token(value, expires)

    def _usable(self, found: tuple[str, datetime] | None, refused: str | None) -> bool:
        return found is not None and found[0] != refused and found[1] > self.clock()
