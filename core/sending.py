"""How jobs send to a chat platform without importing one: the `Sender` protocol.

The delivery job works with any platform through this interface; each front end provides an
implementation (Telegram: `bot/telegram/sender.py`) and the composition root hands it over.
Implementations translate their platform's errors into the three below.
"""

from __future__ import annotations

from typing import Protocol

from domain.types import IssueView


class SendBlocked(Exception):
    """The recipient blocked us or removed us: stop sending there (and mark the chat)."""


class SendRetryLater(Exception):
    """Flood control or a transient failure: the same message may be retried later."""

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SendFailed(Exception):
    """A permanent failure for this message (bad request, chat not found...): record, move on."""


class Sender(Protocol):
    """Sends rendered issue parts to one platform."""

    platform: str

    def render(self, issue: IssueView, *, language: str) -> list[str]:
        """The issue as this platform's messages, in order (each within its size limit)."""
        ...

    async def send(self, target: str, text: str) -> str:
        """Send one message to `target`; the platform's message id.

        Raises SendBlocked, SendRetryLater or SendFailed; nothing else for platform errors.
        """
        ...
