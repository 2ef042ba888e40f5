"""The configured platforms as jobs see them: a `Platforms` the composition root builds from
the front ends' senders, what opening them yields, and one report line per platform.

Kept apart from `jobs.publish_everywhere` so that `jobs.context` can name `Platforms` without
importing the job that uses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from core.sending import Sender
from domain.errors import DigestError
from jobs.publish import PublishReport


@dataclass(frozen=True)
class PlatformReport:
    platform: str
    report: PublishReport | None  # None: this platform failed (see `error`)
    error: str | None = None

    @property
    def line(self) -> str:
        """The report's line, named by platform (Telegram's report unprefixed, as before)."""
        if self.report is None:
            return f"{self.platform}: failed: {self.error}"
        prefix = "" if self.platform == "telegram" else f"{self.platform}: "
        return prefix + self.report.message


@dataclass(frozen=True)
class OpenPlatforms:
    """The senders that opened, and a failed line for each platform that could not."""

    senders: list[Sender]
    unavailable: list[PlatformReport] = field(default_factory=list)


class Platforms(Protocol):
    """The configured platforms, built by the composition root from the front ends' senders."""

    def configured(self) -> list[str]:
        """The platforms publishing reaches, in report order (telegram, wecom, wechat)."""
        ...

    def open(self) -> AbstractAsyncContextManager[OpenPlatforms]:
        """Their senders while open; a platform that cannot open (Telegram unreachable at
        start) is an `unavailable` line, never an exception."""
        ...

    def running(self) -> Mapping[str, Sender]:
        """The senders of the front ends running in this process (admin reports, broadcasts)."""
        ...


def joined(results: Sequence[PlatformReport]) -> str:
    return "\n".join(result.line for result in results)


def failure(error: BaseException) -> str:
    """A failed platform's reason: our own message, else only the type (a library's exception
    text can carry a secret, e.g. the bot token in a Telegram URL)."""
    return error.user_message if isinstance(error, DigestError) else type(error).__name__
