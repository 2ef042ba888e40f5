"""What a command returns and whom it answers: front-end-neutral value types."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Caller:
    """Who is asking, as plain ids: never a Telegram or WeChat object."""

    platform: str  # telegram | wechat | console
    chat_id: str
    user_id: str
    chat_type: str = "private"
    language_code: str | None = None  # what the platform says the user speaks


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
