"""Background work that lives exactly as long as a block: a run's heartbeat, a lease's renewal.

Written once because both the job runner and delivery need it, and getting the ending right
matters: the work is cancelled when the block ends (normally or not) and awaited, so it never
outlives the database session or row it refreshes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any


@asynccontextmanager
async def running_alongside(work: Coroutine[Any, Any, object]) -> AsyncIterator[None]:
    """Run `work` as a task while the block runs; cancel and await it when the block ends."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
