"""A fake Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

It serves `GET/POST {url}/bot<token>/<method>` (JSON, form or multipart bodies, as PTB sends
form fields) on 127.0.0.1 from a background thread, checks every request against the Bot API
10.1 spec and Telegram's rules, and gives the test a small world to play in: users and groups
who type messages and press buttons, and a record of everything the bot sent.

Enforced like Telegram: wrong token → 401; unknown method → 404; missing/mistyped parameters →
400 (unknown parameters are only recorded, in `fake.violations`); HTML parse mode via
`telegram_html` ("can't parse entities: …"), "message text is empty", "message is too long"
(4096 UTF-16 units after parsing), callback_data of 1-64 bytes ("BUTTON_DATA_INVALID"), "message
is not modified", "chat not found", "message to edit/delete not found", stale callback queries,
command names `[a-z0-9_]{1,32}` and 1-256-character descriptions, flood limits (429 with
`retry_after`), blocked users (403), getUpdates while a webhook is set (409).

    with FakeTelegram() as fake:                      # or the pytest fixture `fake_telegram`
        app = (Application.builder().token(fake.token).base_url(fake.base_url)
               .base_file_url(fake.base_file_url).build())
        alice = fake.user(first_name="Alice", language_code="zh")
        fake.send_text(alice, "/subscribe RLHF")      # pushes a message update
        replies = await fake.wait_for_sent(alice)     # what the bot sent since then
        assert "RLHF" in replies[0].text              # .text plain, .html raw, .reply_markup
        fake.press_button(alice, replies[0], replies[0].callback_data[0])
        edited = await fake.wait_for_edits(alice)     # or wait_for_calls("answerCallbackQuery")
        assert fake.violations == []                  # nothing outside the spec was sent

World: `user(...)`, `group(...)`, `block(chat)`/`unblock(chat)`, `send_text(user, text,
chat=None, reply_to=None)`, `press_button(user, message, data, forge=False)`,
`set_status(chat, user, status)` (getChatMember), `channel_post(channel, text)`,
`send_as_chat(group, text, as_chat=None)` (anonymous admin / posting as a channel),
`push_update(kind, payload)`. Faults: `force_flood(times, retry_after)`, `fail_next(times,
status)`, `drop_next(times)` (by default for every method but getUpdates). Observations:
`sent(chat)`, `message(chat, id)`, `calls(method)`, `errors`, `violations`,
`answer_violations`, `commands`, `webhook`, `pending_updates`, `callback_answer(update)`,
`mark()`; waits (async, and `_sync` twins for threads): `wait_for_sent`, `wait_for_edits`,
`wait_for_calls`, `wait_for_poll`, `wait_until` (see telegram_waits.py). Webhooks:
`post_webhook_update(update, secret=...)` and its async twin `apost_webhook_update` (use that
one when the bot's webhook server runs in the test's own event loop). A `chat` argument may be
a chat id, a FakeUser or a FakeChat.
`FakeTelegram(flood=None)` turns flood limits off (benchmarks); `FloodLimits(...)` tunes them.

Set `PTB_TIMEDELTA=true` in tests: PTB 22 otherwise warns (an error under -W error) whenever it
builds a RetryAfter. The server is an asyncio HTTP/1.1 server on its own thread and loop
(telegram_http.py); alone it answers about 4,600 sendMessage/s to 50 keep-alive clients, far
more than a PTB client in the same process can send.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from typing import Any

import httpx

from tests.fakes.telegram_api import BotApi
from tests.fakes.telegram_http import HttpServer
from tests.fakes.telegram_spec import Spec
from tests.fakes.telegram_state import Call, FakeChat, FakeUser, Fault, FloodLimits, SentMessage
from tests.fakes.telegram_waits import ChatRef, Waits, chat_id_of

DEFAULT_TOKEN = "123456:TEST-token_for-the-fake"
# The accounts Telegram puts in `from` when a message is sent on behalf of a chat.
ANONYMOUS_ADMIN = FakeUser(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
CHANNEL_BOT = FakeUser(136817688, "Channel", username="Channel_Bot", is_bot=True)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_REGISTERED = object()  # post_webhook_update: send the secret the bot registered
_SPEC: Spec | None = None


def _spec() -> Spec:
    global _SPEC
    if _SPEC is None:
        _SPEC = Spec()
    return _SPEC


class FakeTelegram(Waits):
    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        flood: FloodLimits | None = FloodLimits(),  # noqa: B008 - frozen, shared safely
        bot_username: str = "digest_test_bot",
        bot_id: int | None = None,
    ) -> None:
        self.token = token
        self.bot = FakeUser(
            id=bot_id or int(token.split(":")[0]),
            first_name="Digest",
            username=bot_username,
            is_bot=True,
        )
        self.api = BotApi(token=token, spec=_spec(), flood=flood, bot=self.bot)
        self._ids = itertools.count(1001)
        self._group_ids = itertools.count(1)
        self._last_push: dict[int, int] = {}
        self._server = HttpServer(self.api)

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def base_url(self) -> str:
        """For `Application.builder().base_url(...)`: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_username(self) -> str:
        return str(self.bot.username)

    def start(self) -> FakeTelegram:
        self._server.start()
        return self

    def stop(self) -> None:
        with self.api.lock:
            self.api.closing = True
            self.api.notify()  # long polls return at once
        self._server.stop()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the world ----------------------------------------------------------------------------

    def user(
        self,
        id: int | None = None,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A user who has opened a private chat with the bot (chat id == user id)."""
        user = FakeUser(id or next(self._ids), first_name, last_name, username, language_code)
        with self.api.lock:
            self.api.users[user.id] = user
            self.api.chats[user.id] = FakeChat(user.id, "private", user=user)
        return user

    def group(
        self,
        id: int | None = None,
        title: str = "Test group",
        *,
        type: str = "supergroup",
        username: str | None = None,
        members: Iterable[FakeUser] = (),
    ) -> FakeChat:
        """A group (or supergroup/channel) the bot is in; members join by writing in it."""
        chat_id = id or -1_001_000_000_000 - next(self._group_ids)
        chat = FakeChat(chat_id, type, title=title, username=username)
        chat.members.update(user.id for user in members)
        with self.api.lock:
            self.api.chats[chat_id] = chat
        return chat

    def block(self, chat: ChatRef) -> None:
        """The user blocked the bot (or the group kicked it): sends answer 403 Forbidden."""
        with self.api.lock:
            self.api.blocked.add(chat_id_of(chat))

    def unblock(self, chat: ChatRef) -> None:
        with self.api.lock:
            self.api.blocked.discard(chat_id_of(chat))

    def send_text(
        self,
        user: FakeUser,
        text: str,
        chat: FakeChat | None = None,
        *,
        reply_to: SentMessage | None = None,
    ) -> dict[str, Any]:
        """The user types `text` (in their private chat, or in `chat`); returns the Update."""
        with self.api.lock:
            target = chat or self.api.chats[user.id]
            extra = {}
            if reply_to is not None:
                extra["reply_to_message"] = reply_to.to_api(target, self.bot)
            update = self.api.user_message(user, text, target, **extra)
            self._last_push[target.id] = self.api._seq
            return update

    def send_media(self, user: FakeUser, field: str, body: Any) -> dict[str, Any]:
        """The user sends something that is not text (a photo, sticker, voice note, location…)
        in their private chat: the Message carries `field` = `body` and no `text`."""
        with self.api.lock:
            target = self.api.chats[user.id]
            message = SentMessage(
                chat_id=target.id, message_id=self.api.next_message_id(target.id), text="",
                date=int(time.time()), seq=self.api.next_seq(), from_bot=False, html="",
                entities=[], sender=user,
            )  # fmt: skip
            payload = {**message.to_api(target, self.api.bot), field: body}
            payload.pop("text", None)
            payload.pop("entities", None)
            update = self.api.push_update("message", payload)
            self._last_push[target.id] = self.api._seq
            return update

    def set_status(self, chat: FakeChat, user: FakeUser, status: str) -> None:
        """What getChatMember answers for `user` in `chat`: "creator", "administrator",
        "member", "restricted", "left" or "kicked"."""
        with self.api.lock:
            self.api._member(status, user.to_api())  # refuses a status Telegram has not
            chat.statuses[user.id] = status
            if status in ("creator", "administrator", "member", "restricted"):
                chat.members.add(user.id)

    def channel_post(self, channel: FakeChat, text: str) -> dict[str, Any]:
        """An admin of `channel` posts `text` in it: a channel_post with no `from`."""
        with self.api.lock:
            update = self.api.chat_message(channel, text, sender_chat=channel, sender=None)
            self._last_push[channel.id] = self.api._seq
            return update

    def send_as_chat(
        self, chat: FakeChat, text: str, *, as_chat: FakeChat | None = None
    ) -> dict[str, Any]:
        """Someone writes in group `chat` without showing who they are: an anonymous admin
        (as the group itself, `from` GroupAnonymousBot) or, with `as_chat`, a user posting as
        that channel (`from` Channel_Bot)."""
        stand_in = ANONYMOUS_ADMIN if as_chat is None else CHANNEL_BOT
        with self.api.lock:
            update = self.api.chat_message(chat, text, sender_chat=as_chat or chat, sender=stand_in)
            self._last_push[chat.id] = self.api._seq
            return update

    def press_button(
        self, user: FakeUser, message: SentMessage, callback_data: str, *, forge: bool = False
    ) -> dict[str, Any]:
        """The user taps an inline button; `forge=True` allows data no button carries."""
        with self.api.lock:
            current = self.api.messages[message.chat_id][message.message_id]
            if current.deleted:
                raise LookupError(f"message {message.message_id} was deleted")
            if not forge and callback_data not in current.callback_data:
                raise LookupError(f"no button with {callback_data!r}: {current.callback_data}")
            chat = self.api.chats[message.chat_id]
            if chat.type != "private":
                chat.members.add(user.id)
            update = self.api.callback(user, current, callback_data)
            self._last_push[message.chat_id] = self.api._seq
            return update

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Any other update (edited_message, my_chat_member, …), payload as the Bot API has it."""
        with self.api.lock:
            return self.api.push_update(kind, payload)

    # -- faults -------------------------------------------------------------------------------

    def force_flood(
        self, times: int = 1, retry_after: int = 1, methods: Iterable[str] | None = None
    ) -> None:
        """The next `times` requests answer 429 Too Many Requests with this retry_after."""
        self._fault(Fault("flood", times, _methods(methods), retry_after=retry_after))

    def fail_next(
        self, times: int = 1, status: int = 502, methods: Iterable[str] | None = None
    ) -> None:
        """The next `times` requests answer a 5xx (PTB raises NetworkError)."""
        self._fault(Fault("status", times, _methods(methods), status=status))

    def drop_next(self, times: int = 1, methods: Iterable[str] | None = None) -> None:
        """The next `times` requests get the connection closed without an answer."""
        self._fault(Fault("drop", times, _methods(methods)))

    def _fault(self, fault: Fault) -> None:
        with self.api.lock:
            self.api.faults.append(fault)

    # -- observations -------------------------------------------------------------------------

    def sent(self, chat: ChatRef, *, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, as they are now (edits applied)."""
        with self.api.lock:
            return [
                m
                for m in self.api.messages.get(chat_id_of(chat), {}).values()
                if m.from_bot and (include_deleted or not m.deleted)
            ]

    def message(self, chat: ChatRef, message_id: int) -> SentMessage:
        with self.api.lock:
            return self.api.messages[chat_id_of(chat)][message_id]

    def calls(self, method: str | None = None) -> list[Call]:
        with self.api.lock:
            return [c for c in self.api.calls if method is None or c.method == method]

    @property
    def errors(self) -> list[Call]:
        """Every request that got an error answer (400, 403, 429, …)."""
        with self.api.lock:
            return [c for c in self.api.calls if not c.ok]

    @property
    def violations(self) -> list[str]:
        """Spec violations: unknown methods, parameters and object fields the bot sent."""
        with self.api.lock:
            return list(self.api.violations)

    @property
    def answer_violations(self) -> list[str]:
        """The fake's own answers that stray from the spec (should stay empty)."""
        with self.api.lock:
            return list(self.api.answer_violations)

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """setMyCommands by (scope, language_code): scope "default", "all_private_chats", …,
        "chat:<id>", "chat_member:<chat id>:<user id>"; language "" when none was given."""
        with self.api.lock:
            return {key: list(value) for key, value in self.api.commands.items()}

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The setWebhook parameters in force (url, secret_token, …), or None."""
        with self.api.lock:
            return dict(self.api.webhook) if self.api.webhook else None

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        with self.api.lock:
            return list(self.api.updates)

    def callback_answer(self, update: dict[str, Any]) -> dict[str, Any] | None:
        """The answerCallbackQuery parameters for this callback_query update, if answered."""
        with self.api.lock:
            query = self.api.callback_queries.get(update["callback_query"]["id"])
            return query["answer"] if query else None

    def mark(self) -> int:
        """A point in time for the `since=` argument of the waits."""
        with self.api.lock:
            return self.api._seq

    # -- webhooks -----------------------------------------------------------------------------

    def _webhook_request(self, secret: Any) -> tuple[str, dict[str, str]]:
        hook = self.webhook
        if hook is None:
            raise RuntimeError("no webhook is set (the bot has not called setWebhook)")
        token = hook.get("secret_token") if secret is _REGISTERED else secret
        headers = {SECRET_HEADER: token} if token is not None else {}
        return hook["url"], headers

    def post_webhook_update(self, update: dict[str, Any], *, secret: Any = _REGISTERED) -> int:
        """POST the update to the registered webhook like Telegram; the HTTP status.
        `secret="wrong"` sends a wrong secret token, `secret=None` none at all."""
        url, headers = self._webhook_request(secret)
        with httpx.Client(timeout=10) as client:
            return client.post(url, json=update, headers=headers).status_code

    async def apost_webhook_update(
        self, update: dict[str, Any], *, secret: Any = _REGISTERED
    ) -> int:
        url, headers = self._webhook_request(secret)
        async with httpx.AsyncClient(timeout=10) as client:
            return (await client.post(url, json=update, headers=headers)).status_code


def _methods(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(methods)
