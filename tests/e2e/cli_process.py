"""Run the installed `digestbot` entry point as an operator would: a subprocess with only the
environment the test gives it, in a directory of its own (so no `.env` but the test's)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DIGESTBOT = Path(sys.executable).with_name("digestbot")


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def base_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A clean environment: a SQLite file in `tmp`, quiet library warnings, nothing of ours."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "PTB_TIMEDELTA": "true",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'digestbot.db'}",
        "HTTP_LISTEN": "127.0.0.1:0",  # a free port: tests run in parallel
        **extra,
    }


def digestbot(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60) -> Ran:
    done = subprocess.run(
        [str(DIGESTBOT), *args],
        env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    return Ran(done.returncode, done.stdout, done.stderr)


def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
