"""What a command returns and whom it answers: front-end-neutral value types.

A `Reply` holds content (`domain.content`: headings, paragraphs, lists, links, fields, laid-out
issues and papers), never markup; each front end renders it (`html` for Telegram, `text` for
the console and WeChat).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.render.content import plain_text, telegram_html
from domain.content import Block, Content, as_content
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
class Check:
    """A button of the pressed message whose on/off state changed: found by `action` and
    `args` (whatever its label says, e.g. a number), shown with a check mark when `on`."""

    action: str
    args: tuple[str, ...]
    on: bool


def checked(label: str, on: bool) -> str:
    """`👍 3` → `👍✓ 3` and back: the check mark follows the label's first word."""
    head, space, rest = label.partition(" ")
    return head.rstrip("✓") + ("✓" if on else "") + space + rest


Rows = tuple[tuple[Button, ...], ...]
Body = str | Block | Sequence[Block]  # plain text, one block or several


@dataclass(frozen=True)
class Reply:
    """One message: its content (at most one Telegram message long) and buttons under it."""

    content: Content
    buttons: Rows = field(default_factory=tuple)
    edit: bool = False  # answering a button press: replace the pressed message
    # Answering a button press with a short notice and no new message: Telegram shows the text
    # as the press's toast (answerCallbackQuery) and re-labels `checks` in the pressed message;
    # text front ends (console, WeChat) show it as a message like any other.
    toast: bool = False
    checks: tuple[Check, ...] = ()

    @property
    def html(self) -> str:
        """Telegram HTML: only Telegram's tags, every text escaped."""
        return telegram_html(self.content)

    @property
    def text(self) -> str:
        """Plain text (console, WeChat): links spelled out."""
        return plain_text(self.content)


def grid(buttons: tuple[Button, ...], width: int) -> Rows:
    """Lay buttons out in rows of `width`."""
    return tuple(buttons[i : i + width] for i in range(0, len(buttons), width))


def toast(text: str, checks: tuple[Check, ...] = ()) -> list[Reply]:
    """A button press's short answer (a toast on Telegram), and the buttons it checked."""
    return [Reply(as_content(text), toast=True, checks=checks)]


def replies(body: Body, rows: Rows = (), *, edit: bool = False) -> list[Reply]:
    """A one-message answer; empty rows are dropped."""
    return [Reply(as_content(body), buttons=tuple(row for row in rows if row), edit=edit)]
