"""What a fetch did, for the CLI, the scheduler and the bot's admin commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from storage.queries.papers import UpsertResult

FetchMode = Literal["rss", "api", "ids"]
FetchStatus = Literal["running", "ok", "empty", "failed"]


@dataclass
class FetchReport:
    """Counts and outcome of one `run_fetch`; `message` is the one-line human summary."""

    mode: FetchMode
    announced_on: date | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    watermark: datetime | None = None
    no_announcement: bool = False
    status: FetchStatus = "running"
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None
    fell_back: bool = False  # the RSS feed failed and the API window was used instead
    caught_up: FetchReport | None = None  # days announced while the process was down

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "empty") and (self.caught_up is None or self.caught_up.ok)

    @property
    def message(self) -> str:
        if self.caught_up is None:
            return self._own_message
        return f"{self._own_message}; caught up on missed days: {self.caught_up.message}"

    @property
    def stored(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def add(self, result: UpsertResult) -> None:
        self.inserted += result.inserted
        self.updated += result.updated
        self.unchanged += result.unchanged

    @property
    def _own_message(self) -> str:
        if self.no_announcement:
            return "no new papers announced today (weekend or holiday)"
        text = f"fetched {self.stored} paper{'' if self.stored == 1 else 's'}{self._scope()}"
        text += f" ({self._counts()})"
        if self.fell_back:
            text += "; RSS feed unavailable, used the API date window"
        if self.status == "failed":
            first = self.errors[-1] if self.errors else "unknown error"
            text = f"fetch failed: {first}; {text} before the failure"
        return text

    def _scope(self) -> str:
        if self.mode == "rss" and self.announced_on:
            return f" announced {self.announced_on.isoformat()}"
        if self.mode == "api" and self.window_start and self.window_end:
            start = self.window_start.strftime("%Y-%m-%d %H:%M")
            end = self.window_end.strftime("%Y-%m-%d %H:%M")
            return f" submitted {start}–{end} UTC"
        if self.mode == "ids":
            return " by id"
        return ""

    def _counts(self) -> str:
        parts = [f"{self.inserted} new", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} already stored")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return ", ".join(parts)
