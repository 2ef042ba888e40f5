"""The process's Prometheus metrics, defined once; jobs and senders record, `/metrics` reads.

In core because the jobs record them (job runs, LLM usage, fetches) and jobs never import a
front end. They live in a `CollectorRegistry` of ours, not prometheus_client's global one, so
nothing a library registers there leaks into `/metrics`; counters only ever grow, so a test
reads the change it caused (`value()` before and after), never an absolute number.

- messages sent / failed / rate-limited (429) per platform: `CountedSender` wraps every sender
  the publishing job gets (`cli.platforms`), so what the delivery loop sees is what is counted;
- the delivery queue: a gauge set from the ledger at scrape time (`bot.server.metrics`);
- job runs and their durations by job and outcome (`jobs.runs.run_job`);
- LLM tokens and cost (`jobs.summarize`), fetch runs and fetched papers (`jobs.fetch`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from core.sending import (
    ChatRow,
    NewDelivery,
    PaidBroadcaster,
    Part,
    PartSender,
    Sender,
    SendRateLimited,
)
from domain.types import ChatState, IssueView

T = TypeVar("T", str, Part)  # what one send carries: a text, or a whole part

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # memory, CPU, open files: the usual process_* series
PlatformCollector(registry=REGISTRY)

MESSAGES_SENT = Counter(
    "digestbot_messages_sent", "Messages a platform accepted.", ["platform"], registry=REGISTRY
)
MESSAGES_FAILED = Counter(
    "digestbot_messages_failed",
    "Sends that failed (blocked, refused, or to be retried).",
    ["platform"],
    registry=REGISTRY,
)
MESSAGES_RATE_LIMITED = Counter(
    "digestbot_messages_rate_limited",
    "Sends the platform refused with flood control (HTTP 429 / its rate-limit code).",
    ["platform"],
    registry=REGISTRY,
)
DELIVERY_QUEUE = Gauge(
    "digestbot_delivery_queue_depth",
    "Ledger deliveries waiting to be sent (pending or sending), read at scrape time.",
    ["platform"],
    registry=REGISTRY,
)
SCHEDULE_LEADER = Gauge(
    "digestbot_schedule_leader",
    "1 while this instance leads the schedule (one per fleet on PostgreSQL), else 0.",
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "digestbot_job_runs", "Job runs by job and outcome.", ["job", "outcome"], registry=REGISTRY
)
JOB_SECONDS = Histogram(
    "digestbot_job_duration_seconds",
    "How long job runs took, by job and outcome.",
    ["job", "outcome"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, float("inf")),
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "digestbot_llm_tokens", "LLM tokens used, by direction.", ["direction"], registry=REGISTRY
)
LLM_COST = Counter("digestbot_llm_cost_usd", "LLM cost in US dollars.", registry=REGISTRY)
FETCH_RUNS = Counter(
    "digestbot_fetch_runs", "arXiv fetch runs by mode and status.", ["mode", "status"],
    registry=REGISTRY,
)  # fmt: skip
FETCHED_PAPERS = Counter(
    "digestbot_fetched_papers",
    "Papers stored by fetches: new, updated or unchanged.",
    ["result"],
    registry=REGISTRY,
)


def exposition() -> tuple[bytes, str]:
    """Every metric in Prometheus's text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def value(name: str, **labels: str) -> float:
    """One sample's current value (0 when never recorded); for tests and `digestbot check`."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def record_job(job: str, outcome: str, seconds: float) -> None:
    JOB_RUNS.labels(job=job, outcome=outcome).inc()
    JOB_SECONDS.labels(job=job, outcome=outcome).observe(seconds)


def record_llm(tokens_in: int, tokens_out: int, cost_usd: float) -> None:
    if tokens_in or tokens_out:
        LLM_TOKENS.labels(direction="input").inc(tokens_in)
        LLM_TOKENS.labels(direction="output").inc(tokens_out)
        LLM_COST.inc(cost_usd)


def record_fetch(mode: str, status: str, *, inserted: int, updated: int, unchanged: int) -> None:
    FETCH_RUNS.labels(mode=mode, status=status).inc()
    for result, count in (("new", inserted), ("updated", updated), ("unchanged", unchanged)):
        FETCHED_PAPERS.labels(result=result).inc(count)


def set_queue_depth(depth: dict[str, int], platforms: Sequence[str] = ()) -> None:
    """The gauge from one ledger read; configured `platforms` with nothing waiting show 0."""
    DELIVERY_QUEUE.clear()
    for platform in {*platforms, *depth}:
        DELIVERY_QUEUE.labels(platform=platform).set(depth.get(platform, 0))


class CountedSender:
    """A `Sender` that counts each send's outcome under its platform, and otherwise is the
    sender it wraps (anything else asked of it is the wrapped sender's)."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender
        self.platform = sender.platform

    def own_targets(self, issue: IssueView) -> list[NewDelivery]:
        return self._sender.own_targets(issue)

    def chat_targets(self, chats: Sequence[ChatState], chat_row: ChatRow) -> list[NewDelivery]:
        return self._sender.chat_targets(chats, chat_row)

    def render(self, issue: IssueView, *, language: str) -> list[str]:
        return self._sender.render(issue, language=language)

    async def send(self, target: str, text: str) -> str:
        return await self._counted(self._sender.send, target, text)

    async def send_part(self, target: str, part: Part, *, paid: bool = False) -> str:
        """Only reached when the wrapped sender is a `PartSender` (the job checks)."""
        parted = cast(PartSender, self._sender)
        return await self._counted(partial(parted.send_part, paid=paid), target, part)

    async def _counted(self, send: Callable[[str, T], Awaitable[str]], target: str, text: T) -> str:
        try:
            message_id = await send(target, text)
        except SendRateLimited:
            MESSAGES_RATE_LIMITED.labels(platform=self.platform).inc()
            MESSAGES_FAILED.labels(platform=self.platform).inc()
            raise
        except Exception:
            MESSAGES_FAILED.labels(platform=self.platform).inc()
            raise
        MESSAGES_SENT.labels(platform=self.platform).inc()
        return message_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sender, name)


class CountedPaidSender(CountedSender):
    """A counted sender whose platform also sells paid broadcasts: those are counted too."""

    async def send_paid(self, target: str, text: str) -> str:
        paid = cast(PaidBroadcaster, self._sender)
        return await self._counted(paid.send_paid, target, text)


def counted(senders: Sequence[Sender]) -> list[Sender]:
    return [_counted_one(s) for s in senders]


def _counted_one(sender: Sender) -> Sender:
    if isinstance(sender, CountedSender):
        return sender
    if isinstance(sender, PaidBroadcaster):  # only then: `isinstance` must stay truthful
        return CountedPaidSender(sender)
    return CountedSender(sender)
