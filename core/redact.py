"""Secret redaction for everything the process writes: log records, tracebacks, printed errors.

`SecretStr` keeps secrets out of our own reprs, but secrets also travel inside URLs (the Bot API
puts the token in the path, a WeCom robot's key is a query parameter, a database password sits
in its URL), and libraries put URLs into exception text and DEBUG logs. So the configured secret
values themselves (and their URL-encoded forms) are searched for and replaced in the text,
whoever produced it; a Telegram-token-shaped string is replaced even when it is not ours.

`install(Redactor.from_settings(settings))` at start-up makes `redact()` use them process-wide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"
MIN_SECRET = 3  # shorter values would blank out ordinary text (WeChat tokens are 3-32 chars)
TOKEN_SHAPE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")  # a Telegram bot token, anyone's
SECRET_QUERY_KEYS = frozenset({"key", "secret", "token", "access_token", "password"})


class Redactor:
    """Replaces every known secret value, and every bot-token-shaped string, with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        variants = {form for secret in secrets for form in _forms(secret)}
        ordered = sorted(variants, key=len, reverse=True)  # the longest form wins an overlap
        self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @classmethod
    def from_settings(cls, settings: object) -> Redactor:
        return cls(secret_values(settings))

    def __call__(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(MASK, text)
        return TOKEN_SHAPE.sub(MASK, text)


def _forms(secret: str) -> set[str]:
    if len(secret) < MIN_SECRET:
        return set()
    return {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}


def secret_values(settings: object) -> list[str]:
    """Every secret a settings object holds: `SecretStr` fields (single or tuples, and the
    secret parts of URLs among them) and passwords or keys inside any `*_url` field. Of a
    proxy (`*proxy`), only the user and password: the proxy's address may be shown."""
    fields: dict[str, Any] = dict(vars(settings))
    found: list[str] = []
    for name, value in fields.items():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, SecretStr) and name.endswith("proxy"):
                found += userinfo(item.get_secret_value())  # the proxy itself may be shown
            elif isinstance(item, SecretStr):
                raw = item.get_secret_value()
                found += [raw, *url_secrets(raw)]
            elif isinstance(item, str) and name.endswith("_url"):
                found += url_secrets(item)
    return [value for value in found if value]


def url_secrets(url: str) -> list[str]:
    """The password and secret-looking query values of a URL (`key=` of a WeCom robot)."""
    if "://" not in url:
        return []
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    query = [value for key, value in parse_qsl(parts.query) if key.lower() in SECRET_QUERY_KEYS]
    passwords = {value for value in (password, _database_password(url)) if value}
    decoded = {unquote(value) for value in passwords}  # as written, and decoded
    return [*sorted(passwords | decoded, key=len, reverse=True), *query]


def userinfo(url: str) -> list[str]:
    """The user name and password of a URL (a proxy's credentials), as written and decoded."""
    try:
        parts = urlsplit(url)
        values = {value for value in (parts.username, parts.password) if value}
    except ValueError:
        return []
    return sorted(values | {unquote(value) for value in values}, key=len, reverse=True)


def _database_password(url: str) -> str | None:
    """SQLAlchemy's reading, which also copes with an unencoded `/` or `@` in the password."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        return None
    return str(password) if password else None


def mask(value: str) -> str:
    """How a secret is shown in an error line: its first two characters, then `…`."""
    return f"{value[:2]}…" if value else ""


def mask_url(url: str) -> str:
    """`url` with its password and secret query values masked."""
    shown = url
    for secret in _ordered(url_secrets(url)):
        shown = shown.replace(secret, MASK)
    return shown


def _ordered(values: Iterable[str]) -> Iterator[str]:
    yield from sorted(set(values), key=len, reverse=True)


_current = Redactor()


def install(redactor: Redactor) -> None:
    """Make `redact()` (used by the log filter and every printed error) use `redactor`."""
    global _current
    _current = redactor


def redact(text: str) -> str:
    """`text` with every secret of the installed redactor replaced by `***`."""
    return _current(text)
