"""The checks behind `core.config.Settings` validators, and how a bad setting is shown.

They live apart from the field list so `Settings` stays a readable table of knobs. Each check
raises `ValueError` whose text says what is expected; `core.config_report` turns it into the
one line an operator sees (`KEY='value': expected …`), secrets masked with `core.redact.mask`.
Everything here is pure: no network, so a bad setting is refused before anything starts.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.cron import check_cron
from core.redact import mask, mask_url, url_secrets

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
TELEGRAM_CLOUD = "api.telegram.org"  # the only Bot API server that insists on HTTPS webhooks
AES_KEY_LENGTH = 43
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_CATEGORY = re.compile(r"[a-z-]+(\.[A-Za-z-]+)?")
_CHANNEL = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|-?\d+")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # Telegram's rule for secret_token
_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")  # base64 of 32 bytes, without the "="
_PLAIN = re.compile(r"[^\s\"'<>]{3,32}")
_PLACEHOLDER = re.compile(
    r"""(change[-_ ]?(me|this|it)|your[-_ ].*|replace[-_ ]?me|placeholder|todo|tbd|none|null
    |x{3,}|\*{3,}|\.{3,}|<.*>|\[.*\]|\{.*\}|sk-x+|sk-\.+|sk-\*+
    |123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11)""",  # the token in Telegram's own docs
    re.IGNORECASE | re.VERBOSE,
)


def line(key: str, value: object, problem: str) -> str:
    """The one line shown for a bad setting."""
    return f"{key.upper()}={shown(value)}: {problem}"


def shown(value: object) -> str:
    """A value as an error line shows it: secrets masked, URLs without passwords or keys."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, SecretStr):
        return repr(mask(value.get_secret_value()))
    if isinstance(value, tuple):
        return ",".join(shown(item).strip("'") for item in value) or "(empty)"
    text = str(value)
    return repr(mask_url(text) if "://" in text else text)


def not_placeholder(value: str) -> str:
    """Refuse values copied from a template ("changeme", "your-token-here", "xxx")."""
    if _PLACEHOLDER.fullmatch(value.strip()):
        raise ValueError("a placeholder, not a real secret: paste the real value or leave empty")
    return value


def time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError("expected an IANA time zone name such as Asia/Shanghai or UTC") from exc
    return value


def cron(value: str) -> str:
    try:
        check_cron(value)
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[-1] if ": " in str(exc) else str(exc)
        raise ValueError(
            f"expected a five-field cron line (minute hour day month weekday) that can fire, "
            f"such as '0 9 * * *' ({reason})"
        ) from exc
    return value


def http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL with a host")
    return value


def database_url(value: str) -> str:
    try:
        backend = make_url(value).get_backend_name()
    except ArgumentError as exc:
        raise ValueError(_DATABASE_EXPECTED) from exc
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(_DATABASE_EXPECTED)
    return value


_DATABASE_EXPECTED = (
    "expected sqlite+aiosqlite:///path/to/file.db or postgresql+psycopg://user:password@host/db"
)


def categories(value: tuple[str, ...]) -> tuple[str, ...]:
    bad = [name for name in value if not _CATEGORY.fullmatch(name)]
    if bad or not value:
        raise ValueError("expected comma-separated arXiv categories such as cs.CL,cs.LG")
    return value


def telegram_ids(value: str) -> tuple[int, ...]:
    parts = [part for part in value.replace(" ", "").split(",") if part]
    if not all(re.fullmatch(r"-?[0-9]+", part) for part in parts):
        raise ValueError("expected comma-separated numeric Telegram user ids such as 12345,67890")
    return tuple(int(part) for part in parts)


def telegram_token(value: str) -> str:
    if not _TOKEN.fullmatch(value):
        raise ValueError("expected the token from @BotFather, shaped 123456789:AA…")
    return value


def channel(value: str) -> str:
    if not _CHANNEL.fullmatch(value):
        raise ValueError("expected @channelname or a numeric chat id such as -1001234567890")
    return value


def webhook_secret(value: str) -> str:
    if not _WEBHOOK_SECRET.fullmatch(value):
        raise ValueError("expected 1-256 characters: letters, digits, _ and - (Telegram's rule)")
    return value


def host_port(value: str, *, allow_any: bool = False) -> str:
    """host:port; `allow_any` also takes port 0 (any free port: tests, the bound one is logged)."""
    _host, colon, port = value.rpartition(":")
    low = 0 if allow_any else 1
    if not colon or not re.fullmatch(r"[0-9]{1,5}", port) or not low <= int(port) <= 65535:
        example = "0.0.0.0:8080"
        raise ValueError(f"expected host:port with port {low}–65535, such as {example}")
    return value


RETIRED_LISTEN = (
    "retired: one HTTP server now serves the webhook, /wechat, /healthz, /readyz and /metrics "
    "— remove this key and set HTTP_LISTEN={value} instead"
)
RESERVED_PATHS = ("/healthz", "/readyz", "/metrics", "/wechat")
# the web archive's (bot.web): every path under these is one of its pages
WEB_PREFIXES = ("/issues", "/papers", "/search", "/topics", "/static", "/en")


def webhook_path_free(url: str) -> bool:
    """The webhook's path is its own: not empty or "/", and none of the server's other routes."""
    path = urlsplit(url).path.rstrip("/")
    top = "/" + path.split("/")[1] if path else ""
    return bool(path) and path not in RESERVED_PATHS and top not in WEB_PREFIXES


def trusted_proxy(value: str) -> str:
    """An IP address or network (CIDR), or "*" for any (only behind a proxy you control)."""
    if value == "*":
        return value
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(
            f"not an IP address or network: {value!r} — list your reverse proxy's address, "
            "such as 127.0.0.1 or 10.0.0.0/8, or leave HTTP_TRUSTED_PROXIES empty"
        ) from None
    return value


def log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
    return value.upper()


def log_format(value: str) -> str:
    if value.strip().lower() not in LOG_FORMATS:
        raise ValueError("expected text (one line per record) or json (one JSON object per line)")
    return value.strip().lower()


def positive(value: timedelta | None) -> timedelta | None:
    if value is not None and value <= timedelta(0):
        raise ValueError("expected a positive delay such as 7200 (seconds) or PT2H; empty = never")
    return value


def wecom_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or "key=" not in parts.query:
        raise ValueError(
            "expected robot webhook URLs such as "
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…, comma-separated"
        )
    for key in url_secrets(value):
        not_placeholder(key)
    return value


def aes_key(value: str) -> str:
    if not _AES_KEY.fullmatch(value):
        raise ValueError(
            f"expected the {AES_KEY_LENGTH}-character EncodingAESKey (letters and digits) "
            f"from the Official Account console, got {len(value)} characters"
        )
    return value


def plain_word(value: str) -> str:
    """WeChat's Token and AppID: 3-32 printable characters, no spaces or quotes."""
    if not _PLAIN.fullmatch(value):
        raise ValueError("expected 3-32 characters without spaces or quotes")
    return value


def webhook_needs_https(url: str, api_base_url: str) -> bool:
    """Telegram's own servers only call HTTPS webhooks (a local Bot API server allows HTTP)."""
    return urlsplit(api_base_url).hostname == TELEGRAM_CLOUD and urlsplit(url).scheme != "https"
