"""Build and run the PTB Application: handlers, rate limiting, command menu, polling/webhook.

Webhook mode does not start PTB's updater (its tornado server): the process's one HTTP server
carries the webhook route (`bot.telegram.webhook`), attached to the application here.

`telegram_sender` (a sender on a fresh Application, for the CLI) lives here rather than in
`sender.py`, so the two modules do not import each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from telegram import BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.commands.context import Deps
from bot.commands.registry import BACKGROUND_COMMANDS, COMMANDS, menu
from bot.i18n import LANGUAGES
from bot.telegram import handlers
from bot.telegram.callbacks import CallbackSigner
from bot.telegram.context import CONTEXT_TYPES, DigestApp
from bot.telegram.errors import on_error
from bot.telegram.polling import check_alone, on_poll_error
from bot.telegram.ratelimit import FairRateLimiter, Limits
from bot.telegram.request import UPDATES_POOL, telegram_request
from bot.telegram.sender import TelegramSender
from bot.telegram.updates import PerChatUpdateProcessor
from bot.telegram.webhook import TelegramWebhook
from core.services.figure_uploads import FigureUploads
from core.services.send_budget import fleet_pacer

log = logging.getLogger(__name__)

PAID_CATCH_UP = 0.05  # s: at 1000/s, a late event loop may make up 50 messages at once
# The fleet's free budget, a little under Telegram's 30/s: instances pace on their own clocks'
# sleeps and the network, so sends reach Telegram up to a few tens of ms off their slots; one
# slot in 30 of headroom keeps every second at Telegram's end within 30.
FREE_RATE = 29.0


def build_application(deps: Deps) -> DigestApp:
    settings = deps.settings
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
    base = settings.telegram_api_base_url.rstrip("/")
    app = (
        Application.builder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .request(telegram_request(settings.telegram))
        .get_updates_request(telegram_request(settings.telegram, pool_size=UPDATES_POOL))
        .rate_limiter(rate_limiter(deps))
        .concurrent_updates(PerChatUpdateProcessor(turns=deps.turns))
        .context_types(CONTEXT_TYPES)
        .build()
    )
    app.bot_data.bind(deps, CallbackSigner(token))
    _add_handlers(app)
    return app


@asynccontextmanager
async def telegram_sender(deps: Deps) -> AsyncIterator[TelegramSender]:
    """A sender on a fresh, initialized Application's bot (for the CLI; the bot process uses
    `TelegramSender(context.bot)` instead)."""
    app = build_application(deps)
    try:
        await app.initialize()
    except Exception:  # Telegram down or blocked: PTB leaves the bot's HTTP clients open then
        await app.bot.shutdown()
        raise
    try:
        yield app_sender(app)
    finally:
        await app.shutdown()


def app_sender(app: DigestApp) -> TelegramSender:
    """The issue sender on `app`'s bot: its signer for the feedback buttons, and the key
    figures uploaded once per bot (the bot's id is the token's public part)."""
    deps, signer = app.bot_data.deps, app.bot_data.signer
    settings = deps.settings
    token = settings.telegram_bot_token
    bot_id = token.get_secret_value().split(":", 1)[0] if token is not None else "?"
    figures = FigureUploads(deps.db, f"telegram:{bot_id}")
    return TelegramSender(
        app.bot, settings.channel_id, settings.public_base_url, signer=signer, figures=figures
    )


def rate_limiter(deps: Deps | None = None) -> FairRateLimiter:
    """30 messages/s overall, 20 a minute per group or channel, chats served in turn; on
    PostgreSQL the overall budgets are the bot's, shared by every instance (per bot id, not per
    process); with TELEGRAM_PAID_BROADCAST, paid broadcasts get their own faster budget."""
    telegram = deps.settings.telegram if deps is not None else None
    if deps is None or telegram is None or telegram.bot_token is None:
        return FairRateLimiter()
    bot_id = telegram.bot_token.get_secret_value().split(":", 1)[0]  # public: the bot's id
    paid = None
    if telegram.paid_broadcast:
        rate = telegram.paid_rate
        paid = FairRateLimiter(
            Limits(overall=rate, catch_up=PAID_CATCH_UP),
            shared=fleet_pacer(deps.db, f"telegram:{bot_id}:paid", rate, late=PAID_CATCH_UP),
        )
    free = fleet_pacer(deps.db, f"telegram:{bot_id}", FREE_RATE)
    return FairRateLimiter(shared=free, paid=paid)


def _add_handlers(app: DigestApp) -> None:
    names = sorted(COMMANDS)
    # Slow commands run as tasks (PTB's block=False): not in the chat's turn (updates.py).
    app.add_handler(CommandHandler(sorted(BACKGROUND_COMMANDS), handlers.command, block=False))
    app.add_handler(CommandHandler(names, handlers.command))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.command))
    app.add_handler(CallbackQueryHandler(handlers.button))
    private_text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private_text, handlers.plain_text))
    # Every private message gets an answer; service messages (pins, joins…) are not messages.
    not_text = filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(not_text, handlers.not_text))
    app.add_error_handler(on_error)


def menu_commands(language: str | None, *, admin: bool) -> list[BotCommand]:
    """Telegram's menu, generated from the command table: the public commands, and in the
    admin chat the editors' after them; `language` None is the default (English) menu."""
    return [BotCommand(s.name, s.menu_text.of(language or "en")) for s in menu(admin=admin)]


async def register_commands(app: DigestApp) -> None:
    """The menu Telegram shows next to the input box, in Chinese and English."""
    await _set_menu(app, BotCommandScopeDefault(), admin=False)
    admin_chat = app.bot_data.deps.settings.admin_chat_id
    if admin_chat is not None:  # the admin chat's menu adds the editors' commands
        await _register_admin_commands(app, admin_chat)


async def _set_menu(app: DigestApp, scope: BotCommandScope, *, admin: bool) -> None:
    for language in LANGUAGES:
        commands = menu_commands(language, admin=admin)
        await app.bot.set_my_commands(commands, scope, language_code=language)
    await app.bot.set_my_commands(menu_commands(None, admin=admin), scope)


async def _register_admin_commands(app: DigestApp, chat_id: int) -> None:
    """Best effort: a wrong ADMIN_CHAT_ID, or a bot not yet in that chat, must not stop start-up."""
    try:
        await _set_menu(app, BotCommandScopeChat(chat_id), admin=True)
    except TelegramError as error:
        log.warning("could not set the admin chat's command menu (chat %s): %s", chat_id, error)


Lifespan = Callable[[DigestApp], AbstractAsyncContextManager[object]]


async def run_telegram(
    deps: Deps,
    *,
    stop: asyncio.Event | None = None,
    lifespan: Lifespan | None = None,
    webhook: TelegramWebhook | None = None,
) -> None:
    """Long polling, or, when TELEGRAM_WEBHOOK_URL is set, updates through `webhook` (a route
    of the running HTTP server, see `bot.server`); until `stop`.

    `lifespan(app)` (e.g. the scheduler) runs while the application is started, so it can send
    through `app.bot`, and ends before the application stops.
    """
    app = build_application(deps)
    stop = stop or asyncio.Event()
    async with app:
        await register_commands(app)
        await _start_updates(app, deps, webhook)
        await app.start()
        log.info("telegram bot @%s running", app.bot.username)
        try:
            async with lifespan(app) if lifespan else nullcontext():
                await stop.wait()
            await deps.jobs.stop()  # admin jobs still running end here, recorded as cancelled
        finally:
            if webhook is not None:
                webhook.attach(None)  # the server may outlive us by a moment: 503 from now
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        await app.stop()


def telegram_webhook(deps: Deps) -> TelegramWebhook | None:
    """The webhook route's endpoint for these settings (None: long polling)."""
    settings = deps.settings
    if not settings.telegram_webhook_url:
        return None
    secret = settings.telegram_webhook_secret
    assert secret is not None  # Settings refuse a webhook URL without its secret (config_rules)
    return TelegramWebhook(settings.telegram_webhook_url, secret.get_secret_value())


async def _start_updates(app: DigestApp, deps: Deps, webhook: TelegramWebhook | None) -> None:
    settings, updater = deps.settings, app.updater
    assert updater is not None
    if not settings.telegram_webhook_url:
        await check_alone(app.bot)  # another poller or a webhook: one line, exit 2
        await updater.start_polling(
            timeout=int(settings.telegram_poll_timeout),
            drop_pending_updates=False,
            error_callback=on_poll_error,
        )
        return
    if webhook is None:
        raise RuntimeError("webhook mode needs the HTTP server's webhook route (cli.run)")
    secret = settings.telegram_webhook_secret
    assert secret is not None
    webhook.attach(app)  # before setWebhook: Telegram may post at once (queued until start)
    await app.bot.set_webhook(
        url=settings.telegram_webhook_url, secret_token=secret.get_secret_value()
    )
