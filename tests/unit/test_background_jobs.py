"""Admin jobs that outlive their command end with the front end: cancelled, and waited for."""

from __future__ import annotations

import asyncio

from bot.commands.background import BackgroundJobs


async def test_stop_cancels_running_jobs_and_waits_for_their_clean_up() -> None:
    jobs, started, cleaned = BackgroundJobs(), asyncio.Event(), []

    async def publish() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:  # what run_job does when cancelled: record the run, then end
            await asyncio.sleep(0.01)
            cleaned.append("publish")

    assert jobs.start("publish", publish)
    await started.wait()
    assert not jobs.start("publish", publish)  # one task per name at a time
    await jobs.stop()
    assert cleaned == ["publish"] and not jobs.running("publish")


async def test_stop_with_nothing_running_returns_at_once() -> None:
    jobs = BackgroundJobs()
    await asyncio.wait_for(jobs.stop(), timeout=1)
    assert not jobs.running("fetch")
