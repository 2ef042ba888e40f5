"""What a job runs with: settings, database, and what the composition root injects.

Jobs never import a front end; the composition root (`cli/`) hands over `publish` (deliver
issue N as `actor`, return a one-line report), `platforms` (the configured platforms' senders,
`jobs.platforms.Platforms`) and `notify_admins` (tell the admins; the front end
renders the notice's content). Any may be missing: a process without delivery cannot publish,
and one without an admin chat only logs. `JobParams` are what one run is asked (`publish 3`,
`fetch --ids …`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from core.config import Settings
from domain.content import Content
from domain.errors import DigestError
from domain.types import IssueKind
from storage.db import Database
from storage.types import utcnow

if TYPE_CHECKING:
    from jobs.platforms import Platforms

JobName = Literal[
    "fetch",
    "compose",
    "publish",
    "auto_publish",
    "pipeline",
    "publish_issue",
    "fetch_only",
    "rank_index",
    "rank_refresh",
    "weekly",
]
# The scheduled jobs (`digestbot schedule --run` choices). The others run on demand: the
# pipeline, one issue published (`publish N`) and a fetch without summarizing (`digestbot
# fetch`); named apart so they never count as the scheduled job's run (`jobs.missed`).
JOB_NAMES: tuple[JobName, ...] = ("fetch", "compose", "publish", "auto_publish", "weekly")
Trigger = Literal["schedule", "admin", "cli"]


class PublishFn(Protocol):
    """Publish issue `number` as `actor` everywhere (a daily unless `kind` says weekly)."""

    def __call__(self, number: int, actor: str, kind: IssueKind = ..., /) -> Awaitable[str]: ...


NotifyFn = Callable[[Content], Awaitable[None]]
DraftFn = Callable[[int], Awaitable[None]]
Progress = Callable[[int, int], Awaitable[None]]  # (sent, total) while an issue is delivered

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
    # The configured platforms, for runs that publish one issue (`publish N`, admin /publish).
    platforms: Platforms | None = None
    clock: Callable[[], datetime] = field(default=utcnow)
    stale_after: timedelta = STALE_AFTER
    heartbeat_every: timedelta = HEARTBEAT_EVERY


@dataclass(frozen=True)
class JobParams:
    """What one run is asked beyond its job's default (the scheduled run takes none).

    publish_issue: issue `number`, as `actor`, reporting `progress`.
    fetch_only: `since`/`until`/`ids` as `digestbot fetch` takes them."""

    number: int | None = None
    actor: str | None = None
    progress: Progress | None = None
    since: date | None = None
    until: date | None = None
    ids: Sequence[str] = ()
    kind: IssueKind = IssueKind.DAILY  # publish_issue: a daily, or weekly round-up `number`


@dataclass(frozen=True)
class JobOutcome:
    """What a job body did: a plain-text summary for job_runs and logs, and the notice for
    the admins (content that the front end telling them renders; None: nothing worth a
    message). `ok` False records the run as failed."""

    summary: str
    notice: Content | None = None
    ok: bool = True
    # The job's own result for the caller who asked (the composed issue, each platform's
    # report), so the CLI prints what it always printed.
    value: object = None


def describe_error(exc: BaseException) -> str:
    """One line for admins and job_runs: our own errors' message, else the type and text."""
    if isinstance(exc, DigestError):
        return exc.user_message
    return f"{type(exc).__name__}: {exc}"[:300]
