"""`digestbot db upgrade|backup|copy`: parse, call `storage.transfer`, print.

Kept apart from `cli.commands` so the operator tools read as one unit. A URL given on the
command line is not among the configured secrets the redactor knows, so it is only ever
printed through `safe_url` (password hidden).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.config import Settings
from domain.errors import InvalidInput
from storage.db import Database
from storage.transfer import backup_sqlite, copy_database, safe_url


async def cmd_db(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "backup":
        return await _backup(args, db)
    if args.action == "copy":
        return await _copy(args, db)
    print("database is at the latest migration")
    return 0


async def _backup(args: argparse.Namespace, db: Database) -> int:
    if not args.out:
        raise InvalidInput("db backup needs --out FILE")
    report = await backup_sqlite(db, out=Path(args.out), force=args.force)
    print(report.line())
    return 0


async def _copy(args: argparse.Namespace, db: Database) -> int:
    if not args.to:
        raise InvalidInput("db copy needs --to URL (the target database)")
    target = Database(args.to)
    try:
        report = await copy_database(db, target)
    finally:
        await target.dispose()
    print("\n".join(report.table()))
    if report.mismatched:
        print(f"row counts differ in: {', '.join(report.mismatched)}")
        return 1
    print(f"copied {safe_url(db.url)} to {safe_url(target.url)}; search index rebuilt")
    return 0
