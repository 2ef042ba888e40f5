"""One `digestbot run` per SQLite file: an OS lock on `<database>.run.lock`, held for life.

SQLite is the embedded default for one instance. Two bot processes on one file would both run
the schedule and both answer chats; the job_runs overlap guard keeps their jobs apart, but not
the rest. So `run` takes an exclusive, non-blocking `fcntl.flock` on a file beside the database
and keeps it until the process ends. The kernel drops the lock when the holder dies, even by
kill -9, so a crash never leaves a stale lock behind (a pid file would). `fcntl` is in the
standard library; the `filelock` package is not installed and adds nothing on POSIX, which is
where digestbot runs (Linux, Docker). One-off CLI commands do not take the lock, and neither do
in-memory databases or PostgreSQL (several instances belong there: docs/deploy.md).

The file records who holds it (pid, host, since when), for the refusal's one line.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from domain.errors import StartupRefused

FIX = "use PostgreSQL for several instances, see docs/deploy.md"


class AnotherInstance(StartupRefused):
    """Start-up refused: another process already serves this database or bot token. The
    message is the operator's one line (`cli.startup` prints it, exit status 2)."""


def lock_path(database_url: str) -> Path | None:
    """`<database>.run.lock` for a SQLite file; None for PostgreSQL and in-memory SQLite."""
    url = make_url(database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:") or "mode=memory" in str(url.query):
        return None  # a URI filename: shared-cache memory databases and the like
    return Path(name).with_name(Path(name).name + ".run.lock")


@contextmanager
def single_run(database_url: str) -> Iterator[None]:
    """Hold the run lock of a SQLite DATABASE_URL for the block; raise `AnotherInstance` with
    the holder's pid, host and start when another process has it."""
    path = lock_path(database_url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _lock_or_refuse(fd, path)
        _record_holder(fd)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _lock_or_refuse(fd: int, path: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise AnotherInstance(refusal_line(path, _holder(fd))) from None


def refusal_line(path: Path, holder: str) -> str:
    database = path.with_name(path.name.removesuffix(".run.lock"))
    running = f" ({holder})" if holder else ""
    return (
        f"DATABASE_URL: another digestbot is already running on {database}{running}; "
        f"SQLite serves one instance — stop it, or {FIX}"
    )


def _record_holder(fd: int) -> None:
    since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    text = f"pid {os.getpid()} on {socket.gethostname()}, since {since}\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode(), 0)


def _holder(fd: int) -> str:
    """What the holder wrote; empty if it has not written yet (it is starting right now)."""
    try:
        return os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        return ""
