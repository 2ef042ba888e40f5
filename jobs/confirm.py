"""Confirm accepted parts for every worker of a delivery run, many rows per statement.

At paid rates (up to 1000 messages/s) one ledger `UPDATE` and commit per message was about a
third of a sending process's CPU. Workers therefore hand their confirmations to one
`Confirmations` per run and wait for them; a flusher writes whatever has gathered in one
statement and one commit (`storage.queries.deliveries.record_parts`), fenced row by row as
before. A worker still moves on (next part, next row) only once its part is committed.

The window this widens (see `jobs.deliver`): a part accepted by the platform waits at most
`LINGER` plus the flush already under way plus its own flush before it is committed —
a few milliseconds more than one statement, never a row's later parts, since a worker sends
nothing else until its confirmation is back.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from storage.db import Database
from storage.queries import deliveries as ledger
from storage.queries.deliveries import ConfirmedPart

LINGER = 0.005  # seconds a flush waits for more confirmations to join it
MAX_ROWS = 500  # confirmations per statement at most


class Confirmations:
    """`record(part)` → True once committed; False: the row's lease was lost (fenced out)."""

    def __init__(self, db: Database, *, linger: float = LINGER) -> None:
        self.db, self.linger = db, linger
        self._pending: list[tuple[ConfirmedPart, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, part: ConfirmedPart) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((part, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all(), name="ledger-confirmations")
        return await future

    async def close(self) -> None:
        """Write what is still pending (a cancelled worker's part was accepted all the same)."""
        if self._flusher is not None:
            with suppress(Exception):
                await self._flusher

    async def _flush_all(self) -> None:
        try:
            await self._flush_pending()
        except BaseException as exc:  # cancelled: nobody may wait forever on a confirmation
            batch, self._pending = self._pending, []
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            raise

    async def _flush_pending(self) -> None:
        while self._pending:
            await asyncio.sleep(self.linger)
            batch, self._pending = self._pending[:MAX_ROWS], self._pending[MAX_ROWS:]
            try:
                recorded = await ledger.record_parts(self.db, [part for part, _ in batch])
            except Exception as exc:  # the workers raise it: their rows go back to pending
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                raise
            for part, future in batch:
                if not future.done():  # its worker may have been cancelled meanwhile
                    future.set_result(part.delivery_id in recorded)
