"""Work through an issue's delivery ledger: bounded concurrency, one row per worker at a time.

Exactly-once from the reader's view, as far as a platform without idempotency keys allows:

- A worker claims a row (status "sending", `attempts` + 1 becomes its fencing token) and keeps
  the lease alive with a heartbeat; another run takes a row over only after its heartbeat has
  been silent for `stale_after` seconds, so two runs never send to one target at once.
- Parts go out in order; each is committed to the ledger (`messages_sent`, `message_ids`)
  before its worker sends anything else: the run's `jobs.confirm.Confirmations` writes the
  parts its workers had confirmed within `LINGER` (5 ms) in one statement, fenced row by row.
  A resumed row continues after the last confirmed part, so confirmed parts are never sent
  again and nobody is skipped.
- A part is one message of any kind: text, or a photo with its caption and buttons
  (`core.sending.Part`, from a `PartSender`). A row's parts are a deterministic rendering of
  (language, papers, edition), so the ledger's parts count is the same on every run and a
  resumed row gets the same list.
- "For you" (`for_you`: the feedback a reader needs) happens here, not in planning: a reader's
  row is ordered by their model when it is first claimed, and the order is written into the
  row in the claim's transaction, before any part (`core.services.sendtime`); a row already
  ordered or partly sent is never reordered, so its parts stay the same list. A reader's row
  planned without papers (kept for recommendations) that got none is `skipped`, unsent.
- The one window no ledger can close is between the platform accepting a part and our commit
  (`LINGER` + at most two flushes: a few milliseconds; at most one part per row, never a
  row's later parts; Telegram's Bot API has neither an idempotency key nor a way to read a
  private chat back). A part in that window is unconfirmed, and we send it again: at-least-once
  for that part. The other choice would silently drop papers, and it would drop far more than
  it saves: the in-flight mark is necessarily written before the rate limiter's wait, so at a
  crash most "in flight" parts were never sent at all. Interrupted rows are counted in
  `Tally.resumed`, the upper bound of possible duplicates. Ambiguous network errors (a read
  timeout after the request left) follow the same rule: the sender reports them as retryable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from core.sending import (
    PaidBroadcaster,
    Part,
    PartSender,
    SendBlocked,
    Sender,
    SendFailed,
    SendRetryLater,
)
from core.services.chats import mark_blocked
from core.services.delivery import NOTE, SUBSCRIBER, no_match_note
from core.services.sendtime import SendTimeOrder
from domain.types import IssueKind, IssueView
from jobs.alongside import running_alongside
from jobs.confirm import Confirmations
from jobs.paid import PaidAllowance
from storage.db import Database
from storage.queries import deliveries as ledger
from storage.queries.deliveries import ClaimedDelivery, ConfirmedPart
from storage.queries.issues import get_issue_view
from storage.types import utcnow

log = logging.getLogger(__name__)

Progress = Callable[[int, int], Awaitable[None]]
SendFn = Callable[[str, Part], Awaitable[str]]
CLAIM_BATCH = 8  # rows claimed per round trip on PostgreSQL (queued while they wait: ≪ STALE_AFTER)
CLAIM_BATCH_PAID = 24  # …while paid broadcasts go out (1000/s): still ≪ STALE_AFTER at 30/s
RENDERED = 256  # distinct (language, paper set) renderings kept per run
STALE_AFTER = 10.0  # seconds of heartbeat silence before another run may take a row over
HEARTBEAT_EVERY = 2.0
MAX_TRIES = 8  # per part, for flood waits and transient errors
MAX_WAIT = 120.0  # seconds, per retry
PROGRESS_STEP = 0.05  # report every 5% of the targets…
PROGRESS_EVERY = 10.0  # …or every 10 seconds, whichever comes first


class LeaseLost(Exception):
    """Another run took this row over (our heartbeat was too late): it owns the row now."""


class PlatformUnavailable(Exception):
    """A part kept failing transiently after every retry: stop, leave the rest pending."""


@dataclass
class Tally:
    """What this run did: finished targets (by any final status), parts sent, rows resumed."""

    done: int = 0
    messages: int = 0
    resumed: int = 0
    paid: int = 0  # of `messages`, sent as paid broadcasts


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    hint = error.retry_after if isinstance(error, SendRetryLater) else 1.0
    backoff = 0.5 * 2 ** (state.attempt_number - 1)  # grows under repeated failures
    return min(MAX_WAIT, max(hint, backoff if state.attempt_number > 1 else 0.0))


def _log_retry(target: str) -> Callable[[RetryCallState], None]:
    """One line per flood wait or transient error, never a traceback: they are expected."""

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        text = str(error).splitlines()[0] if error and str(error) else type(error).__name__
        log.warning(
            "send to %s: %s; retrying in %.1f s (try %d of %d)",
            target, text, wait, state.attempt_number + 1, MAX_TRIES,
        )  # fmt: skip

    return log_retry


@dataclass
class Deliverer:
    """One run over one issue's ledger on `sender.platform`."""

    db: Database
    sender: Sender
    issue_id: int
    number: int
    default_language: str
    stale_after: float = STALE_AFTER
    paid: PaidAllowance | None = None  # paid broadcasts under the issue's cap, if enabled
    for_you: int | None = None  # readers with this many marks get their own order (None: off)
    tally: Tally | None = None
    kind: IssueKind = IssueKind.DAILY  # dailies and weeklies are numbered apart

    def __post_init__(self) -> None:
        self.tally = Tally()
        self._claim_lock = asyncio.Lock()
        self._claimed: deque[ClaimedDelivery] = deque()  # claimed ahead, not started yet
        self._ending: set[int] = set()  # rows whose last part is being recorded (and ended)
        self._views: dict[str, IssueView] = {}
        self._view_lock = asyncio.Lock()
        self._confirmations = Confirmations(self.db)
        # Readers share a few paper lists: render each (language, ordered papers, edition) once
        # per run, not per row. With "for you" ordering lists differ per reader, so fewer are.
        self._render = lru_cache(maxsize=RENDERED)(self._render_uncached)
        self._parted = self.sender if isinstance(self.sender, PartSender) else None
        self._order: SendTimeOrder | None = None

    async def run(self, concurrency: int) -> Tally:
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(concurrency):
                    group.create_task(self._worker())
        finally:
            await asyncio.shield(self._confirmations.close())
            await asyncio.shield(self._release_claimed())
            if self.paid is not None:
                await asyncio.shield(self.paid.close())
        assert self.tally is not None
        return self.tally

    async def _worker(self) -> None:
        while (row := await self._next()) is not None:
            await self._deliver(row)

    async def _next(self) -> ClaimedDelivery | None:
        """The next row to work on; waits out leases of rows a stopped run left "sending"."""
        while True:
            async with self._claim_lock:
                if self._claimed:
                    return self._claimed.popleft()
                stale_before = utcnow() - timedelta(seconds=self.stale_after)
                order = await self._send_time_order()
                async with self.db.session() as session:
                    rows = await self._claim(session, stale_before)
                    if rows and order is not None:
                        rows = await order.claimed(session, rows)
                    oldest = None if rows else await ledger.oldest_lease(
                        session, issue_id=self.issue_id, platform=self.sender.platform
                    )  # fmt: skip
                if rows:
                    self._claimed.extend(rows[1:])
                    return rows[0]
            if oldest is None:
                return None
            await asyncio.sleep(min(1.0, max(0.05, (oldest - stale_before).total_seconds())))

    async def _claim(self, session: AsyncSession, stale_before: datetime) -> list[ClaimedDelivery]:
        """PostgreSQL: a few rows at once with SKIP LOCKED, so instances share the issue without
        waiting on each other; SQLite (one instance): one row by a conditional update."""
        issue_id, platform = self.issue_id, self.sender.platform
        if not self.db.is_sqlite:
            paying = self.paid is not None and not self.paid.exhausted
            return await ledger.claim_batch(
                session, issue_id=issue_id, platform=platform, stale_before=stale_before,
                limit=CLAIM_BATCH_PAID if paying else CLAIM_BATCH,
            )  # fmt: skip
        row = await ledger.claim_one(
            session, issue_id=issue_id, platform=platform, stale_before=stale_before
        )
        return [row] if row is not None else []

    async def _send_time_order(self) -> SendTimeOrder | None:
        """The issue's "for you" scorer, prepared on first use (None: "for you" is off)."""
        if self.for_you is None or self._order is not None:
            return self._order
        view = await self._view(self.default_language)
        papers = [item.paper.id for item in view.included_items]
        async with self.db.session() as session:
            self._order = await SendTimeOrder.prepare(
                session, paper_ids=papers, min_feedback=self.for_you
            )
        return self._order

    async def _release_claimed(self) -> None:
        """Rows claimed ahead and never started go back to pending for the next run."""
        while self._claimed:
            await self._finish(self._claimed.popleft(), ledger.PENDING, None)

    async def _deliver(self, row: ClaimedDelivery) -> None:
        assert self.tally is not None
        self.tally.resumed += row.interrupted
        try:
            async with running_alongside(self._heartbeat(row)):
                status, error = await self._outcome(row)
        except LeaseLost:
            log.warning("delivery %s was taken over by another run", row.id)
            return
        except BaseException as exc:  # crash, cancel, platform down: the next run resumes
            await self._finish(row, ledger.PENDING, f"interrupted: {exc!r}"[:500])
            raise
        finally:
            self._ending.discard(row.id)
        if status is not None:  # None: the last part's record already ended the row
            await self._finish(row, status, error)
        self.tally.done += 1

    async def _outcome(self, row: ClaimedDelivery) -> tuple[str | None, str | None]:
        if row.kind == SUBSCRIBER and not row.paper_ids:  # kept for recommendations; none
            return ledger.SKIPPED, None
        try:
            if await self._send_parts(row):
                return None, None
        except SendBlocked as exc:
            if row.chat_id is not None:
                await mark_blocked(self.db, platform=self.sender.platform, chat_id=row.target)
            return ledger.BLOCKED, str(exc)[:500]
        except SendFailed as exc:
            log.warning("delivery to %s failed: %s", row.target, exc)
            return ledger.FAILED, str(exc)[:500]
        return ledger.SENT, None

    async def _send_parts(self, row: ClaimedDelivery) -> bool:
        """Send the parts not yet confirmed, recording each; True when the last one's record
        also marked the row sent (one write instead of two: the common case)."""
        parts = await self._parts(row)
        ids = list(row.message_ids[: row.messages_sent])
        for message in parts[row.messages_sent :]:
            ids.append(await self._send(row.target, message))
            assert self.tally is not None
            self.tally.messages += 1
            last = len(ids) == len(parts)
            if last:
                self._ending.add(row.id)
            part = ConfirmedPart(row.id, row.token, tuple(ids), len(parts), last=last)
            if not await self._confirmations.record(part):
                raise LeaseLost(row.id)
        return len(parts) > row.messages_sent

    async def _send(self, target: str, part: Part) -> str:
        """One part: a paid broadcast while the issue's cap allows (and the sender can), else
        at the free rate."""
        sender, paid = self.sender, self.paid
        if paid is None or not isinstance(sender, PaidBroadcaster) or not await paid.take():
            return await self._send_retrying(self._send_fn(paid=False), target, part)
        try:
            message_id = await self._send_retrying(self._send_fn(paid=True), target, part)
        except BaseException:
            paid.put_back()
            raise
        paid.spent()
        assert self.tally is not None
        self.tally.paid += 1
        return message_id

    def _send_fn(self, *, paid: bool) -> SendFn:
        """How a part leaves: whole (a `PartSender`), else as its text."""
        parted, sender = self._parted, self.sender
        if parted is not None:
            return lambda target, part: parted.send_part(target, part, paid=paid)
        if paid:
            broadcaster = cast(PaidBroadcaster, sender)
            return lambda target, part: broadcaster.send_paid(target, part.text)
        return lambda target, part: sender.send(target, part.text)

    async def _send_retrying(self, send: SendFn, target: str, part: Part) -> str:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(SendRetryLater),
            stop=stop_after_attempt(MAX_TRIES),
            wait=_wait,
            before_sleep=_log_retry(target),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await send(target, part)
        except SendRetryLater as exc:
            raise PlatformUnavailable(f"{target}: {exc}") from exc
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _parts(self, row: ClaimedDelivery) -> tuple[Part, ...]:
        language = row.language or self.default_language
        if row.kind == NOTE:
            return (Part(no_match_note(self.number, language)),)
        await self._view(language)
        edition = self._parted.edition(row.kind, row.target) if self._parted else ""
        return self._render(language, tuple(row.paper_ids), edition, row.recommended or ())

    def _render_uncached(
        self, language: str, papers: tuple[int, ...], edition: str, recommended: tuple[int, ...]
    ) -> tuple[Part, ...]:
        """The issue with the row's papers in the row's order (the issue's, or the reader's
        own with "for you" ordering), its recommendations marked, in the row's edition."""
        view = self._views[language]
        by_id = {item.paper.id: item for item in view.items}
        items = tuple(
            replace(by_id[paper_id], recommended=paper_id in recommended)
            for paper_id in papers if paper_id in by_id
        )  # fmt: skip
        issue = replace(view, items=items)
        if self._parted is not None:
            return tuple(self._parted.render_parts(issue, language=language, edition=edition))
        return tuple(Part(text) for text in self.sender.render(issue, language=language))

    async def _view(self, language: str) -> IssueView:
        async with self._view_lock:
            if language not in self._views:
                async with self.db.session() as session:
                    view = await get_issue_view(
                        session, number=self.number, language=language, kind=self.kind
                    )
                assert view is not None, "the issue was checked before delivery started"
                self._views[language] = view
            return self._views[language]

    async def _heartbeat(self, row: ClaimedDelivery) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            async with self.db.session() as session:
                if not await ledger.heartbeat(session, delivery_id=row.id, token=row.token):
                    if row.id not in self._ending:  # not just our own final record
                        log.warning("lost the lease on delivery %s", row.id)
                    return

    async def _finish(self, row: ClaimedDelivery, status: str, error: str | None) -> None:
        async with self.db.session() as session:
            await ledger.finish(
                session, delivery_id=row.id, token=row.token, status=status, error=error
            )


async def report_progress(
    progress: Progress, tally: Tally, *, already: int, total: int, stop: asyncio.Event
) -> None:
    """Call `progress(done, total)` every 5% or 10 s while `stop` is unset, then once more."""
    reported, last = -1, time.monotonic()
    step = max(1, int(total * PROGRESS_STEP))
    while not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)
        done = already + tally.done
        due = done - reported >= step or time.monotonic() - last >= PROGRESS_EVERY
        if done != reported and (due or stop.is_set()):
            await _safe(progress, done, total)
            reported, last = done, time.monotonic()


async def _safe(progress: Progress, done: int, total: int) -> None:
    try:
        await progress(done, total)
    except Exception:  # an admin chat hiccup must not stop a delivery
        log.warning("progress callback failed", exc_info=True)
