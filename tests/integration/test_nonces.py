"""Replay refusal in the database: a nonce is good once per window, on SQLite and PostgreSQL,
across handles (a restart or a second instance) and under concurrent use."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from core.services.replay import first_use
from storage.db import Database
from storage.queries.nonces import count_nonces, remember_nonce

WINDOW = timedelta(minutes=10)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_each_nonce_is_first_once_within_the_window(db: Database) -> None:
    nonces = [secrets.token_hex(5) for _ in range(60)] + ["0", "a" * 64, "A-b_9"]
    for step, nonce in enumerate(nonces):
        now = T0 + timedelta(seconds=step)
        assert await first_use(db, scope="wechat", nonce=nonce, now=now, window=WINDOW)
    for nonce in nonces:  # replays, up to the window's last second
        for later in (timedelta(0), timedelta(seconds=1), WINDOW - timedelta(minutes=2)):
            now = T0 + later
            assert not await first_use(db, scope="wechat", nonce=nonce, now=now, window=WINDOW)


async def test_a_nonce_is_good_again_once_its_window_has_passed(db: Database) -> None:
    for offset in range(10):
        nonce, first = f"n{offset}", T0 + timedelta(hours=offset)
        assert await first_use(db, scope="wechat", nonce=nonce, now=first, window=WINDOW)
        edge = first + WINDOW  # still inside (seen_at == now - window is kept)
        assert not await first_use(db, scope="wechat", nonce=nonce, now=edge, window=WINDOW)
        after = first + WINDOW + timedelta(seconds=1)
        assert await first_use(db, scope="wechat", nonce=nonce, now=after, window=WINDOW)


async def test_old_rows_are_pruned_and_scopes_are_separate(db: Database) -> None:
    for index in range(40):
        await first_use(db, scope="wechat", nonce=f"old{index}", now=T0, window=WINDOW)
        assert await first_use(db, scope="other", nonce=f"old{index}", now=T0, window=WINDOW)
    later = T0 + 2 * WINDOW
    assert await first_use(db, scope="wechat", nonce="fresh", now=later, window=WINDOW)
    async with db.session() as session:
        assert await count_nonces(session, scope="wechat") == 1  # the 40 old ones are gone
        assert await count_nonces(session, scope="other") == 40  # another scope's are not


async def test_a_second_handle_sees_the_same_nonces(db: Database) -> None:
    """A restarted process (or a second instance) opens its own engine on the same database."""
    nonces = [secrets.token_hex(8) for _ in range(20)]
    for nonce in nonces:
        assert await first_use(db, scope="wechat", nonce=nonce, now=T0, window=WINDOW)
    other = Database(db.url)
    try:
        for nonce in nonces:
            assert not await first_use(other, scope="wechat", nonce=nonce, now=T0, window=WINDOW)
    finally:
        await other.dispose()


async def test_concurrent_uses_of_one_nonce_let_exactly_one_through(db: Database) -> None:
    for round_ in range(5):
        nonce = f"race{round_}"
        results = await asyncio.gather(
            *(first_use(db, scope="wechat", nonce=nonce, now=T0, window=WINDOW) for _ in range(8))
        )
        assert sorted(results) == [False] * 7 + [True]


async def test_remember_nonce_inside_a_callers_transaction(db: Database) -> None:
    async with db.session() as session:
        assert await remember_nonce(session, scope="s", nonce="x", now=T0, window=WINDOW)
        assert not await remember_nonce(session, scope="s", nonce="x", now=T0, window=WINDOW)


async def test_naive_times_are_refused(sqlite_db: Database) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await first_use(
            sqlite_db, scope="wechat", nonce="n", now=T0.replace(tzinfo=None), window=WINDOW
        )
