"""Logging set-up: one line per record, our level from settings, and no secret in any output.

Libraries log URLs and exception texts that carry secrets (the Bot API URL holds the bot
token; python-telegram-bot's InvalidToken repeats it; WeCom robot URLs hold their key). So one
filter and one formatter on the root handlers redact every configured secret (`core.redact`)
from every record of every library, in the message, its arguments and the formatted traceback;
uncaught exceptions (main thread and others) and `warnings` go through the same redactor.

`LOG_FORMAT=json` swaps our handler's formatter for `cli.log_json.JsonFormatter` (one JSON
object per line, redacted field by field); the filter stays, and uncaught exceptions are then
logged as a CRITICAL record so that stderr holds JSON lines only.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from cli.log_json import JsonFormatter
from core.redact import Redactor, install, redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = (
    "httpx",
    "httpx2",
    "httpcore",
    "arxiv",
    "jieba",
    "apscheduler",
    "urllib3",
    "alembic",
    "aiosqlite",
)


class RedactFilter(logging.Filter):
    """Replaces secrets in a record's message, arguments, traceback and stack text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """The last line of defence: whatever a record turned into is redacted once more."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

    def formatException(self, ei: object) -> str:
        return redact(super().formatException(ei))  # type: ignore[arg-type]


def configure_logging(
    level: str, redactor: Redactor | None = None, log_format: str = "text"
) -> None:
    """A stderr handler on the root logger (as `basicConfig`: only when it has none), and the
    redaction on every root handler, whoever installed it. `log_format`: "text" or "json"."""
    if redactor is not None:
        install(redactor)
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not root.handlers:
        ours = logging.StreamHandler(sys.stderr)
        ours.setFormatter(make_formatter(log_format))
        root.addHandler(ours)
    for handler in root.handlers:
        if not any(isinstance(existing, RedactFilter) for existing in handler.filters):
            handler.addFilter(RedactFilter())
    logging.captureWarnings(True)
    _quiet_libraries(level.upper())
    json_lines = log_format == "json"
    sys.excepthook = _log_uncaught if json_lines else _print_redacted
    threading.excepthook = _thread_logged if json_lines else _thread_redacted


def make_formatter(log_format: str) -> logging.Formatter:
    """The formatter of our stderr handler: text lines (`FORMAT`) or JSON objects."""
    return JsonFormatter() if log_format == "json" else RedactingFormatter(FORMAT)


def _quiet_libraries(level: str) -> None:
    """Chatty libraries at WARNING, unless the operator asked for DEBUG (then all of it,
    redacted: httpx's request lines are what one wants when Telegram misbehaves)."""
    quiet = logging.NOTSET if level == "DEBUG" else logging.WARNING
    for name in NOISY:
        logging.getLogger(name).setLevel(quiet)


def _print_redacted(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))


def _thread_redacted(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _print_redacted(args.exc_type, args.exc_value, args.exc_traceback)


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    logging.getLogger("digestbot").critical("uncaught exception", exc_info=(kind, value, tb))


def _thread_logged(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        name = args.thread.name if args.thread is not None else "?"
        exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
        logging.getLogger("digestbot").critical(
            "uncaught exception in thread %s", name, exc_info=exc_info
        )
