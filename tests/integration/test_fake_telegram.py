"""The fake Telegram behaves like Telegram, as seen by the real python-telegram-bot `Bot`.

Messages, Telegram's content rules, flood limits, blocked users, injected faults and the spec
checks. Polling, webhooks, commands, callback queries and a running PTB Application are in
`test_fake_telegram_updates.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.warnings import PTBUserWarning

from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import FloodLimits


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns (an error under -W error) when RetryAfter is built in int mode."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def bad_request(description: str) -> pytest.RaisesExc[BadRequest]:
    """PTB drops "Bad Request: " and re-capitalizes the rest of Telegram's description."""
    return pytest.raises(BadRequest, match=f"(?i){re.escape(description)}")


async def raw_call(bot: Bot, method: str, **params: object) -> object:
    """A request PTB's typed methods would not let us build (a missing parameter, …)."""
    with pytest.warns(PTBUserWarning, match="Please use"):
        return await bot.do_api_request(method, api_kwargs=params)


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake_telegram) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d[:10] or "x", callback_data=d)] for d in data]
    )


async def test_get_me_describes_the_bot(fake_telegram: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake_telegram.bot.id, "digest_test_bot", True)
    assert fake_telegram.answer_violations == []


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with make_bot(fake_telegram, "999:wrong"):  # initialize() calls getMe
            pass
    assert fake_telegram.calls() == []  # refused before any method ran


async def test_unknown_method_is_not_found_and_recorded(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert fake_telegram.violations == ["unknown method 'sendTelepathy'"]


async def test_send_message_returns_a_full_message(fake_telegram: FakeTelegram, bot: Bot) -> None:
    alice, bob = fake_telegram.user(first_name="Alice"), fake_telegram.user(first_name="Bob")
    html = '<b>第1期</b> &amp; <a href="https://arxiv.org/abs/2501.00001">paper</a>'
    first = await bot.send_message(alice.id, html, parse_mode="HTML", reply_markup=keyboard("p:2"))
    second = await bot.send_message(alice.id, "plain")
    other = await bot.send_message(bob.id, "hello Bob")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.text == "第1期 & paper"
    assert first.entities == (
        MessageEntity("bold", 0, 3),
        MessageEntity("text_link", 6, 5, url="https://arxiv.org/abs/2501.00001"),
    )
    assert first.from_user is not None and first.from_user.id == fake_telegram.bot.id
    assert first.chat.id == alice.id and first.chat.first_name == "Alice"
    assert abs(first.date - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    recorded = fake_telegram.sent(alice)
    assert [m.message_id for m in recorded] == [1, 2]
    assert (recorded[0].html, recorded[0].parse_mode) == (html, "HTML")
    assert recorded[0].callback_data == ["p:2"]
    assert fake_telegram.violations == [] and fake_telegram.answer_violations == []


@pytest.mark.parametrize(
    ("text", "markup", "error"),
    [
        ("<b>unclosed", None, "can't parse entities: Can't find end tag"),
        ("a <div>b</div>", None, 'can\'t parse entities: Unsupported start tag "div"'),
        ("Q&A", None, 'Character "&" must be escaped'),
        ("   ", None, "message text is empty"),
        ("<b> </b>", None, "message text is empty"),
        ("x" * 4097, None, "message is too long"),
        ("😀" * 2049, None, "message is too long"),  # 2049 characters, 4098 UTF-16 units
        ("ok", keyboard("x" * 65), "BUTTON_DATA_INVALID"),
        ("ok", keyboard("搜" * 22), "BUTTON_DATA_INVALID"),  # 66 bytes in UTF-8
    ],
)
async def test_send_message_refuses_what_telegram_refuses(
    fake_telegram: FakeTelegram,
    bot: Bot,
    text: str,
    markup: InlineKeyboardMarkup | None,
    error: str,
) -> None:
    user = fake_telegram.user()
    with bad_request(error):
        await bot.send_message(user.id, text, parse_mode="HTML", reply_markup=markup)
    assert fake_telegram.sent(user) == []
    assert fake_telegram.errors[-1].description.startswith("Bad Request: ")


async def test_limits_count_utf16_units_after_parsing(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    user = fake_telegram.user()
    longest = "<b>" + "x" * 4096 + "</b>"
    message = await bot.send_message(
        user.id, longest, parse_mode="HTML", reply_markup=keyboard("搜" * 21)
    )
    assert len(message.text) == 4096


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with bad_request("chat not found"):
        await bot.send_message(424242, "hello")
    with bad_request("chat not found"):
        await bot.get_chat("@nobody_here")


async def test_edit_message_text(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user()
    sent = await bot.send_message(user.id, "page 1", reply_markup=keyboard("p:2"))
    edited = await bot.edit_message_text(
        "<i>page 2</i>", user.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard("p:1")
    )
    assert (
        isinstance(edited, type(sent)) and edited.text == "page 2" and edited.edit_date is not None
    )
    with bad_request("message is not modified"):
        await bot.edit_message_text(
            "<i>page 2</i>",
            user.id,
            sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("p:1"),
        )
    await bot.edit_message_text("<i>page 2</i>", user.id, sent.message_id, parse_mode="HTML")
    with bad_request("message to edit not found"):
        await bot.edit_message_text("x", user.id, 99)
    record = fake_telegram.message(user, sent.message_id)
    assert record.reply_markup is None  # an edit without reply_markup removes the keyboard
    assert [e["text"] for e in record.edits] == ["page 1", "page 2"]


async def test_edit_reply_markup_and_delete(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user()
    sent = await bot.send_message(user.id, "choose", reply_markup=keyboard("a"))
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("b"))
    assert fake_telegram.message(user, sent.message_id).callback_data == ["b"]
    with bad_request("message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("b"))
    assert await bot.delete_message(user.id, sent.message_id) is True
    assert fake_telegram.sent(user) == []
    with bad_request("message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)
    with bad_request("message to edit not found"):
        await bot.edit_message_text("again", user.id, sent.message_id)


async def test_chat_action_and_chat_lookups(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user(username="alice")
    group = fake_telegram.group(title="ML readers", members=[user])
    assert await bot.send_chat_action(user.id, "typing") is True
    with bad_request("wrong parameter action"):
        await bot.send_chat_action(user.id, "dancing")
    assert (await bot.get_chat("@alice")).id == user.id
    assert (await bot.get_chat(group.id)).title == "ML readers"
    assert (await bot.get_chat_member(group.id, user.id)).status == "member"
    assert (await bot.get_chat_member(group.id, fake_telegram.bot.id)).status == "administrator"
    assert fake_telegram.answer_violations == []


async def test_private_chat_flood_limit_answers_429(bot: Bot) -> None:
    fake = FakeTelegram(flood=FloodLimits(private_burst=2, private_per_second=0.2))
    with fake:
        async with make_bot(fake) as client:
            user = fake.user()
            await client.send_message(user.id, "1")
            await client.send_message(user.id, "2")
            with pytest.raises(RetryAfter) as caught:
                await client.send_message(user.id, "3")
            other = fake.user()
            await client.send_message(other.id, "another chat has its own budget")
    assert caught.value.retry_after == dt.timedelta(seconds=5)
    error = fake.errors[-1]
    assert error.status == 429 and error.response["parameters"] == {"retry_after": 5}
    assert error.description == "Too Many Requests: retry after 5"


async def test_group_and_global_flood_limits() -> None:
    limits = FloodLimits(
        group_burst=1, group_per_second=20 / 60, global_burst=3, global_per_second=0.5
    )
    with FakeTelegram(flood=limits) as fake:
        async with make_bot(fake) as client:
            group = fake.group()
            await client.send_message(group.id, "once")
            with pytest.raises(RetryAfter) as group_limit:
                await client.send_message(group.id, "twice")
            users = [fake.user() for _ in range(3)]
            await client.send_message(users[0].id, "2nd overall")
            await client.send_message(users[1].id, "3rd overall")
            with pytest.raises(RetryAfter):
                await client.send_message(users[2].id, "4th overall")
    assert group_limit.value.retry_after == dt.timedelta(seconds=3)


async def test_paid_broadcasts_have_their_own_budget_shared_by_every_client() -> None:
    """allow_paid_broadcast: the paid bucket (not the overall 30/s), per bot across clients."""
    limits = FloodLimits(
        global_burst=2, global_per_second=0.01, paid_burst=3, paid_per_second=0.01,
        private_burst=100, private_per_second=100,
    )  # fmt: skip
    with FakeTelegram(flood=limits) as fake:
        users = [fake.user() for _ in range(8)]
        async with make_bot(fake) as first, make_bot(fake) as second:
            await first.send_message(users[0].id, "free 1")
            await second.send_message(users[1].id, "free 2")  # another client, the same bot
            with pytest.raises(RetryAfter):
                await first.send_message(users[2].id, "free 3")
            for n, client in enumerate((first, second, first)):
                await client.send_message(users[3 + n].id, "paid", allow_paid_broadcast=True)
            with pytest.raises(RetryAfter):
                await second.send_message(users[6].id, "paid 4", allow_paid_broadcast=True)
    paid = [call for call in fake.calls("sendMessage") if call.params.get("allow_paid_broadcast")]
    assert [call.status for call in paid] == [200, 200, 200, 429]
    assert fake.violations == []


async def test_forced_flood_then_recovery(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user()
    fake_telegram.force_flood(times=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(user.id, "hi")
        assert caught.value.retry_after == dt.timedelta(seconds=7)
    assert (await bot.send_message(user.id, "hi")).message_id == 1


async def test_blocked_user_is_forbidden(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user, group = fake_telegram.user(), fake_telegram.group(type="group")
    fake_telegram.block(user)
    fake_telegram.block(group)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "hello?")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "hello?")
    fake_telegram.unblock(user)
    assert (await bot.send_message(user.id, "welcome back")).text == "welcome back"


async def test_injected_server_errors_and_drops(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user = fake_telegram.user()
    fake_telegram.fail_next(status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "1")
    fake_telegram.drop_next(methods=["sendMessage"])
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "2")
    assert (await bot.send_message(user.id, "3")).text == "3"


async def test_spec_violations_are_refused_or_recorded(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    user = fake_telegram.user()
    with bad_request("message text is empty"):
        await raw_call(bot, "sendMessage", chat_id=user.id)
    with bad_request('parameter "message_id" is required'):
        await raw_call(bot, "deleteMessage", chat_id=user.id)
    with bad_request('parameter "limit" must be of type Integer'):
        await raw_call(bot, "getUpdates", limit="ten")
    with bad_request("can't parse reply keyboard markup JSON object"):
        await raw_call(bot, "sendMessage", chat_id=user.id, text="x", reply_markup={"rows": []})
    with bad_request("can't parse BotCommand: Can't find field \"description\""):
        await raw_call(bot, "setMyCommands", commands=[{"command": "a"}])
    with bad_request("can't parse BotCommandScope"):
        await raw_call(bot, "setMyCommands", commands=[], scope={"type": "everyone"})
    assert fake_telegram.violations == []
    await bot.send_message(user.id, "x", api_kwargs={"colour": "blue"})
    assert fake_telegram.violations == ["sendMessage: unknown parameter 'colour'"]


async def test_json_bodies_are_checked_too(fake_telegram: FakeTelegram) -> None:
    user = fake_telegram.user()
    url = f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        good = await client.post(url, json={"chat_id": user.id, "text": "hi", "extra": {"a": 1}})
        bad = await client.post(url, json={"chat_id": user.id, "text": 5})
        unauthorized = await client.post(url.replace(fake_telegram.token, "1:nope"), json={})
    assert good.json()["result"]["text"] == "hi"
    assert bad.status_code == 400 and bad.json()["description"].startswith("Bad Request: ")
    assert (unauthorized.status_code, unauthorized.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert fake_telegram.violations == ["sendMessage: unknown parameter 'extra'"]
