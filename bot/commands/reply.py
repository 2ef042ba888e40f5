"""What a command returns and whom it answers: front-end-neutral value types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from domain.identity import Identity, valid_user_id

# Asks the platform whether the caller administers the chat they write in (a group's own
# admins, not the digest's editors); the front end provides it, commands only await it.
ChatAdminCheck = Callable[[], Awaitable[bool]]


async def _never() -> bool:
    return False


@dataclass(frozen=True)
class Caller:
    """Who is asking, as plain ids: never a Telegram or WeChat object.

    `user_id` is None when the message has no person behind it (a channel post, an anonymous
    group admin): such a caller may use public commands but is nobody's admin. An id that
    does not have its platform's shape is refused here, so none reaches a record.
    """

    platform: str  # telegram | wechat | console
    chat_id: str
    user_id: str | None
    chat_type: str = "private"
    language_code: str | None = None  # what the platform says the user speaks
    is_chat_admin: ChatAdminCheck = field(default=_never, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.user_id is not None and not valid_user_id(self.platform, self.user_id):
            raise ValueError(f"not a {self.platform} user id")

    @property
    def identity(self) -> Identity | None:
        return None if self.user_id is None else Identity(self.platform, self.user_id)


@dataclass(frozen=True)
class Button:
    """A tap that runs `action` with `args`; front ends encode (and verify) it."""

    label: str
    action: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """One message: `html` uses only Telegram's tags and is at most 4096 characters."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    edit: bool = False  # answering a button press: replace the pressed message


def grid(buttons: tuple[Button, ...], width: int) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of `width`."""
    return tuple(buttons[i : i + width] for i in range(0, len(buttons), width))


def replies(
    html: str, rows: tuple[tuple[Button, ...], ...] = (), *, edit: bool = False
) -> list[Reply]:
    """A one-message answer; empty rows are dropped."""
    return [Reply(html=html, buttons=tuple(row for row in rows if row), edit=edit)]
