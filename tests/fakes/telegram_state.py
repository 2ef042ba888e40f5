"""What the fake Telegram remembers: users, chats, messages, recorded calls and flood buckets.

Plain data with `to_api()` methods that build Bot API objects (User, Chat, ChatFullInfo,
Message), so the method handlers and the test harness share one representation.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeUser:
    """A Telegram user (or the bot itself when is_bot)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class FakeChat:
    """A private chat (id == the user's id), a group, a supergroup or a channel."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: FakeUser | None = None  # the other side of a private chat
    members: set[int] = field(default_factory=set)
    # getChatMember's status per user id ("creator", "administrator", "restricted", "kicked",
    # …); members without one are "member", everyone else "left".
    statuses: dict[int, str] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            data.update(
                {k: v for k, v in self.user.to_api().items() if k in ("first_name", "last_name")}
            )
            if self.user.username:
                data["username"] = self.user.username
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None:
            data["username"] = self.username
        return data

    def full_info(self) -> dict[str, Any]:
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }


@dataclass
class SentMessage:
    """A message in a chat as it is now (edits applied); `from_bot` tells who wrote it.

    `text` is the plain text after entity parsing, `html` the raw text as the bot sent it,
    `entities` the parsed entities as Bot API dicts, `edits` the earlier versions.
    """

    chat_id: int
    message_id: int
    text: str
    date: int
    seq: int
    from_bot: bool = True
    html: str = ""
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    sender: FakeUser | None = None
    method: str = "sendMessage"
    params: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    edit_seq: int | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    photo: list[dict[str, Any]] | None = None  # a sendPhoto's sizes; `text` is its caption

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def button(self, label: str) -> dict[str, Any]:
        """The first inline button whose text contains `label`."""
        for button in self.buttons:
            if label in button.get("text", ""):
                return button
        raise LookupError(f"no button {label!r} among {[b.get('text') for b in self.buttons]}")

    def to_api(self, chat: FakeChat, bot: FakeUser) -> dict[str, Any]:
        sender = bot if self.from_bot else self.sender
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": chat.to_api(),
        }
        if sender is not None:
            data["from"] = sender.to_api()
        if self.photo is not None:
            data["photo"] = list(self.photo)
            if self.text:
                data["caption"] = self.text
            if self.entities:
                data["caption_entities"] = list(self.entities)
        else:
            data["text"] = self.text
        if self.entities and self.photo is None:
            data["entities"] = list(self.entities)
        if self.reply_markup and self.reply_markup.get("inline_keyboard") is not None:
            data["reply_markup"] = self.reply_markup  # only inline keyboards come back
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        return data


@dataclass(frozen=True)
class Call:
    """One request the fake answered: typed params, HTTP status and the JSON answer."""

    seq: int
    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float = 0.0  # time.monotonic() when the fake answered (for spacing checks)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        return self.response.get("description")


@dataclass(frozen=True)
class FloodLimits:
    """Token buckets like Telegram's limits; `burst` messages at once, then the sustained rate.

    Telegram: about one message per second in a private chat (short bursts tolerated), 20 per
    minute in a group or channel, about 30 per second overall. Messages sent with
    `allow_paid_broadcast` count against the paid budget (up to 1000 per second) instead of the
    overall 30; the per-chat limits apply to both. Buckets belong to the bot (its token), so
    every process and connection sending as that bot shares them.
    """

    private_burst: int = 20
    private_per_second: float = 1.0
    group_burst: int = 20
    group_per_second: float = 20 / 60
    global_burst: int = 30
    global_per_second: float = 30.0
    paid_burst: int = 1000
    paid_per_second: float = 1000.0


class Bucket:
    """A token bucket; `take()` answers 0 when allowed, else seconds until a token is free."""

    def __init__(self, capacity: int, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = float(capacity)
        self.stamp = time.monotonic()

    def wait_needed(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + max(now - self.stamp, 0) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


def retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))


@dataclass
class Fault:
    """An injected failure for the next `times` requests of `methods` (None: all but polling)."""

    kind: str  # "flood", "status" or "drop"
    times: int
    methods: frozenset[str] | None = None
    status: int = 502
    retry_after: int = 1

    def applies(self, method: str) -> bool:
        if self.methods is None:
            return method != "getUpdates"
        return method in self.methods
