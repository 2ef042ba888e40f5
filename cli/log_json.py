"""`LOG_FORMAT=json`: one JSON object per log record and line, for log shippers (Loki, Vector,
Fluent Bit, `docker logs` drivers) that would otherwise split a traceback into many events.

Written with the stdlib `json` in a `logging.Formatter` subclass rather than python-json-logger
(available on PyPI, not installed here): the record has five fixed fields, so a dependency would
buy nothing — and the secret redaction has to sit inside the formatter anyway. Each field is
redacted *before* `json.dumps`, because escaping (a `"` or `\\` in a secret, a traceback's
newlines) would hide a secret from a redactor that only saw the serialized line; the line is
then redacted once more, as `cli.logs.RedactingFormatter` does for text.

Fields: `time` (ISO 8601, UTC, with its `+00:00` offset, milliseconds), `level`, `logger`,
`message`, and `exception` / `stack` only when the record has them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from core.redact import redact


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON, every secret replaced by `***`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(json.dumps(self.fields(record), ensure_ascii=False))

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "time": utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(_message(record)),
        }
        exception = self._exception_text(record)
        if exception:
            entry["exception"] = redact(exception)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return entry

    def _exception_text(self, record: logging.LogRecord) -> str:
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        return record.exc_text or ""


def utc_time(created: float) -> str:
    """A record's creation time as `2026-11-30T12:35:00.123+00:00`."""
    return datetime.fromtimestamp(created, tz=UTC).isoformat(timespec="milliseconds")


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the format
        return f"{record.msg} {record.args}"
