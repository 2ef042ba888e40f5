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
`push_update(kind, payload)`. Faults: `force_flood(times, retry_after)`, `fail_next(times,
status)`, `drop_next(times)` (by default for every method but getUpdates). Observations:
`sent(chat)`, `message(chat, id)`, `calls(method)`, `errors`, `violations`,
`answer_violations`, `commands`, `webhook`, `pending_updates`, `callback_answer(update)`,
`mark()`; waits (async, and `_sync` twins for threads): `wait_for_sent`, `wait_for_edits`,
`wait_for_calls`, `wait_until`. Webhooks: `post_webhook_update(update, secret=...)` and its
async twin `apost_webhook_update` (use that one when the bot's webhook server runs in the
test's own event loop). A `chat` argument may be a chat id, a FakeUser or a FakeChat.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx

from tests.fakes.telegram_api import BotApi
from tests.fakes.telegram_http import HttpServer
from tests.fakes.telegram_spec import Spec
from tests.fakes.telegram_state import Call, FakeChat, FakeUser, Fault, FloodLimits, SentMessage

DEFAULT_TOKEN = "123456:TEST-token_for-the-fake"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_REGISTERED = object()  # post_webhook_update: send the secret the bot registered
_SPEC: Spec | None = None
T = TypeVar("T")
ChatRef = int | FakeUser | FakeChat


def _spec() -> Spec:
    global _SPEC
    if _SPEC is None:
        _SPEC = Spec()
    return _SPEC


class FakeTelegram:
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

    # -- waiting ------------------------------------------------------------------------------

    def _since(self, chat: ChatRef | None, since: int | None) -> int:
        if since is not None:
            return since
        if chat is None:
            return max(self._last_push.values(), default=0)
        return self._last_push.get(chat_id_of(chat), 0)

    def _new_messages(self, chat: ChatRef, count: int, since: int | None) -> Callable:
        chat_id, start = chat_id_of(chat), self._since(chat, since)

        def ready() -> list[SentMessage] | None:
            found = [
                m
                for m in self.api.messages.get(chat_id, {}).values()
                if m.from_bot and m.seq > start
            ]
            return found if len(found) >= count else None

        return ready

    def _new_edits(self, chat: ChatRef, count: int, since: int | None) -> Callable:
        chat_id, start = chat_id_of(chat), self._since(chat, since)

        def ready() -> list[SentMessage] | None:
            found = [
                m for m in self.api.messages.get(chat_id, {}).values() if (m.edit_seq or 0) > start
            ]
            return found if len(found) >= count else None

        return ready

    def _new_calls(self, method: str, count: int, since: int | None) -> Callable:
        start = self._since(None, since)

        def ready() -> list[Call] | None:
            found = [c for c in self.api.calls if c.method == method and c.seq > start]
            return found if len(found) >= count else None

        return ready

    async def wait_for_sent(
        self,
        chat: ChatRef,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        since: int | None = None,
    ) -> list[SentMessage]:
        """The bot's messages sent to `chat` since the user's last update there (or `since`),
        once there are at least `count` of them (deleted ones included)."""
        return await self.wait_until(self._new_messages(chat, count, since), timeout, chat)

    def wait_for_sent_sync(
        self, chat: ChatRef, count: int = 1, timeout: float = 5.0, since: int | None = None
    ) -> list[SentMessage]:
        return self.wait_until_sync(self._new_messages(chat, count, since), timeout, chat)

    async def wait_for_edits(
        self,
        chat: ChatRef,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        since: int | None = None,
    ) -> list[SentMessage]:
        """Messages in `chat` edited since the user's last update there (or `since`)."""
        return await self.wait_until(self._new_edits(chat, count, since), timeout, chat)

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        since: int | None = None,
    ) -> list[Call]:
        """Requests of `method` since the latest pushed update (or `since`), errors included."""
        return await self.wait_until(self._new_calls(method, count, since), timeout)

    def wait_for_calls_sync(
        self, method: str, count: int = 1, timeout: float = 5.0, since: int | None = None
    ) -> list[Call]:
        return self.wait_until_sync(self._new_calls(method, count, since), timeout)

    async def wait_for_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until a getUpdates long poll is waiting at the fake (the bot is polling)."""
        await self.wait_until(lambda: True if self.api.waiting_polls else None, timeout)

    async def wait_until(
        self,
        ready: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        chat: ChatRef | None = None,
    ) -> T:
        """Wait (without blocking the event loop) until `ready()` returns non-None; it runs
        under the fake's lock on every change."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def check() -> None:
            value = ready()
            if value is not None and not future.done():
                loop.call_soon_threadsafe(_resolve, future, value)

        with self.api.lock:
            value = ready()
            if value is not None:
                return value
            self.api.listeners.append(check)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise TimeoutError(self._timeout_report(timeout, chat)) from None
        finally:
            with self.api.lock:
                self.api.listeners.remove(check)

    def wait_until_sync(
        self, ready: Callable[[], T | None], timeout: float = 5.0, chat: ChatRef | None = None
    ) -> T:
        box: list[T] = []
        with self.api.changed:

            def done() -> bool:
                value = ready()
                if value is not None:
                    box.append(value)
                return value is not None

            if not self.api.changed.wait_for(done, timeout):
                raise TimeoutError(self._timeout_report(timeout, chat))
        return box[-1]

    def _timeout_report(self, timeout: float, chat: ChatRef | None) -> str:
        lines = [f"nothing matching after {timeout} s."]
        if chat is not None:
            lines.append(f"sent to {chat_id_of(chat)}: {[m.text[:80] for m in self.sent(chat)]}")
        lines.append(f"recent errors: {[(c.method, c.description) for c in self.errors[-5:]]}")
        lines.append(f"recent calls: {[c.method for c in self.calls()[-10:]]}")
        return " ".join(lines)

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


def chat_id_of(chat: ChatRef) -> int:
    return chat if isinstance(chat, int) else chat.id


def _methods(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(methods)


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)
