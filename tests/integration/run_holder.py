"""A process that claims a `publish` run and holds it until killed: the crash the takeover tests
need. `python -m tests.integration.run_holder DATABASE_URL` prints `holding <run id>` once its
run is claimed (and, on PostgreSQL, its run lock taken), then waits forever inside the job."""

from __future__ import annotations

import asyncio
import sys

from core.config import Settings
from jobs.context import JobContext
from jobs.runs import run_job
from storage.db import Database


async def _hold(url: str) -> None:
    db = Database(url)

    async def publish(number: int, actor: str) -> str:
        print("holding", flush=True)
        await asyncio.Event().wait()
        return "unreachable"

    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    await run_job("publish", JobContext(settings, db, publish=publish), trigger="cli")


if __name__ == "__main__":
    asyncio.run(_hold(sys.argv[1]))
