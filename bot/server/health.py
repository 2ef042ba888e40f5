"""`/healthz` (the process serves) and `/readyz` (it can do its work), for Docker, systemd
watchdogs, load balancers and Kubernetes.

Liveness touches nothing: a database outage must not get the process restarted in a loop.
Readiness runs every registered check: the database (answers, migrations at head: asked of
`core.services.health`, front ends never query) and, in Telegram modes, Telegram reachable — a
`getMe` cached for 30 s (`CachedProbe`), so a probe every few seconds is not a Bot API call
each. 200 with each check's state when all pass, 503 with the same body when one fails.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from core.services.health import CheckResult, database_ready
from storage.db import Database

Check = Callable[[], Awaitable[CheckResult]]

PROBE_TTL = 30.0  # seconds a successful remote check is trusted
FAILED_TTL = 5.0  # a failed one is asked again sooner, so recovery shows quickly
PROBE_TIMEOUT = 5.0


class Readiness:
    """The named checks behind /readyz; a front end adds its own once it has started."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    def expect(self, name: str) -> None:
        """`name` will be added once it starts; until then it fails ("starting")."""
        self._checks[name] = _starting

    def add_database(self, db: Database) -> None:
        self.add("database", lambda: database_ready(db))

    async def results(self) -> dict[str, CheckResult]:
        names = list(self._checks)
        found = await asyncio.gather(*(self._checks[name]() for name in names))
        return dict(zip(names, found, strict=True))


async def _starting() -> CheckResult:
    return CheckResult(False, "starting")


class CachedProbe:
    """A remote call as a check: asked at most once per PROBE_TTL (FAILED_TTL after a failure),
    concurrent probes sharing one call, each bounded by PROBE_TIMEOUT."""

    def __init__(self, call: Callable[[], Awaitable[object]]) -> None:
        self._call = call
        self._lock = asyncio.Lock()
        self._result: CheckResult | None = None
        self._until = 0.0

    async def __call__(self) -> CheckResult:
        async with self._lock:
            if self._result is not None and time.monotonic() < self._until:
                return self._result
            try:
                await asyncio.wait_for(self._call(), PROBE_TIMEOUT)
                result = CheckResult(True, "ok")
            except Exception as error:  # unreachable, refused, timed out: the class says which
                result = CheckResult(False, f"unreachable ({type(error).__name__})")
            self._result = result
            self._until = time.monotonic() + (PROBE_TTL if result.ok else FAILED_TTL)
            return result


def health_routes(readiness: Readiness) -> list[Route]:
    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        results = await readiness.results()
        ready = all(result.ok for result in results.values())
        body = {"ready": ready, "checks": {name: r.detail for name, r in results.items()}}
        return JSONResponse(body, status_code=200 if ready else 503)

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
