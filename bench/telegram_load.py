"""Plumbing for the Telegram benchmark: the bot on a copy of the search corpus, and a stopwatch.

The bot is the product's own `run_telegram` polling the fake Bot API. Variants differ only in
options applied to PTB's `ApplicationBuilder` just before `build_application` builds it
(`concurrent_updates`, and the overall 30 requests/s AIORateLimiter swapped for one without
the overall cap), so everything else — handlers, error handler, group limits — is the product.
One what-if variant also skips the "typing" chat action, to measure what it costs.
Reply times are taken on the fake's thread the moment a message reaches it, not when our event
loop gets round to noticing.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from pydantic import SecretStr
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ExtBot

from bot.commands.context import Deps
from bot.telegram.app import run_telegram
from core.config import Settings
from storage.db import Database
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FakeUser

_QUOTED = re.compile(r"“(.*?)”")
WARM_UP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Variant:
    name: str
    concurrent_updates: int | None = None  # None: as build_application builds it (1)
    overall_limit: bool = True  # AIORateLimiter's 30 requests/s across all chats
    typing: bool = True  # False: a what-if, sendChatAction("typing") skipped (it costs a slot)


async def prepare_db(source: str, workdir: Path) -> Database:
    """A private copy of the cached corpus (the bot writes chats), migrated to head."""
    target = workdir / "telegram-bench.db"
    shutil.copyfile(source, target)
    db = Database(f"sqlite+aiosqlite:///{target}")
    await db.upgrade()
    return db


@contextmanager
def builder_options(variant: Variant, built: list[Application]) -> Iterator[None]:
    original = ApplicationBuilder.build

    def build(self: ApplicationBuilder) -> Application:
        if variant.concurrent_updates is not None:
            self.concurrent_updates(variant.concurrent_updates)
        if not variant.overall_limit:
            self.rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=20, max_retries=3))
        app = original(self)
        built.append(app)
        return app

    with mock.patch.object(ApplicationBuilder, "build", build):
        if variant.typing:
            yield
            return
        with mock.patch.object(ExtBot, "send_chat_action", _no_chat_action):
            yield


async def _no_chat_action(*args: object, **kwargs: object) -> bool:
    return True


@asynccontextmanager
async def running_bot(fake: FakeTelegram, db: Database, variant: Variant) -> AsyncIterator[int]:
    """The product's `run_telegram` polling the fake; yields the app's concurrent_updates."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=db.url,
        telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.url,
        telegram_poll_timeout=1,
    )
    built: list[Application] = []
    stop = asyncio.Event()
    with builder_options(variant, built):
        task = asyncio.create_task(run_telegram(Deps(settings=settings, db=db), stop=stop))
        try:
            await _warm_up(fake)
            yield built[0].concurrent_updates
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=15)


async def _warm_up(fake: FakeTelegram) -> None:
    """One search answered: polling works, jieba and the SQLite page cache are loaded."""
    user = fake.user(first_name="Warm")
    for text in ("/search warm up 预热", "/help"):
        fake.send_text(user, text)
        await fake.wait_for_sent(user, timeout=WARM_UP_TIMEOUT)


@dataclass
class ReplyClock:
    """A `wait_until` predicate: notes when each user's replies first reach the fake.

    It runs under the fake's lock after every change, on the fake's thread, so the time is the
    arrival time. Done once every user has `expected[user]` replies.
    """

    fake: FakeTelegram
    expected: dict[int, int]
    arrivals: dict[int, list[tuple[float, str]]] = field(default_factory=dict)
    _seen: dict[int, int] = field(default_factory=dict)
    _waiting: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        for user_id in self.expected:
            self.arrivals[user_id] = []
            self._seen[user_id] = len(self.fake.sent(user_id, include_deleted=True))
        self._waiting = set(self.expected)

    def __call__(self) -> bool | None:
        now = time.perf_counter()
        for user_id in list(self._waiting):
            messages = self.fake.sent(user_id, include_deleted=True)
            for message in messages[self._seen[user_id] :]:
                self.arrivals[user_id].append((now, message.text))
            self._seen[user_id] = len(messages)
            if len(self.arrivals[user_id]) >= self.expected[user_id]:
                self._waiting.discard(user_id)
        return True if not self._waiting else None

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109 - one plain deadline
        """False when some replies never came (they show up as missing in the figures)."""
        try:
            await self.fake.wait_until(self, timeout)
        except TimeoutError:
            return False
        return True


async def clocked(fake: FakeTelegram, expected: dict[int, int]) -> tuple[ReplyClock, asyncio.Task]:
    """Start waiting before anything is pushed, so no arrival is noticed late."""
    clock = ReplyClock(fake, expected)
    task = asyncio.create_task(clock.wait(timeout=300))
    await asyncio.sleep(0)  # let the wait register its listener
    return clock, task


def reply_key(text: str) -> str:
    """Which command a reply answers (English replies): 'search:<query>', 'help', …"""
    if text.startswith(("Results ", "No papers found")):
        quoted = _QUOTED.search(text)
        return f"search:{quoted.group(1) if quoted else '?'}"
    for marker, key in (
        ("digestbot turns", "help"),
        ("You follow no topics", "mysubs"),
        ("Past issues", "issues"),
        ("Too many requests", "rate-limited"),
        ("Something went wrong", "error"),
    ):
        if marker in text:
            return key
    return "other"


def command_key(command: str) -> str:
    name, _, argument = command.removeprefix("/").partition(" ")
    return f"search:{argument}" if name == "search" else name


def english_users(fake: FakeTelegram, count: int, name: str) -> list[FakeUser]:
    return [fake.user(first_name=f"{name}{i}", language_code="en") for i in range(count)]
