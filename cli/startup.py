"""Failures at start-up that are the operator's to fix, as one line naming the setting.

A database that is not running or a Telegram token that was revoked is a configuration
problem, not a bug: the operator needs the key to look at and the likely fix, not the 130-166
lines of traceback that SQLAlchemy, psycopg and python-telegram-bot produce. Anything not
recognised here is a bug and keeps its (redacted) traceback.
"""

from __future__ import annotations

from pydantic import SecretStr

from core import config_rules as rules
from core.config import Settings
from core.redact import mask_url
from domain.errors import StartupRefused


def startup_problem(exc: BaseException, settings: Settings) -> str | None:
    """The one line for a start-up failure the operator can fix, or None for anything else."""
    from sqlalchemy.exc import InterfaceError, OperationalError
    from telegram.error import InvalidToken, NetworkError

    leaf = _leaf(exc)
    if isinstance(leaf, StartupRefused):
        return str(leaf)
    if isinstance(leaf, OperationalError | InterfaceError):
        return database_line(settings.database_url, _reason(leaf.orig or leaf))
    if isinstance(leaf, OSError) and _about_sqlite_file(leaf, settings.database_url):
        return database_line(settings.database_url, _reason(leaf))
    if isinstance(leaf, InvalidToken):
        return telegram_token_line(settings)
    if isinstance(leaf, NetworkError):
        return telegram_unreachable_line(settings, _reason(leaf))
    return None


def database_line(url: str, reason: str) -> str:
    hint = "is the path writable?" if _is_sqlite(url) else "is the server running?"
    return f"DATABASE_URL: cannot connect to {mask_url(url)} ({reason}) — {hint}"


def telegram_token_line(settings: Settings) -> str:
    token = settings.telegram_bot_token or SecretStr("")
    return rules.line(
        "telegram_bot_token", token,
        "Telegram refused this token (401 Unauthorized) — copy it again from @BotFather",
    )  # fmt: skip


def telegram_unreachable_line(settings: Settings, reason: str) -> str:
    return (
        f"TELEGRAM_API_BASE_URL: cannot reach {settings.telegram_api_base_url} ({reason}) — is "
        "Telegram reachable from this machine (a proxy or a self-hosted Bot API server may be "
        "needed)? Check TELEGRAM_BOT_TOKEN too."
    )


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups, e.g. from a TaskGroup."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _reason(exc: BaseException) -> str:
    """The cause in a few words: the last clause of the error's first line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rsplit(": ", 1)[-1].strip().rstrip(".") or type(exc).__name__


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _about_sqlite_file(error: OSError, url: str) -> bool:
    """An OS error on the SQLite file or a folder on its way (permissions, a file where a
    folder should be, a read-only disk) — not any OSError, which may be a network's."""
    if not _is_sqlite(url) or error.filename is None:
        return isinstance(error, PermissionError) and _is_sqlite(url)
    database = url.split(":///", 1)[-1].split("?", 1)[0]
    return database.startswith(str(error.filename)) or str(error.filename).startswith(database)
