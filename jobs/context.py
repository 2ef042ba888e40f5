"""What a scheduled job runs with: settings, database, and the two callables the front end injects.

Jobs never import a front end; the composition root (`cli/run.py`) hands over `publish`
(deliver issue N as `actor`, return a one-line report) and `notify_admins` (post an HTML line
to the admin chat). Either may be missing: a process without delivery cannot publish, and one
without an admin chat only logs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from core.config import Settings
from domain.errors import DigestError
from storage.db import Database
from storage.types import utcnow

JobName = Literal["fetch", "compose", "publish", "auto_publish"]
JOB_NAMES: tuple[JobName, ...] = ("fetch", "compose", "publish", "auto_publish")
Trigger = Literal["schedule", "admin", "cli"]
PublishFn = Callable[[int, str], Awaitable[str]]
NotifyFn = Callable[[str], Awaitable[None]]
DraftFn = Callable[[int], Awaitable[None]]

# A running job's row is refreshed every HEARTBEAT_EVERY; silent for STALE_AFTER, its holder
# is dead and the next trigger takes the run over (see `jobs.runs`).
HEARTBEAT_EVERY = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    db: Database
    publish: PublishFn | None = None
    notify_admins: NotifyFn | None = None
    # Called with a new draft's number: the front end posts its preview with review buttons.
    on_draft: DraftFn | None = None
    clock: Callable[[], datetime] = field(default=utcnow)
    stale_after: timedelta = STALE_AFTER
    heartbeat_every: timedelta = HEARTBEAT_EVERY


@dataclass(frozen=True)
class JobOutcome:
    """What a job body did: a plain-text summary for job_runs and logs, and the HTML notice
    for the admins (None: nothing worth a message). `ok` False records the run as failed."""

    summary: str
    notice: str | None = None
    ok: bool = True


def describe_error(exc: BaseException) -> str:
    """One line for admins and job_runs: our own errors' message, else the type and text."""
    if isinstance(exc, DigestError):
        return exc.user_message
    return f"{type(exc).__name__}: {exc}"[:300]
