"""The fleet's leader lock: which instance runs the schedule (PostgreSQL only).

A session-level advisory lock, `pg_try_advisory_lock`, taken on a connection the leader keeps
for its whole life (`Database.pinned_session`). PostgreSQL frees it the moment that session
ends — a clean exit, a crash, a SIGKILL (the kernel closes the socket) — so a follower's next
try wins. Two guards for a session that is gone without anyone saying so:

- the leader pings its connection (`still_leading`) and steps down when that fails;
- the session asks the server to end it when idle for longer than `IDLE_LIMIT` (the leader
  pings well within it) and to probe the client's TCP socket, so a partitioned leader's lock is
  freed by the server within about a minute too.

The key hashes the schema in, like the run locks in `job_runs`, so schemas sharing a database
(tests, staging beside production) each have their own leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

IDLE_LIMIT_SECONDS = 45
_KEY = "hashtextextended('digestbot.leader:' || current_schema(), 0)"
# Advisory locks are per database; pg_locks shows every database's.
_THIS_LOCK = (
    "locktype = 'advisory' AND objsubid = 1 AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    f" AND ((classid::bigint << 32) | objid::bigint) = {_KEY}"
)
_GUARDS = (
    f"SET idle_session_timeout = '{IDLE_LIMIT_SECONDS}s'",
    "SET tcp_keepalives_idle = 10",
    "SET tcp_keepalives_interval = 5",
    "SET tcp_keepalives_count = 3",
)


async def prepare(session: AsyncSession) -> None:
    """Once per leader connection, before the first `try_lead`: the guards above."""
    for statement in _GUARDS:
        await session.execute(text(statement))
    await session.commit()


async def try_lead(session: AsyncSession) -> bool:
    """Take the leader lock on this session's connection if it is free; True when held."""
    held = bool(await session.scalar(text(f"SELECT pg_try_advisory_lock({_KEY})")))
    await session.commit()  # the lock outlives the transaction; an open one must not
    return held


async def still_leading(session: AsyncSession) -> bool:
    """Whether this connection still holds the lock (raises when the connection is gone)."""
    held = bool(
        await session.scalar(
            text(
                f"SELECT EXISTS (SELECT 1 FROM pg_locks"
                f" WHERE {_THIS_LOCK} AND pid = pg_backend_pid())"
            )
        )
    )
    await session.commit()
    return held


async def leader_pid(session: AsyncSession) -> int | None:
    """The backend pid of the session that holds the leader lock, or None: no leader now."""
    pid = await session.scalar(text(f"SELECT pid FROM pg_locks WHERE {_THIS_LOCK} LIMIT 1"))
    return None if pid is None else int(pid)


@dataclass(frozen=True)
class LeaderSession:
    """Who leads, as PostgreSQL sees it (for `digestbot check`)."""

    pid: int
    client: str  # the instance's address, "local" over a Unix socket
    since: datetime | None


async def leader_session(session: AsyncSession) -> LeaderSession | None:
    row = (
        await session.execute(
            text(
                "SELECT l.pid, host(a.client_addr) AS client, a.backend_start"
                " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                f" WHERE {_THIS_LOCK} LIMIT 1"
            )
        )
    ).first()
    if row is None:
        return None
    return LeaderSession(int(row.pid), row.client or "local", row.backend_start)
