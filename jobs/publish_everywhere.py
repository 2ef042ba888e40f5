"""Publishing one issue to every configured platform, with a report line per platform.

Any non-empty set of platforms works on its own, because Telegram is blocked where many
operators live: Telegram (TELEGRAM_BOT_TOKEN), WeCom group robots (WECOM_WEBHOOK_URLS) and
WeChat customer-service digests to followers inside the 48-hour window (WECHAT_APP_ID and
WECHAT_APP_SECRET). Jobs never import a front end, so the composition root hands over a
`Platforms`: which platforms are configured, and their senders while open (the running bot's
Telegram sender, or a fresh one in a process without the bot; `jobs.platforms`).

Whether the issue may go out at all (exists, approved, has papers) is checked once, before
any platform starts, and raises. After that each platform is on its own: platforms deliver
concurrently (Telegram's thousands of subscribers never hold up a WeCom group), each has its
own rows in the one delivery ledger (exactly once per target, resumable per platform), and a
platform's outage — even Telegram unreachable at start — becomes that platform's report line
while the others deliver.
"""

from __future__ import annotations

import asyncio
import logging

from core.config_groups import DeliverySettings
from core.sending import Sender
from core.services import review
from domain.errors import DigestError, InvalidInput
from domain.issue_ref import IssueRef
from domain.types import IssueKind
from jobs.context import Progress, PublishFn
from jobs.platforms import PlatformReport, Platforms, failure, joined
from jobs.publish import publish_issue
from storage.db import Database

log = logging.getLogger(__name__)

NO_PLATFORM = (
    "No platform to publish to: set TELEGRAM_BOT_TOKEN, WECOM_WEBHOOK_URLS, or "
    "WECHAT_APP_ID and WECHAT_APP_SECRET (any one of them is enough)."
)


class PublishIncomplete(DigestError):
    """Some platform failed; the message holds every platform's line (the others did deliver)."""


async def publish_everywhere(
    delivery: DeliverySettings,
    db: Database,
    platforms: Platforms,
    *,
    number: int,
    actor: str,
    progress: Progress | None = None,
    kind: IssueKind = IssueKind.DAILY,
) -> list[PlatformReport]:
    """Issue `number` on every configured platform (`progress` follows the first); a report
    per platform. Raises when there is no platform at all, or when the issue may not go out."""
    if not platforms.configured():
        raise InvalidInput(NO_PLATFORM)
    await review.publishable(
        db, number=number, language=delivery.language,
        require_approval=delivery.require_approval, kind=kind,
    )  # fmt: skip
    async with platforms.open() as opened:
        runs = [
            _publish_one(delivery, db, sender, number, actor, progress if i == 0 else None, kind)
            for i, sender in enumerate(opened.senders)
        ]
        return opened.unavailable + list(await asyncio.gather(*runs))


async def _publish_one(
    delivery: DeliverySettings,
    db: Database,
    sender: Sender,
    number: int,
    actor: str,
    progress: Progress | None,
    kind: IssueKind,
) -> PlatformReport:
    """One platform; whatever goes wrong there is its report, never the others' problem."""
    try:
        report = await publish_issue(
            delivery, db, sender, number=number, actor=actor, progress=progress, kind=kind
        )
    except Exception as error:
        log.warning("publishing issue %s to %s failed: %s", number, sender.platform,
                    failure(error))  # fmt: skip
        return PlatformReport(sender.platform, None, failure(error))
    return PlatformReport(sender.platform, report)


def as_publish_fn(delivery: DeliverySettings, db: Database, platforms: Platforms) -> PublishFn:
    """`publish` for the scheduled jobs. A platform's failure fails the run (raises
    `PublishIncomplete` with every platform's line), so the admins hear of it and can resume."""

    async def publish(number: int, actor: str, kind: IssueKind = IssueKind.DAILY, /) -> str:
        results = await publish_everywhere(
            delivery, db, platforms, number=number, actor=actor, kind=kind
        )
        if any(result.report is None for result in results):
            token = IssueRef(number, kind).token
            raise PublishIncomplete(f"{joined(results)}\n— run `digestbot publish {token}` again")
        return joined(results)

    return publish
