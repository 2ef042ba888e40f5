"""Our error types. Front ends have one error handler each that turns these into replies."""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error we raise on purpose; `user_message` is safe to show a reader.

    `user_message` is English; `zh` optionally carries the Chinese text. Front ends call
    `message_for(language)` to answer in the reader's language.
    """

    def __init__(self, user_message: str, *, detail: str | None = None, zh: str | None = None):
        super().__init__(detail or user_message)
        self.user_message = user_message
        self.zh = zh

    def message_for(self, language: str | None) -> str:
        return self.zh if language == "zh" and self.zh else self.user_message


class InvalidInput(DigestError):
    """The user typed something we cannot act on (bad id, missing argument, too long...)."""


class NotFound(DigestError):
    """The thing asked for does not exist (unknown issue number, paper not stored...)."""


class NothingToDo(DigestError):
    """A job had no work: no announcement today, no new papers to compose into an issue."""


class UpstreamError(DigestError):
    """arXiv, the LLM provider or a chat platform failed after our retries."""


class BudgetExceeded(DigestError):
    """The daily LLM token budget is spent; callers fall back to extractive summaries."""


class RateLimited(DigestError):
    """One user asked too often for something expensive; `retry_after` is in whole seconds."""

    def __init__(
        self,
        user_message: str,
        *,
        retry_after: int,
        detail: str | None = None,
        zh: str | None = None,
    ) -> None:
        super().__init__(user_message, detail=detail, zh=zh)
        self.retry_after = retry_after


class NotAllowed(DigestError):
    """The sender may not do this (an admin command from someone not in ADMIN_IDS)."""


class StartupRefused(Exception):
    """`digestbot run` may not start for a reason the operator fixes (another instance on this
    SQLite file, another poller on this token…); the message is their one line, exit status 2."""
