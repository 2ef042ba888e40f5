"""The rules between settings keys: a webhook needs its secret, its token and https; a WeChat
secret needs its AppID; safe mode needs the callback token.

`core.config.Settings` runs every check after its keys are valid and reports every broken rule,
one line each. They read only the keys named in `CrossKeys`, so this module needs nothing of
`Settings` but those attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pydantic import SecretStr

from core import config_rules as rules


class CrossKeys(Protocol):
    """The keys the rules between keys read (all on `Settings`)."""

    telegram_bot_token: SecretStr | None
    telegram_api_base_url: str
    telegram_webhook_url: str | None
    telegram_webhook_secret: SecretStr | None
    wechat_app_id: str | None
    wechat_app_secret: SecretStr | None
    wechat_token: SecretStr | None
    wechat_aes_key: SecretStr | None


def _webhook_secret_set(s: CrossKeys) -> str | None:
    if s.telegram_webhook_url and s.telegram_webhook_secret is None:
        return rules.line(
            "telegram_webhook_secret", None,
            "required with TELEGRAM_WEBHOOK_URL, or anyone who finds the URL can post fake "
            "updates (letters, digits, _ and -, up to 256)",
        )  # fmt: skip
    return None


def _webhook_https(s: CrossKeys) -> str | None:
    if s.telegram_webhook_url and rules.webhook_needs_https(
        s.telegram_webhook_url, s.telegram_api_base_url
    ):
        return rules.line(
            "telegram_webhook_url", s.telegram_webhook_url, "Telegram only calls https:// URLs"
        )
    return None


def _webhook_needs_token(s: CrossKeys) -> str | None:
    if s.telegram_webhook_url and s.telegram_bot_token is None:
        return rules.line(
            "telegram_bot_token", None, "required with TELEGRAM_WEBHOOK_URL (the webhook's bot)"
        )
    return None


def _webhook_path(s: CrossKeys) -> str | None:
    if s.telegram_webhook_url and not rules.webhook_path_free(s.telegram_webhook_url):
        return rules.line(
            "telegram_webhook_url", s.telegram_webhook_url,
            "needs a path of its own, such as https://bot.example/telegram (the same server "
            f"answers {', '.join(rules.RESERVED_PATHS + rules.WEB_PREFIXES)})",
        )  # fmt: skip
    return None


def _wechat_app_pair(s: CrossKeys) -> str | None:
    """The secret is useless without its AppID (the AppID alone serves safe-mode decryption)."""
    if s.wechat_app_secret is not None and not s.wechat_app_id:
        return rules.line("wechat_app_id", None, "required with WECHAT_APP_SECRET")
    return None


def _aes_needs_token(s: CrossKeys) -> str | None:
    if s.wechat_aes_key is not None and s.wechat_token is None:
        return rules.line("wechat_token", None, "required with WECHAT_AES_KEY (the callback)")
    return None


CROSS_CHECKS: tuple[Callable[[CrossKeys], str | None], ...] = (
    _webhook_secret_set,
    _webhook_https,
    _webhook_needs_token,
    _webhook_path,
    _wechat_app_pair,
    _aes_needs_token,
)
