"""The fake's setup methods: webhooks (setWebhook, deleteWebhook, getWebhookInfo, logOut, close)
and the command menu (setMyCommands, getMyCommands, deleteMyCommands per scope and language).

Mixed into BotApi, running under its lock like the message methods.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram_spec import bad_request

if TYPE_CHECKING:
    from tests.fakes.telegram_api import BotApi

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"(?:[a-z]{2})?")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SetupMethods:
    def m_setWebhook(self: BotApi, params: dict[str, Any]) -> bool:
        url = params["url"]
        if not url:
            return self.m_deleteWebhook(params)
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {k: v for k, v in params.items() if k != "certificate"}
        self._poll_generation += 1  # a waiting long poll ends with 409 Conflict
        return True

    def m_deleteWebhook(self: BotApi, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def m_getWebhookInfo(self: BotApi, params: dict[str, Any]) -> dict[str, Any]:
        hook = self.webhook or {}
        info: dict[str, Any] = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        for key in ("max_connections", "allowed_updates", "ip_address"):
            if key in hook:
                info[key] = hook[key]
        return info

    def m_logOut(self: BotApi, params: dict[str, Any]) -> bool:
        return True

    def m_close(self: BotApi, params: dict[str, Any]) -> bool:
        return True

    def _command_key(self: BotApi, params: dict[str, Any]) -> tuple[str, str]:
        language = params.get("language_code", "")
        if not _LANGUAGE.fullmatch(language):
            raise bad_request("LANG_CODE_INVALID")
        scope = params.get("scope") or {"type": "default"}
        parts = [scope["type"]]
        if "chat_id" in scope:
            parts.append(str(self.chat_for(scope["chat_id"]).id))
        if "user_id" in scope:
            parts.append(str(scope["user_id"]))
        return ":".join(parts), language

    def m_setMyCommands(self: BotApi, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not _COMMAND_NAME.fullmatch(command["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command["description"].strip()
            if not description:
                raise bad_request("command description must be non-empty")
            if len(description) > 256:
                raise bad_request("command description is too long")
        key = self._command_key(params)
        if commands:
            self.commands[key] = [dict(c) for c in commands]
        else:
            self.commands.pop(key, None)
        return True

    def m_getMyCommands(self: BotApi, params: dict[str, Any]) -> list[dict[str, str]]:
        return list(self.commands.get(self._command_key(params), []))

    def m_deleteMyCommands(self: BotApi, params: dict[str, Any]) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True
