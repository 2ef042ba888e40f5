"""Publish an issue: check it may go out, mark it published, plan the ledger, deliver.

`publish_issue` is the one entry point for the CLI (`digestbot publish N`), the admin
`/publish N` command and the scheduler. It never imports a front end: the caller hands over a
`Sender` (Telegram: `bot.telegram.sender.TelegramSender`), which also plans its platform's
targets (`core.sending.Targeting`). Calling it again for a published
issue resumes the unfinished deliveries and sends nothing twice (see `jobs.deliver`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace

from core.config_groups import DeliverySettings
from core.sending import PaidBroadcaster, Sender
from core.services import review
from core.services.delivery import NOTE, publish_plan
from domain.types import IssueKind, IssueStatus, IssueView
from jobs.deliver import STALE_AFTER, Deliverer, PlatformUnavailable, Progress, report_progress
from jobs.paid import PaidAllowance
from storage.db import Database
from storage.queries import deliveries as ledger
from storage.queries import send_budget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishReport:
    """The issue's ledger after this run (all runs together), and what this run did."""

    number: int
    targets: int  # ledger rows: the channel, subscribers and notes
    sent: int  # targets that got the issue (channel + subscribers)
    notes: int  # chats with no matching paper that got the one-line note
    skipped: int  # chats with no matching paper and no note
    failed: int  # permanent errors (bad request, chat not found…), see deliveries.last_error
    blocked: int  # the chat blocked the bot; it is marked inactive
    pending: int  # left unfinished (the platform stayed unavailable): publish again to resume
    messages: int  # messages this run sent
    resumed: int  # rows an earlier, interrupted run left mid-delivery (possible duplicates ≤)
    newly_published: bool  # False: this platform had it before and this run resumed it
    duration: float  # seconds
    stopped: str | None = None  # why this run stopped early, if it did
    paid: int = 0  # of `messages`, sent as paid broadcasts (TELEGRAM_PAID_BROADCAST)
    paid_total: int = 0  # paid messages the issue used on this platform, every run together

    @property
    def message(self) -> str:
        """One line for an admin or a terminal."""
        head = "published" if self.newly_published else "resumed"
        text = (
            f"第{self.number}期 {head}: {self.sent + self.notes}/{self.targets} delivered "
            f"({self.sent} issues, {self.notes} notes), {self.skipped} skipped, "
            f"{self.failed} failed, {self.blocked} blocked, {self.messages} messages "
            f"in {self.duration:.1f}s"
        )
        if self.paid_total:
            text += f", {self.paid} paid ({self.paid_total} paid for this issue in all)"
        if self.pending:
            text += f"; {self.pending} unfinished — run publish {self.number} again"
        return text + (f" (stopped: {self.stopped})" if self.stopped else "")


async def publish_issue(
    delivery: DeliverySettings,
    db: Database,
    sender: Sender,
    *,
    number: int,
    actor: str,
    progress: Progress | None = None,
    stale_after: float = STALE_AFTER,
    kind: IssueKind = IssueKind.DAILY,
) -> PublishReport:
    """Publish issue `number` to every target on `sender.platform`; see the module docstring.

    Raises NotFound (no such issue) and InvalidInput (rejected; a draft while REQUIRE_APPROVAL;
    no included papers), from `core.services.review.publishable`. `actor` ("telegram:123",
    "cli", "scheduler") goes to the audit log.
    `progress(done_targets, total_targets)` is awaited every 5% or 10 s, and at the end.
    """
    started = time.monotonic()
    issue = await review.publishable(
        db, number=number, language=delivery.language,
        require_approval=delivery.require_approval, kind=kind,
    )  # fmt: skip
    for_you = delivery.for_you_min_feedback if delivery.for_you else None
    newly = await _plan(db, sender, issue, actor, for_you)
    deliverer = Deliverer(
        db, sender, issue.id, issue.number, delivery.language, stale_after=stale_after,
        paid=_paid_allowance(delivery, db, sender, issue.id), kind=kind,
        for_you=for_you,
    )  # fmt: skip
    stopped = await _deliver(deliverer, delivery.concurrency, progress)
    report = await _report(deliverer, issue, newly, time.monotonic() - started)
    report = replace(report, stopped=stopped)
    log.info("%s", report.message)
    return report


def _paid_allowance(
    delivery: DeliverySettings, db: Database, sender: Sender, issue_id: int
) -> PaidAllowance | None:
    """Paid broadcasts for this issue's parts, when enabled and the platform has them."""
    if not (delivery.paid_broadcast and isinstance(sender, PaidBroadcaster)):
        return None
    return PaidAllowance(
        db, issue_id=issue_id, platform=sender.platform, cap=delivery.paid_max_messages
    )


async def _plan(
    db: Database, sender: Sender, issue: IssueView, actor: str, for_you: int | None
) -> bool:
    """Write the platform's ledger unless this is a resume; True when it was planned now (the
    issue's first publication on this platform, whether or not another platform had it first)."""
    if issue.status is IssueStatus.PUBLISHED and await _has_ledger(db, issue, sender.platform):
        return False
    return await publish_plan(db, issue=issue, targets=sender, actor=actor, for_you=for_you)


async def _has_ledger(db: Database, issue: IssueView, platform: str) -> bool:
    async with db.session() as session:
        return await ledger.count_deliveries(session, issue_id=issue.id, platform=platform) > 0


async def _deliver(deliverer: Deliverer, concurrency: int, progress: Progress | None) -> str | None:
    """Run the workers (and the progress reporter); why they stopped early, or None."""
    counts = await _counts(deliverer)
    total = sum(counts.values())
    already = sum(n for (_, status), n in counts.items() if status in ledger.FINAL)
    stop = asyncio.Event()
    reporter = None
    if progress is not None:
        assert deliverer.tally is not None
        reporter = asyncio.create_task(
            report_progress(progress, deliverer.tally, already=already, total=total, stop=stop)
        )
    try:
        await deliverer.run(concurrency)
    except ExceptionGroup as group:
        unavailable, other = group.split(PlatformUnavailable)
        if other is not None:
            raise _first(other) from group  # e.g. a wrong token: the caller sees the real error
        assert unavailable is not None
        return str(_first(unavailable))
    finally:
        stop.set()
        if reporter is not None:
            await reporter
    return None


async def _counts(deliverer: Deliverer) -> dict[tuple[str, str], int]:
    async with deliverer.db.session() as session:
        return await ledger.status_counts(
            session, issue_id=deliverer.issue_id, platform=deliverer.sender.platform
        )


async def _report(
    deliverer: Deliverer, issue: IssueView, newly: bool, duration: float
) -> PublishReport:
    counts = await _counts(deliverer)
    async with deliverer.db.session() as session:
        paid_total = await send_budget.paid_used(
            session, issue_id=issue.id, platform=deliverer.sender.platform
        )
    by_status: dict[str, int] = {}
    for (_, status), n in counts.items():
        by_status[status] = by_status.get(status, 0) + n
    notes = counts.get((NOTE, ledger.SENT), 0)
    assert deliverer.tally is not None
    return PublishReport(
        number=issue.number,
        targets=sum(counts.values()),
        sent=by_status.get(ledger.SENT, 0) - notes,
        notes=notes,
        skipped=by_status.get(ledger.SKIPPED, 0),
        failed=by_status.get(ledger.FAILED, 0),
        blocked=by_status.get(ledger.BLOCKED, 0),
        pending=by_status.get(ledger.PENDING, 0) + by_status.get(ledger.SENDING, 0),
        messages=deliverer.tally.messages,
        resumed=deliverer.tally.resumed,
        newly_published=newly,
        duration=round(duration, 3),
        paid=deliverer.tally.paid,
        paid_total=paid_total,
    )


def _first(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
