"""The fake Bot API's brain: dispatch, faults and flood limits, updates, webhooks and commands.

`BotApi.handle(method, raw_params, form=...)` turns one HTTP request into (status, JSON body),
or None when an injected fault says to drop the connection. All state sits behind one lock;
`changed` (a Condition on it) wakes long-polling getUpdates and the harness's waiters.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from tests.fakes.telegram_html import utf16_len
from tests.fakes.telegram_messages import MessageMethods
from tests.fakes.telegram_photos import PhotoMethods, StoredPhoto
from tests.fakes.telegram_setup import SetupMethods
from tests.fakes.telegram_spec import ApiError, Spec
from tests.fakes.telegram_state import (
    Bucket,
    Call,
    FakeChat,
    FakeUser,
    Fault,
    FloodLimits,
    SentMessage,
    retry_after,
)

DEFAULT_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}
_BOT_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class BotApi(MessageMethods, PhotoMethods, SetupMethods):
    def __init__(self, *, token: str, spec: Spec, flood: FloodLimits | None, bot: FakeUser):
        self.token = token
        self.spec = spec
        self.flood = flood
        self.bot = bot
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[int, dict[int, SentMessage]] = {}
        self.blocked: set[int] = set()
        self.photos: dict[str, StoredPhoto] = {}  # every file_id handed out (sendPhoto)
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.updates: list[dict[str, Any]] = []
        self.allowed_updates: list[str] | None = None
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.answer_violations: list[str] = []
        self.faults: list[Fault] = []
        self.listeners: list[Callable[[], None]] = []
        self.closing = False
        self.waiting_polls = 0  # getUpdates requests now long-polling
        self._seq = 0
        self._update_id = 100_000
        self._poll_generation = 0
        self._message_ids: dict[int, int] = {}
        self._buckets: dict[int | str, Bucket] = {}

    # -- bookkeeping ------------------------------------------------------------------------

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def notify(self) -> None:
        self.changed.notify_all()
        for listener in list(self.listeners):
            listener()

    def find_chat(self, chat_id: Any) -> FakeChat | None:
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                name = chat_id[1:].lower()
                return next((c for c in self.chats.values() if _username(c) == name), None)
            if not re.fullmatch(r"-?[0-9]+", chat_id):
                return None
            chat_id = int(chat_id)
        return self.chats.get(chat_id)

    # -- dispatch ---------------------------------------------------------------------------

    def handle(
        self,
        name: str,
        raw: dict[str, Any],
        *,
        form: bool,
        client_alive: Callable[[], bool] = lambda: True,
    ) -> tuple[int, dict] | None:
        method = self.spec.method_name(name)
        with self.lock:
            if method is None:
                self.violations.append(f"unknown method {name!r}")
                return self._record(name, raw, ApiError(404, "Not Found"))
            fault = self._take_fault(method)
            if fault is not None and fault.kind == "drop":
                return None
            try:
                if fault is not None:
                    raise _fault_error(fault)
                params, violations = self.spec.parse_params(method, raw, form=form)
                self.violations.extend(violations)
            except ApiError as exc:
                return self._record(method, raw, exc)
        if method == "getUpdates":
            try:
                return self._answer(method, params, lambda: self.m_getUpdates(params, client_alive))
            except _Abandoned:
                return None
        with self.lock:
            return self._answer(method, params, lambda: self._dispatch(method, params))

    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"m_{method}", None)
        if handler is not None:
            return handler(params)
        if method.startswith("send") and self.spec.returns(method) == ["Message"]:
            return self.m_generic_send(method, params)
        return True

    def _answer(
        self, method: str, params: dict[str, Any], run: Callable[[], Any]
    ) -> tuple[int, dict]:
        try:
            result = run()
        except ApiError as exc:
            with self.lock:
                return self._record(method, params, exc)
        with self.lock:
            self._check_answer(method, result)
            return self._record(method, params, result)

    def _record(self, method: str, params: dict[str, Any], outcome: Any) -> tuple[int, dict]:
        if isinstance(outcome, ApiError):
            status, body = outcome.code, outcome.body()
        else:
            status, body = 200, {"ok": True, "result": outcome}
        self.calls.append(Call(self.next_seq(), method, params, status, body, time.monotonic()))
        self.notify()
        return status, body

    def _check_answer(self, method: str, result: Any) -> None:
        """The fake checks its own answers against the spec too, so PTB parses what it gets."""
        violations: list[str] = []
        try:
            self.spec.check_value(self.spec.returns(method), result, violations, method)
        except ValueError as exc:
            violations.append(f"{method}: {exc}")
        self.answer_violations.extend(violations)

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.applies(method):
                fault.times -= 1
                return fault
        return None

    def check_flood(self, chat: FakeChat, params: dict[str, Any] | None = None) -> None:
        """429 when the bot's overall (or, for `allow_paid_broadcast`, paid) budget or the
        chat's is spent. One BotApi serves one token: the buckets are the bot's, whichever
        process or connection the request came from."""
        if self.flood is None:
            return
        paid = bool((params or {}).get("allow_paid_broadcast"))
        overall = self._bucket("paid" if paid else "all")
        buckets = [overall, self._bucket(chat.id, private=chat.type == "private")]
        now = time.monotonic()
        wait = max(bucket.wait_needed(now) for bucket in buckets)
        if wait > 0:
            seconds = retry_after(wait)
            raise ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        for bucket in buckets:
            bucket.take()

    def _bucket(self, key: int | str, *, private: bool = True) -> Bucket:
        if key not in self._buckets:
            limits = self.flood or FloodLimits()
            if key == "all":
                self._buckets[key] = Bucket(limits.global_burst, limits.global_per_second)
            elif key == "paid":
                self._buckets[key] = Bucket(limits.paid_burst, limits.paid_per_second)
            elif private:
                self._buckets[key] = Bucket(limits.private_burst, limits.private_per_second)
            else:
                self._buckets[key] = Bucket(limits.group_burst, limits.group_per_second)
        return self._buckets[key]

    # -- getMe and updates ------------------------------------------------------------------

    def m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def m_getUpdates(
        self, params: dict[str, Any], client_alive: Callable[[], bool] = lambda: True
    ) -> list[dict[str, Any]]:
        with self.lock:
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            self.notify()  # an older long poll still waiting ends with 409, as on Telegram
            self._confirm(params.get("offset"))
            if "allowed_updates" in params:
                self.allowed_updates = params["allowed_updates"]
            limit = min(max(params.get("limit", 100), 1), 100)
            deadline = time.monotonic() + max(params.get("timeout", 0), 0)
            while True:
                if not client_alive():
                    raise _Abandoned  # PTB cancelled this poll; nobody reads the answer
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                ready = self._deliverable()[:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self.closing:
                    return ready
                self._wait_for_updates(remaining)

    def _wait_for_updates(self, seconds: float) -> None:
        self.waiting_polls += 1
        self.notify()
        try:
            self.changed.wait(seconds)
        finally:
            self.waiting_polls -= 1

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def _deliverable(self) -> list[dict[str, Any]]:
        allowed = set(self.allowed_updates or [])
        kept = []
        for update in self.updates:
            kind = next(key for key in update if key != "update_id")
            if (kind in allowed) if allowed else (kind not in DEFAULT_EXCLUDED):
                kept.append(update)
        self.updates = kept  # Telegram never creates updates of types the bot did not ask for
        return list(kept)

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._update_id += 1
        update = {"update_id": self._update_id, kind: payload}
        if self.webhook is None:
            self.updates.append(update)
        self.next_seq()
        self.notify()
        return update

    # -- what users do (called by the harness) -------------------------------------------------

    def user_message(
        self, user: FakeUser, text: str, chat: FakeChat, **extra: Any
    ) -> dict[str, Any]:
        if chat.type != "private":
            chat.members.add(user.id)
        message = SentMessage(
            chat_id=chat.id,
            message_id=self.next_message_id(chat.id),
            text=text,
            date=int(time.time()),
            seq=self.next_seq(),
            from_bot=False,
            html=text,
            entities=command_entities(text),
            sender=user,
        )
        self.messages.setdefault(chat.id, {})[message.message_id] = message
        payload = {**message.to_api(chat, self.bot), **extra}
        return self.push_update("message", payload)

    def chat_message(
        self, chat: FakeChat, text: str, *, sender_chat: FakeChat, sender: FakeUser | None
    ) -> dict[str, Any]:
        """A message sent on behalf of a chat: a channel post (no `from`), an anonymous group
        admin or a user posting as a channel (`from` a stand-in bot, `sender_chat` set)."""
        message = SentMessage(
            chat_id=chat.id, message_id=self.next_message_id(chat.id), text=text,
            date=int(time.time()), seq=self.next_seq(), from_bot=False, html=text,
            entities=command_entities(text), sender=sender,
        )  # fmt: skip
        self.messages.setdefault(chat.id, {})[message.message_id] = message
        payload = {**message.to_api(chat, self.bot), "sender_chat": sender_chat.to_api()}
        return self.push_update("channel_post" if chat.type == "channel" else "message", payload)

    def callback(self, user: FakeUser, message: SentMessage, data: str) -> dict[str, Any]:
        query_id = uuid.uuid4().hex[:16]
        self.callback_queries[query_id] = {"answer": None, "data": data, "user": user.id}
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "message": message.to_api(self.chats[message.chat_id], self.bot),
            "chat_instance": str(abs(hash(message.chat_id))),
            "data": data,
        }
        return self.push_update("callback_query", payload)


class _Abandoned(Exception):
    """The client hung up on a long poll: it is neither answered nor recorded."""


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities the way Telegram marks `/cmd` and `/cmd@bot` in a message."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group(0)),
        }
        for match in _BOT_COMMAND.finditer(text)
    ]


def _username(chat: FakeChat) -> str | None:
    name = chat.username or (chat.user.username if chat.user else None)
    return name.lower() if name else None


def _fault_error(fault: Fault) -> ApiError:
    if fault.kind == "flood":
        seconds = fault.retry_after
        return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
    return ApiError(fault.status, _STATUS_TEXT.get(fault.status, "Internal Server Error"))
