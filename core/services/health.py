"""Is the database fit to serve: the rule behind `/readyz`'s "database" check, and the
delivery queue `/metrics` reports, so front ends ask a service instead of the database.

Ready means: the database answers, and its schema is the one this code expects (migrations at
head; a process started against a database another version migrated further, or one whose
SQLite file was deleted under it, is not ready). Failures are described in a few words, never
with SQL or a URL, since the probe's answer is public to whoever can reach the port.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from storage import health as storage_health
from storage.db import Database

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0  # seconds; a probe that hangs is a failed probe


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    detail: str  # "ok", or what is wrong in a few words


async def database_ready(db: Database) -> CheckResult:
    """The database answers within PROBE_TIMEOUT and its migrations are at head."""
    if storage_health.sqlite_file_missing(db):
        return CheckResult(False, "database file missing")
    try:
        state = await asyncio.wait_for(storage_health.schema_state(db), PROBE_TIMEOUT)
    except TimeoutError:
        return CheckResult(False, "database timed out")
    except Exception as error:  # down, refused, locked: the class name says enough
        log.warning("readiness: database check failed (%s)", type(error).__name__)
        return CheckResult(False, f"database unavailable ({type(error).__name__})")
    if not state.current:
        return CheckResult(False, "migrations not applied")
    if not state.at_head:
        return CheckResult(False, "migrations not at head")
    return CheckResult(True, "ok")


async def delivery_queue_depth(db: Database) -> dict[str, int]:
    """{platform: deliveries waiting in the ledger}; raises when the database does not answer."""
    return await asyncio.wait_for(storage_health.waiting_deliveries(db), PROBE_TIMEOUT)
