"""The questions `digestbot check` asks each service, with the fix for each way it can fail.

Each talks to the service through the same library the bot uses for it (SQLAlchemy + Alembic,
python-telegram-bot, the openai client, our WeChat client), so a ✓ here means the bot's own
calls will get through.
"""

from __future__ import annotations

import openai
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.telegram.request import telegram_request
from cli.check_lines import TIMEOUT, Outcome, fail, ok
from core.config import Settings
from jobs.summarize.llm import openai_http_client
from storage.db import Database
from storage.health import schema_state
from storage.queries.leader import leader_session


async def migration_state(url: str) -> tuple[str | None, str | None]:
    """(the database's Alembic revision, the code's head revision); nothing is changed. The
    same reading as `/readyz`'s (`storage.health.schema_state`)."""
    db = Database(url)
    try:
        state = await schema_state(db)
    finally:
        await db.dispose()
    return ", ".join(state.current) or None, ", ".join(state.heads) or None


async def leader_line(url: str) -> Outcome:
    """PostgreSQL: which instance runs the schedule now (`jobs.leader`), as the server sees it."""
    db = Database(url)
    try:
        async with db.session() as session:
            leading = await leader_session(session)
    finally:
        await db.dispose()
    if leading is None:
        return Outcome("skip", "schedule: no instance leads now (is any `digestbot run` up?)")
    since = f", since {leading.since:%Y-%m-%d %H:%M %Z}" if leading.since else ""
    return ok(f"schedule: led by the instance at {leading.client} (backend {leading.pid}{since})")


async def telegram_checks(settings: Settings) -> list[Outcome]:
    """getMe, then (with CHANNEL_ID) whether the bot is an administrator of the channel."""
    assert settings.telegram_bot_token is not None
    base = settings.telegram_api_base_url.rstrip("/")
    request = telegram_request(settings.telegram, connect_timeout=TIMEOUT, read_timeout=TIMEOUT)
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
        request=request, get_updates_request=request,
    )  # fmt: skip
    try:
        await bot.initialize()  # getMe
    except InvalidToken:
        return [fail("Telegram: the token was refused (401)", _TOKEN_FIX)]
    except NetworkError as exc:
        return [fail(f"Telegram {base}: unreachable ({exc.message})", _REACH_FIX)]
    try:
        return [ok(f"Telegram: @{bot.username} (getMe)"), await _channel(bot, settings)]
    finally:
        await bot.shutdown()


_TOKEN_FIX = "copy TELEGRAM_BOT_TOKEN again from @BotFather (/mybots → API Token)"
_REACH_FIX = (
    "check TELEGRAM_API_BASE_URL and this machine's network; where Telegram is blocked, "
    "use a proxy or a self-hosted Bot API server"
)


async def _channel(bot: Bot, settings: Settings) -> Outcome:
    channel = settings.channel_id
    if channel is None:
        return Outcome("skip", "Telegram channel: CHANNEL_ID not set")
    fix = f"add @{bot.username} to {channel} as an administrator allowed to post messages"
    try:
        member = await bot.get_chat_member(channel, bot.id)
    except TelegramError as exc:
        return fail(f"Telegram channel {channel}: {exc.message}", fix)
    if member.status not in ("administrator", "creator"):
        return fail(f"Telegram channel {channel}: the bot is {member.status}", fix)
    return ok(f"Telegram channel {channel}: the bot is an administrator")


async def llm_check(settings: Settings) -> Outcome:
    """A one-token completion: proves the URL, the key and the model in one call."""
    assert settings.openai_api_key is not None
    where = settings.openai_base_url or "OpenAI"
    model = settings.llm_model
    async with openai.AsyncOpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url or None,
        timeout=TIMEOUT, max_retries=0, http_client=openai_http_client(settings.llm),
    ) as client:  # fmt: skip
        try:
            await client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "ping"}], max_tokens=1
            )
        except openai.AuthenticationError:
            return fail(f"LLM {where}: the key was refused (401)", "correct OPENAI_API_KEY")
        except openai.NotFoundError:
            return fail(f"LLM {where}: model {model!r} not found", _MODEL_FIX)
        except openai.APIConnectionError as exc:
            return fail(f"LLM {where}: unreachable ({exc.message})", _LLM_REACH_FIX)
        except openai.APIStatusError as exc:
            return fail(f"LLM {where}: HTTP {exc.status_code}", "retry later, or check the plan")
    return ok(f"LLM {where}: model {model!r} answers")


_MODEL_FIX = "set LLM_MODEL to a model this provider serves (see its model list)"
_LLM_REACH_FIX = "check OPENAI_BASE_URL (empty = OpenAI) and this machine's network"


async def wechat_check(settings: Settings) -> Outcome:
    """An access token from `cgi-bin/token`: proves the AppID, the secret and the IP list."""
    from bot.wechat.api import ApiError, Unavailable, WeChatApi, wechat_http

    async with wechat_http(settings.wechat, timeout=TIMEOUT) as http:
        try:
            await WeChatApi(settings.wechat, http).access_token()
        except Unavailable as exc:
            return fail(f"WeChat API: {exc.errmsg}", "check WECHAT_API_BASE_URL and the network")
        except ApiError as exc:
            return fail(f"WeChat API: errcode {exc.errcode} {exc.errmsg}", _WECHAT_FIX)
    return ok(f"WeChat API: access token obtained for {settings.wechat_app_id}")


_WECHAT_FIX = (
    "check WECHAT_APP_ID and WECHAT_APP_SECRET, and add this server's IP to the account's "
    "IP whitelist (开发 → 基本配置)"
)
