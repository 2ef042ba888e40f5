"""How jobs plan for and send to a chat platform without importing one: the `Sender` protocol.

The publish and delivery jobs work with any platform through this interface; each front end
provides an implementation and the composition root hands it over. A platform answers two
questions:

- **Who gets the issue** (`Targeting.own_targets`, `Targeting.chat_targets`). The
  platform-neutral rule — which chat gets which papers by topic and digest mode, the no-match
  note — is `core.services.delivery`'s; it streams each platform's receiving chats in batches
  with that rule, and the platform returns its ledger rows: its own targets, ahead of the chats
  (Telegram's channel: `bot/telegram/targets.py`; WeCom's group robots: `bot/wecom/targets.py`),
  and per batch the chats it can reach (WeChat's 48-hour window: `bot/wechat/targets.py`). The
  rows are the ledger's `NewDelivery`, built with `whole_issue_row` and `left_out_row` below.
- **How to send** (`Sender.render`, `Sender.send`). Implementations translate their platform's
  errors into the three below.

A platform whose messages carry more than text (Telegram: a photo with a caption, buttons)
is also a `PartSender`: it names the edition a ledger row gets (`edition(kind, target)`: the
channel's, a private chat's, a group's), renders that edition as `Part`s and sends a `Part`.
The delivery job renders each distinct (language, papers, edition) once and sends part by
part, so a photo is a part like any message: confirmed on its own, never sent twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from domain.fulltext import FigureView
from domain.types import ChatState, IssueView
from storage.queries import deliveries as ledger
from storage.queries.deliveries import NewDelivery

__all__ = [
    "ChatRow",
    "NewDelivery",
    "PaidBroadcaster",
    "Part",
    "PartButton",
    "PartSender",
    "SendBlocked",
    "SendFailed",
    "SendRateLimited",
    "SendRetryLater",
    "Sender",
    "Targeting",
    "left_out_row",
    "whole_issue_row",
]

ChatRow = Callable[[ChatState], NewDelivery]
"""The platform-neutral row of one chat: its papers by topic, a note, or skipped. Plain
computation: the batch's topics are read and the issue's papers matched before it is called."""


class SendBlocked(Exception):
    """The recipient blocked us or removed us: stop sending there (and mark the chat)."""


class SendRetryLater(Exception):
    """Flood control or a transient failure: the same message may be retried later."""

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SendRateLimited(SendRetryLater):
    """The platform's flood control (Telegram's 429, WeCom's rate-limit code): retry later, and
    counted apart in the metrics (`core.metrics`)."""


class SendFailed(Exception):
    """A permanent failure for this message (bad request, chat not found...): record, move on."""


class Targeting(Protocol):
    """Who an issue goes to on one platform: the part of the plan only the platform knows."""

    platform: str

    def own_targets(self, issue: IssueView) -> list[NewDelivery]:
        """The rows of targets outside the chats table (a channel, group robots), planned ahead
        of every chat; [] when the platform has none."""
        ...

    def chat_targets(self, chats: Sequence[ChatState], chat_row: ChatRow) -> list[NewDelivery]:
        """The rows of one batch of the platform's chats receiving digests, in delivery order.

        Called once per batch (oldest chats first, batches in order); `chat_row(chat)` is the
        platform-neutral row of one. The platform keeps, replaces (e.g. with a `left_out_row`)
        or ignores each chat's row. Ledger targets and kinds are stored: they must never change
        for an existing platform.
        """
        ...


class Sender(Targeting, Protocol):
    """Plans for, renders for and sends to one platform."""

    def render(self, issue: IssueView, *, language: str) -> list[str]:
        """The issue as this platform's messages, in order (each within its size limit)."""
        ...

    async def send(self, target: str, text: str) -> str:
        """Send one message to `target`; the platform's message id.

        Raises SendBlocked, SendRetryLater or SendFailed; nothing else for platform errors.
        """
        ...


@runtime_checkable
class PaidBroadcaster(Protocol):
    """A sender that can also send as a paid broadcast (Telegram's `allow_paid_broadcast`)."""

    async def send_paid(self, target: str, text: str) -> str:
        """`Sender.send`, paid: faster, and charged per message."""
        ...


class PartButton(Protocol):
    """A button under a part: a label and what it runs (the platform encodes and signs it)."""

    @property
    def label(self) -> str: ...

    @property
    def action(self) -> str: ...

    @property
    def args(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Part:
    """One message of a delivery: its text (a photo's caption when `photo` is set), the key
    figure to send it with, and rows of buttons under it."""

    text: str
    photo: FigureView | None = None
    buttons: tuple[tuple[PartButton, ...], ...] = ()


@runtime_checkable
class PartSender(Protocol):
    """A sender whose parts carry more than text (see the module's docstring)."""

    def edition(self, kind: str, target: str) -> str:
        """The edition a ledger row of `kind` to `target` gets: a few distinct values, since
        the job renders each (language, papers, edition) once per run."""
        ...

    def render_parts(self, issue: IssueView, *, language: str, edition: str) -> list[Part]:
        """`Sender.render` for one edition: its parts in order. Deterministic, so a resumed
        row gets the same parts and continues after the last confirmed one."""
        ...

    async def send_part(self, target: str, part: Part, *, paid: bool = False) -> str:
        """`Sender.send` for a part (`paid`: as a paid broadcast); the platform's message id."""
        ...


def whole_issue_row(target: str, kind: str, issue: IssueView) -> NewDelivery:
    """A target outside the chats table (a channel, a group robot): every included paper."""
    ids = tuple(item.paper.id for item in issue.included_items)
    return NewDelivery(target=target, kind=kind, chat_id=None, paper_ids=ids)


def left_out_row(chat: ChatState, kind: str) -> NewDelivery:
    """A chat the platform cannot reach now: a `skipped` row whose `kind` says why, so the
    ledger records that it was left out and a re-run resumes rather than re-plans."""
    return NewDelivery(target=chat.chat_id, kind=kind, chat_id=chat.id, status=ledger.SKIPPED)
