"""Checks Bot API requests against the published spec, so the fake refuses what Telegram would.

The spec is `shared/fixtures/telegram/bot-api-10.1.min.json` (`methods[name].fields` and
`types[name].fields`, each field with `types` and `required`). Parameters arrive either as a JSON
body (typed values) or as form fields (every value a string; objects and arrays JSON-serialized,
which is what python-telegram-bot sends), and are coerced to typed values here. Structural errors
raise `ApiError` with a Telegram-like "Bad Request: …" description; unknown parameters and
unknown fields inside objects are not errors (Telegram ignores them) but are returned as
violations so a test can assert that the bot sends only what the spec documents.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "fixtures"
    / "telegram"
    / "bot-api-10.1.min.json"
)
_PRIMITIVES = {"Integer", "Float", "Boolean", "String"}
_CONSTANT = re.compile(r'(?:must be|always) "?([a-z_]+)"?')
_INT = re.compile(r"-?[0-9]{1,19}")
_MISSING = {"chat_id": "chat_id is empty", "text": "message text is empty"}
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status = error_code, and its description."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part (an InputFile value)."""

    filename: str
    content: bytes


class _Invalid(ValueError):
    """A value does not match a spec type; the message says where and why."""


class Spec:
    """The Bot API spec, indexed for validation; method names match case-insensitively."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = data["version"]
        self.methods: dict[str, dict[str, Any]] = data["methods"]
        self.types: dict[str, dict[str, Any]] = data["types"]
        self._by_lower = {name.lower(): name for name in self.methods}

    def method_name(self, name: str) -> str | None:
        return self._by_lower.get(name.lower())

    def returns(self, method: str) -> list[str]:
        return list(self.methods[method].get("returns", []))

    def fields(self, type_or_method: str) -> dict[str, dict[str, Any]]:
        source = self.methods.get(type_or_method) or self.types[type_or_method]
        return {field["name"]: field for field in source.get("fields", [])}

    def parse_params(
        self, method: str, raw: dict[str, Any], *, form: bool
    ) -> tuple[dict[str, Any], list[str]]:
        """Typed parameters and violations; raises ApiError on a missing or mistyped parameter."""
        fields = self.fields(method)
        violations = [f"{method}: unknown parameter {name!r}" for name in raw if name not in fields]
        params: dict[str, Any] = {}
        for name, field in fields.items():
            if name not in raw:
                if field["required"]:
                    raise bad_request(_MISSING.get(name, f'parameter "{name}" is required'))
                continue
            value = _from_form(raw[name], field["types"]) if form else raw[name]
            try:
                params[name] = self.check_value(
                    field["types"], value, violations, f"{method}.{name}"
                )
            except _Invalid as exc:
                raise bad_request(_describe(name, field["types"], str(exc))) from None
        return params, violations

    def check_value(self, types: list[str], value: Any, violations: list[str], where: str) -> Any:
        """`value` if it matches one of `types` (JSON text is decoded for objects/arrays)."""
        errors: list[str] = []
        for kind in _candidates(self, types, value):
            attempt: list[str] = []
            try:
                checked = self._check(kind, value, attempt, where)
            except _Invalid as exc:
                errors.append(str(exc))
                continue
            violations.extend(attempt)
            return checked
        raise _Invalid(errors[0] if errors else f"{where} must be {' or '.join(types)}")

    def _check(self, kind: str, value: Any, violations: list[str], where: str) -> Any:
        if kind in _PRIMITIVES:
            return _check_primitive(kind, value, where)
        if isinstance(value, str) and kind != "InputFile":
            value = _decode_json(value, kind)
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                raise _Invalid(f"{where} must be an Array")
            inner = kind.removeprefix("Array of ")
            return [
                self._check(inner, item, violations, f"{where}[{i}]")
                for i, item in enumerate(value)
            ]
        return self._check_object(kind, value, violations, where)

    def _check_object(self, kind: str, value: Any, violations: list[str], where: str) -> Any:
        spec = self.types.get(kind)
        if spec is None or kind == "InputFile" or ("fields" not in spec and "subtypes" not in spec):
            return value  # InputFile, CallbackGame and friends have no checkable shape
        if not isinstance(value, dict):
            raise _Invalid(f"can't parse {kind} JSON object")
        if "subtypes" in spec:
            return self._check_object(self._subtype(kind, spec, value), value, violations, where)
        fields = self.fields(kind)
        for name, field in fields.items():
            if field["required"] and name not in value:
                raise _Invalid(f"can't parse {kind}: Can't find field \"{name}\"")
        for name, item in value.items():
            if name not in fields:
                violations.append(f"{where}: unknown field {name!r} in {kind}")
                continue
            try:
                self.check_value(fields[name]["types"], item, violations, f"{where}.{name}")
            except _Invalid:
                raise _Invalid(
                    f'can\'t parse {kind}: Field "{name}" must be of type '
                    f"{' or '.join(fields[name]['types'])}"
                ) from None
        return value

    def _subtype(self, kind: str, spec: dict[str, Any], value: dict[str, Any]) -> str:
        for sub in spec["subtypes"]:
            first = self.types[sub].get("fields", [{}])[0]
            constant = _CONSTANT.search(first.get("description", ""))
            if constant and value.get(first["name"]) == constant.group(1):
                return str(sub)
        raise _Invalid(f"can't parse {kind}: unsupported type")


def _candidates(spec: Spec, types: list[str], value: Any) -> list[str]:
    """Try object alternatives whose required fields are present first (reply_markup unions)."""

    def fits(kind: str) -> bool:
        fields = spec.types.get(kind, {}).get("fields")
        if not fields or not isinstance(value, dict):
            return False
        return all(f["name"] in value for f in fields if f["required"])

    return sorted(types, key=lambda kind: not fits(kind))


def _check_primitive(kind: str, value: Any, where: str) -> Any:
    ok = {
        "Integer": isinstance(value, int) and not isinstance(value, bool),
        "Float": isinstance(value, int | float) and not isinstance(value, bool),
        "Boolean": isinstance(value, bool),
        "String": isinstance(value, str),
    }[kind]
    if not ok:
        raise _Invalid(f"{where} must be {kind}")
    return value


@cache
def _is_structured(kind: str) -> bool:
    return kind not in _PRIMITIVES and kind != "InputFile"


def _from_form(raw: Any, types: list[str]) -> Any:
    """A form field is always text: pick the first reading of it that one of `types` accepts."""
    if not isinstance(raw, str):
        return raw  # an uploaded file
    if "Integer" in types and _INT.fullmatch(raw):
        return int(raw)
    if "Float" in types:
        try:
            return float(raw)
        except ValueError:
            pass
    if "Boolean" in types and raw.lower() in _BOOLEANS:
        return _BOOLEANS[raw.lower()]
    if "String" in types or "InputFile" in types:
        return raw
    return raw if any(_is_structured(kind) for kind in types) else _Unparsed(raw)


class _Unparsed(str):
    """Form text that matches none of the primitive types it should be (e.g. limit=abc)."""


def _decode_json(text: str, kind: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _Invalid(f"can't parse {kind.removeprefix('Array of ')} JSON object") from None


def _describe(name: str, types: list[str], detail: str) -> str:
    if name == "reply_markup":
        return "can't parse reply keyboard markup JSON object"
    if detail.startswith("can't parse"):
        return detail
    return f'parameter "{name}" must be of type {" or ".join(types)}'
