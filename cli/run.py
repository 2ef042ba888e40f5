"""`digestbot run`: the main job — the schedule plus whatever front ends are configured.

Every platform stands alone (Telegram is blocked in mainland China), so the mode follows the
settings:

- TELEGRAM_BOT_TOKEN: the Telegram bot, its scheduler publishing to every platform; with
  WECHAT_TOKEN the Official Account callback is served beside it.
- WECHAT_TOKEN without Telegram: the callback and the scheduler (no console: the process is a
  server, not a terminal chat).
- Only push platforms (WECOM_WEBHOOK_URLS, WeChat customer-service messages): the scheduler
  headless when stdin is not a terminal (systemd, docker, nohup), until SIGTERM/SIGINT; on a
  terminal, the console with the same scheduler, so a trying-out operator can chat with it.
- No platform: the console on this terminal (the scheduler runs but publishes nothing).

The console opens at once while today's pipeline runs against live arXiv in the background; a
network failure is reported and changes nothing else. In every mode the scheduler runs
alongside and shuts down with the front end, and one HTTP server (`cli.http`: the webhook,
/wechat, /healthz, /readyz, /metrics at HTTP_LISTEN) runs around them — in the console only
when HTTP_LISTEN is set.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from functools import partial
from typing import Any

from bot.commands.budget import Budgets
from bot.commands.context import Deps, paper_limiter
from bot.console.app import ConsoleBot, run_console
from bot.server.health import CachedProbe
from bot.wechat.inflight import SendLater
from cli.http import HttpServer, http_listen, http_server
from cli.platforms import ConfiguredPlatforms, configured_platforms
from cli.schedule import standalone_scheduler, telegram_lifespan
from core.config import Settings
from core.services.chat_turns import ChatTurns
from core.services.shared_buckets import shared_buckets
from core.services.shared_tokens import DatabaseTokens
from jobs.context import JobContext
from jobs.on_demand import fetch_and_summarize
from jobs.runs import run_job
from storage.db import Database

Schedule = Callable[[Settings, Database], AbstractAsyncContextManager[object]]


def build_deps(
    settings: Settings, db: Database, platforms: ConfiguredPlatforms | None = None
) -> Deps:
    """What the front ends share; `platforms` is the process's one (the running bot's sender
    is registered there, see `cli.platforms.serving_telegram`)."""
    from cli.admin_ops import build_admin_ops

    buckets = shared_buckets(db)  # several instances on PostgreSQL share the per-user budgets
    return Deps(
        settings=settings,
        db=db,
        fetch_paper=partial(fetch_and_summarize, settings, db),
        ops=build_admin_ops(settings, db, platforms),
        budgets=Budgets(store=buckets),
        paper_limiter=paper_limiter(buckets),
        turns=ChatTurns(db),
    )


async def run_app(
    settings: Settings,
    db: Database,
    *,
    stop: asyncio.Event | None = None,
    send_later: SendLater | None = None,
    interactive: bool | None = None,
    schedule: Schedule = standalone_scheduler,
) -> int:
    """The bot and its schedule (see `cli.schedule`) until `stop` or end of input.

    `send_later(openid, text)` delivers WeChat answers that missed the 5-second reply (the
    customer-service message API); without it such answers are logged and dropped.
    `interactive` (default: stdin is a terminal) picks the console over headless when only
    push platforms are configured. `schedule` runs the scheduler when Telegram does not.
    """
    platforms = ConfiguredPlatforms(settings, db)
    deps = build_deps(settings, db, platforms)
    stop = stop or asyncio.Event()
    if interactive is None:
        interactive = sys.stdin.isatty()
    async with _customer_service(settings, db) as api_send:
        mode = _Mode(deps, platforms, stop, send_later or api_send, schedule)
        try:
            return await mode.run(interactive)
        finally:  # admin jobs started from the console or WeChat end with their front end
            await deps.jobs.stop()
            if deps.turns is not None:
                await deps.turns.close()


@asynccontextmanager
async def _customer_service(settings: Settings, db: Database) -> AsyncIterator[SendLater | None]:
    """WeChat's customer-service API for answers that miss the 5-second reply, when configured."""
    if not settings.wechat.api_enabled:
        yield None
        return
    from bot.wechat.api import WeChatApi, wechat_http

    async with wechat_http(settings.wechat, timeout=30) as http:
        api = WeChatApi(settings.wechat, http, tokens=DatabaseTokens(db))

        async def send_later(openid: str, text: str) -> None:
            await api.send_text(openid, text)

        yield send_later


class _Mode:
    """Which front ends run beside the schedule; see the module docstring."""

    def __init__(
        self,
        deps: Deps,
        platforms: ConfiguredPlatforms,
        stop: asyncio.Event,
        send_later: SendLater | None,
        schedule: Schedule,
    ) -> None:
        self.settings, self.db, self.deps, self.stop = deps.settings, deps.db, deps, stop
        self.platforms, self.send_later, self.schedule = platforms, send_later, schedule

    async def run(self, interactive: bool) -> int:
        mode = self._pick(interactive)
        listen = http_listen(self.deps, console=mode == "console")
        async with http_server(self.deps, listen, self.send_later) as http:
            if mode == "telegram":
                await self.telegram(http)
            elif mode == "server":
                await self.server()
            elif mode == "headless":
                await self.headless()
            else:
                await self.console()
        return 0

    def _pick(self, interactive: bool) -> str:
        settings = self.settings
        if settings.telegram_bot_token is not None:
            return "telegram"
        if settings.wechat_token is not None:
            return "server"
        if configured_platforms(settings) and not interactive:
            return "headless"
        return "console"

    async def telegram(self, http: HttpServer) -> None:
        from bot.telegram.app import run_telegram

        schedule = telegram_lifespan(self.settings, self.db, self.platforms)

        @asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[object]:
            http.readiness.add("telegram", CachedProbe(app.bot.get_me))
            async with schedule(app) as running:
                yield running

        with _stop_on_signals(self.stop):  # SIGTERM: a clean stop, runs recorded as cancelled
            await run_telegram(self.deps, stop=self.stop, lifespan=lifespan, webhook=http.webhook)

    async def server(self) -> None:
        """WeChat's callback (a route of the HTTP server) and the schedule, until a signal."""
        with _stop_on_signals(self.stop):
            async with self.schedule(self.settings, self.db):
                await self.stop.wait()

    async def headless(self) -> None:
        platforms = ", ".join(configured_platforms(self.settings))
        print(f"No TELEGRAM_BOT_TOKEN and no terminal: the schedule runs headless, publishing "
              f"to {platforms}; stop with SIGTERM or Ctrl-C.", flush=True)  # fmt: skip
        with _stop_on_signals(self.stop):
            async with self.schedule(self.settings, self.db):
                await self.stop.wait()

    async def console(self) -> None:
        platforms = configured_platforms(self.settings)
        publishing = f"publishing to {', '.join(platforms)}" if platforms else "no publishing"
        print(f"No TELEGRAM_BOT_TOKEN: the console front end and the schedule ({publishing}); "
              "today's pipeline runs in the background.")  # fmt: skip
        pipeline = asyncio.create_task(_background_pipeline(self.settings, self.db))
        async with self.schedule(self.settings, self.db):
            await run_console(ConsoleBot(self.deps), _stdin_lines(), print)
        pipeline.cancel()
        # Let it finish cancelling before the database is closed under it: a task left
        # waiting on a closed aiosqlite connection would hang the process's exit.
        await asyncio.wait([pipeline])


@contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGTERM (systemd, docker stop) and SIGINT end a server process cleanly: in-flight job
    runs are cancelled and recorded as such, and the exit status is 0."""
    loop = asyncio.get_running_loop()
    signals: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)
    try:
        for number in signals:
            loop.add_signal_handler(number, stop.set)
    except (ValueError, RuntimeError):  # not the main thread (embedded, tests): `stop` only
        signals = ()
    try:
        yield
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


async def _background_pipeline(settings: Settings, db: Database) -> None:
    """Fetch, summarize, compose while the console is already usable (arXiv can be slow or,
    offline, take a minute of retries to fail); each step's line is printed when done. A
    recorded run like any other (started with the process: trigger "cli")."""
    result = await run_job("pipeline", JobContext(settings, db), trigger="cli")
    for line in result.summary.splitlines():
        print(f"[pipeline] {line}")


async def _stdin_lines() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line
