"""`LOG_FORMAT=json` (cli.log_json, cli.logs): one JSON object per line with time (UTC, with
offset), level, logger and message, the exception text when there is one, and no configured
secret anywhere in it — not in the message, its arguments, nor the traceback, and not hidden
by JSON escaping (a secret with `"` or `\\` in it). The subprocess proof is
tests/e2e/test_log_format.py."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from cli import logs
from cli.log_json import JsonFormatter, utc_time
from cli.logs import RedactFilter, RedactingFormatter, make_formatter
from core.redact import Redactor, install, secret_values
from tests.conftest import make_settings

TOKEN = "7312345678:AAHk3xPq9vWmZt2LrYs8NcBd4FgJh6KuE0i"
KEY = "sk-proj-Q2x8vN4mK7pR1tY6wE3zL9aB5cD0fG"
ESCAPED = 'pa"ss\\w0rd-9f3e'  # JSON writes it as pa\"ss\\w0rd: a redactor after dumps misses it
SECRETS = (TOKEN, KEY, ESCAPED)


@pytest.fixture
def redactor() -> Iterator[Redactor]:
    settings = make_settings(telegram_bot_token=TOKEN, openai_api_key=KEY)
    redactor = Redactor([*secret_values(settings), ESCAPED])
    install(redactor)
    yield redactor
    install(Redactor())


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("bot.telegram", logging.WARNING, __file__, 1, msg, args, exc_info)


def _raised(text: str) -> BaseException:
    try:
        raise RuntimeError(text)
    except RuntimeError as exc:
        return exc


def _assert_clean(line: str) -> None:
    assert "\n" not in line
    values = " ".join(str(value) for value in json.loads(line).values())
    for secret in SECRETS:
        assert secret not in line and secret not in values, (secret, line)


def test_fields_of_a_plain_record() -> None:
    line = JsonFormatter().format(_record("fetched %d papers in %s", 12, "cs.CL"))
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message"}
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.telegram"
    assert entry["message"] == "fetched 12 papers in cs.CL"


def test_time_is_iso_8601_in_utc_with_its_offset() -> None:
    record = _record("x")
    when = datetime.fromisoformat(json.loads(JsonFormatter().format(record))["time"])
    assert when.utcoffset() == timedelta(0)
    assert abs(when.timestamp() - record.created) < 0.001
    assert utc_time(0) == "1970-01-01T00:00:00.000+00:00"


def test_exception_text_is_one_field_of_one_line() -> None:
    line = JsonFormatter().format(_record("publish failed", exc=_raised("boom")))
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["exception"].startswith("Traceback") and "RuntimeError: boom" in entry["exception"]


def test_non_ascii_messages_stay_readable() -> None:
    line = JsonFormatter().format(_record("第%d期 draft ready", 3))
    assert "第3期" in line and json.loads(line)["message"] == "第3期 draft ready"


@pytest.mark.usefixtures("redactor")
@pytest.mark.parametrize("secret", SECRETS)
def test_formatter_alone_redacts_message_args_and_exception(secret: str) -> None:
    """Without the filter (another handler, a record that skipped it): still nothing leaks."""
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    record = _record(f"calling {secret} %s %r", url, {"key": secret}, exc=_raised(f"bad {secret}"))
    _assert_clean(JsonFormatter().format(record))


@pytest.mark.usefixtures("redactor")
def test_filter_then_formatter_as_configured() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    handler.setFormatter(make_formatter("json"))
    logger = logging.getLogger("tests.log_json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("token %s key %s", TOKEN, KEY)
        try:
            raise ValueError(f"{ESCAPED} in {TOKEN}")
        except ValueError:
            logger.exception("failed with %s", ESCAPED)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        _assert_clean(line)
    assert "***" in json.loads(lines[1])["exception"]


def test_text_stays_the_default_formatter() -> None:
    assert type(make_formatter("text")) is RedactingFormatter
    assert isinstance(make_formatter("json"), JsonFormatter)


@pytest.mark.usefixtures("redactor")
def test_an_uncaught_exception_is_a_json_line_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """With json, the excepthook logs (CRITICAL, redacted) instead of printing a traceback."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter("json"))
    logger = logging.getLogger("digestbot")
    monkeypatch.setattr(logger, "handlers", [handler])
    monkeypatch.setattr(logger, "propagate", False)
    exc = _raised(f"crashed with {TOKEN}")
    logs._log_uncaught(type(exc), exc, exc.__traceback__)
    (line,) = stream.getvalue().splitlines()
    _assert_clean(line)
    entry = json.loads(line)
    assert entry["level"] == "CRITICAL" and "RuntimeError: crashed with ***" in entry["exception"]
