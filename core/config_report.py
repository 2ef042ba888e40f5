"""Settings as the operator meets them: one line per bad key, a warning per misspelt key.

pydantic's `ValidationError` is written for programmers (16-44 lines with URLs to its docs); an
operator who mistyped `.env` needs the key, the value they wrote (secrets masked) and what is
expected, then an exit. And pydantic-settings ignores unknown keys, so `TELEGRAM_BOT_TOKN=…`
would silently leave the bot without a token: keys that look like ours but are not get a
warning naming the closest real key (difflib), without ever printing their value.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import SecretStr, ValidationError
from pydantic_core import ErrorDetails

from core import config_rules as rules
from core.config import Settings

SAME_PREFIX_CUTOFF = 0.8  # TELEGRAM_BOT_TOKN, LLM_CONCURENCY, WECHAT_APPID
OTHER_CUTOFF = 0.9  # TELEGRM_BOT_TOKEN; PATH, HOME and friends are nowhere near


class BadSettings(Exception):
    """The settings cannot be used; `lines` has one line per bad key."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings(factory: Callable[[], Settings] = Settings) -> Settings:
    """The settings, or BadSettings with one line per bad key."""
    try:
        return factory()
    except ValidationError as error:
        raise BadSettings(error_lines(error)) from None


def error_lines(error: ValidationError) -> list[str]:
    """One line per bad key (the first problem of each), cross-key rules one line each."""
    lines: dict[str, str] = {}
    for detail in error.errors():
        if not detail["loc"]:  # a model validator: its message is already our lines
            for text in _message(detail).splitlines():
                lines.setdefault(text, text)
            continue
        name = str(detail["loc"][0])
        lines.setdefault(name, rules.line(name, _input(name, detail), _expected(detail)))
    return list(lines.values())


def _input(name: str, detail: ErrorDetails) -> object:
    value: Any = detail.get("input")
    if _is_secret(name) and isinstance(value, str):
        return SecretStr(value)
    return value


def _is_secret(name: str) -> bool:
    field = Settings.model_fields.get(name)
    return field is not None and "SecretStr" in str(field.annotation)


_EXPECTED = {
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "int_type": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "time_delta_parsing": "expected a delay: seconds (7200), ISO 8601 (PT2H) or HH:MM:SS",
    "string_type": "expected text",
    "missing": "required",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "≥"),
    "greater_than": ("gt", ">"),
    "less_than_equal": ("le", "≤"),
    "less_than": ("lt", "<"),
}


def _expected(detail: ErrorDetails) -> str:
    kind, ctx = detail["type"], detail.get("ctx") or {}
    if kind in _BOUNDS:
        bound, sign = _BOUNDS[kind]
        return f"expected a number {sign} {ctx.get(bound)}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}"
    return _EXPECTED.get(kind) or _message(detail)


def _message(detail: ErrorDetails) -> str:
    return detail["msg"].removeprefix("Value error, ")


def misspelt_keys(environ: Mapping[str, str] | None = None, env_file: str = ".env") -> list[str]:
    """A warning line for each key in `env_file` or the environment that is close to one of
    ours but is not one (values are never shown)."""
    found = {name: "the environment" for name in (os.environ if environ is None else environ)}
    found.update({name: env_file for name in _file_keys(env_file)})
    return [
        f"warning: {name} ({where}) is not a setting; did you mean {match}?"
        for name, where in sorted(found.items())
        if (match := closest_key(name))
    ]


def closest_key(name: str, keys: Iterable[str] | None = None) -> str | None:
    """The setting `name` was probably meant to be, or None when it is ours or unrelated."""
    ours = sorted(keys if keys is not None else (field.upper() for field in Settings.model_fields))
    upper = name.upper()
    if upper in ours:
        return None
    prefixes = {key.split("_")[0] for key in ours}
    cutoff = SAME_PREFIX_CUTOFF if upper.split("_")[0] in prefixes else OTHER_CUTOFF
    matches = difflib.get_close_matches(upper, ours, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _file_keys(env_file: str) -> list[str]:
    path = Path(env_file)
    if not path.is_file():
        return []
    return [key for key in dotenv_values(path) if key]
