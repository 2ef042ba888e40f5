"""Admin jobs that outlive the command: /fetch, /publish and a broadcast run as tasks.

A handler that awaited them would hold its chat's turn (a chat's updates are handled in
order) for minutes, so the command answers at once and the task reports when done. One task
per name at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class BackgroundJobs:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def start(self, name: str, work: Callable[[], Awaitable[None]]) -> bool:
        """Run `work()` as task `name`; False (nothing started) while one by that name runs."""
        if self.running(name):
            return False
        task = asyncio.create_task(self._guarded(name, work), name=f"admin:{name}")
        self._tasks[name] = task
        return True

    async def wait(self) -> None:
        """Until every started task has finished (tests, and a clean shutdown)."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Shutdown: cancel what still runs and wait until each has wound down, so a job's run
        is recorded as cancelled (and its database connection returned) before the front end
        and the database close under it."""
        for task in self._tasks.values():
            task.cancel()
        await self.wait()

    @staticmethod
    async def _guarded(name: str, work: Callable[[], Awaitable[None]]) -> None:
        try:
            await work()
        except Exception:  # the task's own reporting failed: nobody else would see it
            log.exception("admin job %s failed", name)
