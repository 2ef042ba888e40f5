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

    ref = args.ref
    view = await review.approve(db, number=ref.number, admin_id=CLI_ACTOR, kind=ref.kind)
    number, included = view.number, len(view.included_items)
    # the 公众号 draft, if configured (dailies: a weekly's article is the editor's to make)
    draft = await create_draft(settings, db, number=number) if ref.token.isdigit() else None
    follow_ups = [draft] if draft else []
    shown = ref.label("zh")
    line = f"approved {shown} ({included} papers); to publish: digestbot publish {ref.token}"
    print("; ".join([line, *follow_ups]))
    return 0


async def cmd_reject(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    reason = args.reason if args.reason and args.reason.strip() else DEFAULT_REASON
    ref = args.ref
    await review.reject(db, number=ref.number, admin_id=CLI_ACTOR, reason=reason, kind=ref.kind)
    print(f"rejected {ref.label('zh')}: {' '.join(reason.split())}")
    return 0
