"""`digestbot approve N` / `reject N`: review from a shell, for deployments without a chat admin.

Telegram may be blocked where the bot runs, and the console needs the bot's process; the shell
always works. Both call the review service the admin commands use, under the actor `cli`, and
print one line. Refusals (no such issue, already published, nothing included) are our
`DigestError`s: `cli.main` prints their one line and exits 1.
"""

from __future__ import annotations

import argparse

from core.config import Settings
from core.services import review
from domain.identity import CLI_ACTOR
from storage.db import Database

DEFAULT_REASON = "rejected from the command line (no reason given)"


async def cmd_approve(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from bot.wechat.draft import create_draft

    view = await review.approve(db, number=args.number, admin_id=CLI_ACTOR)
    number, included = view.number, len(view.included_items)
    draft = await create_draft(settings, db, number=number)  # the 公众号 draft, if configured
    follow_ups = [draft] if draft else []
    line = f"approved 第{number}期 ({included} papers); to publish: digestbot publish {number}"
    print("; ".join([line, *follow_ups]))
    return 0


async def cmd_reject(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    reason = args.reason if args.reason and args.reason.strip() else DEFAULT_REASON
    view = await review.reject(db, number=args.number, admin_id=CLI_ACTOR, reason=reason)
    print(f"rejected 第{view.number}期: {' '.join(reason.split())}")
    return 0
