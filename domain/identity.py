"""Who someone is: a (platform, user id) pair, never a bare id.

A WeChat openid may look exactly like a Telegram user id, so rights, audit rows and every
per-user record name the platform too ("telegram:123", "wechat:oXYZ", "console:operator").
Ids arrive from outside (Telegram updates, WeChat XML), so each platform's id has a shape we
check before it is used anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.numbers import is_ascii_digits

TELEGRAM, WECHAT, CONSOLE = "telegram", "wechat", "console"
CONSOLE_OPERATOR = "operator"  # the one person at the console's keyboard
CLI_ACTOR = "cli"  # `digestbot approve/reject/publish` run from a shell

# The audit log's actor column holds 64 characters: "wechat:" plus the openid must fit.
# Real openids are 28 characters; 48 leaves room for unionid-like ids and other accounts.
MAX_OPENID = 48
OPENID_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_OPENID}}}", re.ASCII)
MAX_TELEGRAM_ID = 2**63 - 1  # Bot API ids fit in a signed 64-bit integer

# Telegram accounts that stand in for someone else: an anonymous group admin, a user posting
# as a channel, and Telegram's own forwards from a linked channel. They are never a person.
TELEGRAM_STAND_INS = frozenset({1087968824, 136817688, 777000})


@dataclass(frozen=True)
class Identity:
    """One person on one platform."""

    platform: str
    user_id: str

    @property
    def actor(self) -> str:
        """The audit log's name for them: `telegram:123`."""
        return f"{self.platform}:{self.user_id}"

    @property
    def label(self) -> str:
        """How `approved_by` shows them: a Telegram admin's bare id (as rows before issue 8
        hold), anyone else platform-qualified."""
        return self.user_id if self.platform == TELEGRAM else self.actor


def valid_openid(openid: str) -> bool:
    """A WeChat openid: a short plain string of letters, digits, `_` and `-`."""
    return OPENID_SHAPE.fullmatch(openid) is not None


def valid_telegram_id(user_id: str) -> bool:
    """A Telegram user id: positive ASCII digits within the Bot API's 64-bit range."""
    return (
        is_ascii_digits(user_id)
        and not user_id.startswith("0")
        and len(user_id) <= 19
        and int(user_id) <= MAX_TELEGRAM_ID
    )


def valid_user_id(platform: str, user_id: str) -> bool:
    """Whether `user_id` has the shape `platform`'s ids have (unknown platforms: never)."""
    if platform == TELEGRAM:
        return valid_telegram_id(user_id)
    if platform in (WECHAT, CONSOLE):  # the console's names follow the openid's shape
        return valid_openid(user_id)
    return False
