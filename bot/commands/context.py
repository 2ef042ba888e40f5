"""What every command gets: the caller, the language to answer in, and the shared services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.commands.background import BackgroundJobs
from bot.commands.budget import Budgets
from bot.commands.memo import QueryMemo
from bot.commands.reply import Caller
from core.config import Settings
from core.ratelimit import BucketStore, RateLimiter
from core.services.chat_turns import ChatTurns
from core.services.review import require_admin
from domain.identity import Identity
from domain.types import IssueKind
from storage.db import Database

# (arXiv id, language) -> the stored paper id after fetching + summarizing (None: arXiv has none).
PaperFetcher = Callable[[str, str], Awaitable[int | None]]


# (sent, total) while an issue is being delivered.
Progress = Callable[[int, int], Awaitable[None]]


class AdminOps(Protocol):
    """The jobs admins may run from chat (`jobs/admin_ops.py`); the composition root
    (`cli/admin_ops.py`) builds it up front, with the platforms' senders, so `bot` never
    imports `jobs`. Each returns the one-line report the CLI would print."""

    async def fetch(self) -> str: ...

    async def compose(self) -> str: ...

    async def publish(
        self, number: int, actor: str, progress: Progress | None, kind: IssueKind = ...
    ) -> str: ...

    async def approved(self, number: int) -> list[str]:
        """After issue `number` was approved (e.g. its WeChat draft): lines for the admin."""
        ...

    async def broadcast(self, html: str) -> int:
        """Send `html` to every chat receiving digests; how many got it."""
        ...

    async def tell(self, platform: str, target: str, html: str) -> None:
        """One message to one chat (a job's report to the admin who started it)."""
        ...


def paper_limiter(store: BucketStore | None = None) -> RateLimiter:
    """/paper's on-demand fetches: 2 at once, then 3 a minute per user (shared with `store`)."""
    return RateLimiter(rate=3, per_seconds=60, burst=2, store=store, name="paper")


@dataclass
class Deps:
    """Built once per process by the composition root (`cli/run.py`)."""

    settings: Settings
    db: Database
    fetch_paper: PaperFetcher | None = None
    budgets: Budgets = field(default_factory=Budgets)  # every command, per user (budget.py)
    paper_limiter: RateLimiter = field(default_factory=paper_limiter)  # on-demand fetches
    memo: QueryMemo = field(default_factory=QueryMemo)
    ops: AdminOps | None = None  # admin-triggered jobs; None: this process cannot run them
    jobs: BackgroundJobs = field(default_factory=BackgroundJobs)
    turns: ChatTurns | None = None  # one chat's updates on one instance at a time (PostgreSQL)
    # (author's actor, key) -> text awaiting its author's Confirm
    broadcasts: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    caller: Caller
    language: str
    deps: Deps
    # Set by dispatch, after its one admin check, for commands and buttons the table flags admin.
    admin_identity: Identity | None = None

    @property
    def admin(self) -> Identity:
        """The editor running this admin command. Dispatch checks rows flagged admin once and
        sets it; reached any other way (a row missing its flag), the caller is checked here, so
        a non-admin's identity is never handed out."""
        if self.admin_identity is not None:
            return self.admin_identity
        return require_admin(self.settings, self.caller.platform, self.caller.user_id)

    @property
    def db(self) -> Database:
        return self.deps.db

    @property
    def settings(self) -> Settings:
        return self.deps.settings


def platform_language(language_code: str | None, default: str) -> str:
    """Telegram's language_code (`zh-hans`, `en-US`…) to one of our languages."""
    if not language_code:
        return default
    return "zh" if language_code.lower().startswith("zh") else "en"
