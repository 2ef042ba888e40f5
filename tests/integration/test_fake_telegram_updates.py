"""The fake Telegram's update side, driven by the real python-telegram-bot: long polling,
command registration, webhooks, callback queries, and a running PTB Application."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.server.app import build_app as build_server
from bot.server.serve import serving
from bot.telegram.webhook import TelegramWebhook
from tests.fakes.telegram_server import FakeTelegram
from tests.integration.test_fake_telegram import bad_request, make_bot


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake_telegram) as client:
        yield client


def build_app(fake: FakeTelegram) -> Application:
    return (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    user = fake_telegram.user(first_name="Alice", language_code="zh")
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake_telegram.wait_for_poll()
    pushed = fake_telegram.send_text(user, "/subscribe RLHF")
    updates = await asyncio.wait_for(poll, 5)  # far less than the poll's 30 s timeout
    assert [u.update_id for u in updates] == [pushed["update_id"]]
    message = updates[0].message
    assert message is not None and message.text == "/subscribe RLHF"
    assert message.from_user is not None and message.from_user.language_code == "zh"
    assert message.parse_entities(["bot_command"]).popitem()[1] == "/subscribe"
    assert fake_telegram.answer_violations == []


async def test_offset_confirms_and_limit_caps(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user()
    ids = [fake_telegram.send_text(user, f"m{i}")["update_id"] for i in range(4)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates()] == ids  # nothing confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[2])] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[3:]
    assert await bot.get_updates(offset=ids[3] + 1) == ()
    assert fake_telegram.pending_updates == []


async def test_allowed_updates_filter_and_persist(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user()
    sent = await bot.send_message(user.id, "pick", reply_markup=_keyboard("a"))
    fake_telegram.send_text(user, "ignored")
    pressed = fake_telegram.press_button(user, fake_telegram.message(user, sent.message_id), "a")
    got = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.update_id for u in got] == [pressed["update_id"]]
    fake_telegram.send_text(user, "still not asked for")
    assert await bot.get_updates(offset=pressed["update_id"] + 1) == ()


async def test_a_second_poller_makes_the_first_conflict(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake_telegram.wait_for_poll()
    async with make_bot(fake_telegram) as other_instance:  # PTB polls over a one-connection pool
        second = await other_instance.get_updates(timeout=0)
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    assert second == ()


async def test_commands_are_registered_per_scope_and_language(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    group = fake_telegram.group()
    english = [BotCommand("subscribe", "Follow a topic"), BotCommand("search", "Search papers")]
    chinese = [BotCommand("subscribe", "订阅主题"), BotCommand("search", "搜索论文")]
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(chinese, language_code="zh")
    assert await bot.set_my_commands(english[:1], scope=BotCommandScopeChat(group.id))
    assert await bot.get_my_commands(language_code="zh") == tuple(chinese)
    assert fake_telegram.commands[("default", "")][1] == {
        "command": "search",
        "description": "Search papers",
    }
    assert [c["command"] for c in fake_telegram.commands[(f"chat:{group.id}", "")]] == ["subscribe"]
    assert await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == ()
    assert fake_telegram.violations == [] and fake_telegram.answer_violations == []


@pytest.mark.parametrize(
    ("commands", "language", "error"),
    [
        ([BotCommand("Subscribe", "Follow")], None, "BOT_COMMAND_INVALID"),
        ([BotCommand("x" * 33, "Follow")], None, "BOT_COMMAND_INVALID"),
        ([BotCommand("/start", "Start")], None, "BOT_COMMAND_INVALID"),
        ([BotCommand("start", " ")], None, "command description must be non-empty"),
        ([BotCommand("start", "d" * 257)], None, "command description is too long"),
        ([BotCommand(f"c{i}", "d") for i in range(101)], None, "too many commands"),
        ([BotCommand("start", "Start")], "zho", "LANG_CODE_INVALID"),
    ],
)
async def test_set_my_commands_refuses_invalid_lists(
    fake_telegram: FakeTelegram,
    bot: Bot,
    commands: list[BotCommand],
    language: str | None,
    error: str,
) -> None:
    with bad_request(error):
        await bot.set_my_commands(commands, language_code=language)
    assert fake_telegram.commands == {}


async def test_webhook_blocks_polling_until_deleted(fake_telegram: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_webhook("https://bot.example.org/hook", secret_token="s3cret-Token_1")
    assert fake_telegram.webhook == {
        "url": "https://bot.example.org/hook",
        "secret_token": "s3cret-Token_1",
    }
    assert (await bot.get_webhook_info()).url == "https://bot.example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    with bad_request("secret token contains unallowed characters"):
        await bot.set_webhook("https://bot.example.org/hook", secret_token="no spaces!")
    with bad_request("An HTTPS URL must be provided"):
        await bot.set_webhook("http://bot.example.org/hook")
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()
    assert fake_telegram.answer_violations == []


async def test_callback_query_round_trip(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user()
    sent = await bot.send_message(user.id, "page 1", reply_markup=_keyboard("p:2", "p:3"))
    record = fake_telegram.sent(user)[0]
    with pytest.raises(LookupError):
        fake_telegram.press_button(user, record, "p:9")
    pressed = fake_telegram.press_button(user, record, record.button("p:3")["callback_data"])
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "p:3" and query.from_user.id == user.id
    assert query.message is not None and query.message.message_id == sent.message_id
    with bad_request("MESSAGE_TOO_LONG"):
        await query.answer("x" * 201)
    assert await query.answer("Page 3")
    assert fake_telegram.callback_answer(pressed) == {
        "callback_query_id": query.id,
        "text": "Page 3",
    }
    with bad_request("query is too old and response timeout expired or query ID is invalid"):
        await query.answer("again")
    forged = fake_telegram.press_button(user, record, "admin:drop", forge=True)
    assert forged["callback_query"]["data"] == "admin:drop"


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def _search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    query = html.escape(" ".join(context.args or []))
    await update.effective_message.reply_html(f"<b>{update.effective_user.first_name}</b>: {query}")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text[::-1])


async def test_ptb_application_polls_and_replies(fake_telegram: FakeTelegram) -> None:
    app = build_app(fake_telegram)
    app.add_handler(CommandHandler("search", _search))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    alice = fake_telegram.user(first_name="Alice")
    group = fake_telegram.group(title="Readers")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        fake_telegram.send_text(alice, "/search reward <models>")
        [reply] = await fake_telegram.wait_for_sent(alice)
        fake_telegram.send_text(alice, "hello")
        [echo] = await fake_telegram.wait_for_sent(alice)
        fake_telegram.send_text(alice, f"/search@{fake_telegram.bot_username} 对齐", chat=group)
        [in_group] = await fake_telegram.wait_for_sent(group)
        await app.updater.stop()
        await app.stop()
    assert (reply.text, reply.parse_mode, reply.entities[0]["type"]) == (
        "Alice: reward <models>",
        "HTML",
        "bold",
    )
    assert echo.text == "olleh"
    assert in_group.text == "Alice: 对齐"
    assert fake_telegram.errors == [] and fake_telegram.violations == []
    assert fake_telegram.answer_violations == []


async def test_our_webhook_route_receives_posted_updates_with_the_secret(
    fake_telegram: FakeTelegram,
) -> None:
    """The fake posts updates like Telegram to the webhook route of our HTTP server (PTB's
    custom-webhook pattern: `bot.telegram.webhook`), secret header and all."""
    app = build_app(fake_telegram)
    app.add_handler(CommandHandler("search", _search))
    user = fake_telegram.user(first_name="Wei")
    async with app:
        await app.start()
        hook = TelegramWebhook("http://127.0.0.1/hook", "s3cret")
        async with serving(build_server(hook.routes()), "127.0.0.1:0") as port:
            hook.attach(app)
            await app.bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
            update = fake_telegram.send_text(user, "/search 检索")
            assert fake_telegram.pending_updates == []  # with a webhook, nothing waits for polling
            wrong = await fake_telegram.apost_webhook_update(update, secret="wrong")
            right = await fake_telegram.apost_webhook_update(update)
            [reply] = await fake_telegram.wait_for_sent(user)
        await app.stop()
    assert (wrong, right) == (403, 200)
    assert reply.text == "Wei: 检索"
    assert fake_telegram.calls("setWebhook")[0].params["secret_token"] == "s3cret"


async def test_answers_unknown_chat_members_like_telegram(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    group = fake_telegram.group()
    with pytest.raises(BadRequest):
        await bot.get_chat_member(group.id, 5)
    stranger = fake_telegram.user()
    assert (await bot.get_chat_member(group.id, stranger.id)).status == "left"
