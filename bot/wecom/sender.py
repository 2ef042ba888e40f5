"""The WeCom group-robot `Sender`: issues as WeCom markdown, posted to each robot's webhook.

A robot's webhook URL carries its secret key, so the URL never leaves this module: targets in
the ledger are robot ids (`bot.wecom.targets.robot_id`, a hash of the URL), errors carry
WeCom's `errcode`/`errmsg` (with any `key=` redacted), and httpx's request log is redacted too.

WeCom's answers become the three `core.sending` errors (see `jobs.deliver`):

- `errcode` 0 → sent; WeCom returns no message id, so the id is generated.
- 45009 (over 20 messages a minute) → `SendRateLimited(flood_retry)`; -1 (system busy), 5xx and
  network errors → `SendRetryLater(network_retry)`. A read timeout may hide an accepted message:
  resending is the documented at-least-once choice for that window.
- 93000 (invalid webhook URL/key) and every other errcode or 4xx → `SendFailed`.

Pacing is up front, per robot (`SlidingWindow`, 20 per 60 s), so 45009 stays rare.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import httpx
from pydantic import SecretStr

from bot.render import render_issue
from bot.web.links import public_issue_url
from bot.wecom.pacing import SlidingWindow
from bot.wecom.targets import WeComTargets, robot_id
from core.sending import SendFailed, SendRateLimited, SendRetryLater
from domain.types import IssueView

FLOOD_ERRCODE = 45009
BUSY_ERRCODE = -1
FLOOD_RETRY = 60.0  # seconds: WeCom's limit is per minute
NETWORK_RETRY = 5.0
SEND_TIMEOUT = 30.0
PER_MINUTE = 20
_KEY = re.compile(r"(key=)[^&\s\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    """`key=<secret>` → `key=***` wherever it appears."""
    return _KEY.sub(r"\1***", text)


class _RedactKeys(logging.Filter):
    """httpx logs every request URL at INFO; a robot's URL is its secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if any("key=" in str(arg) for arg in _args(record)) or "key=" in str(record.msg):
            record.msg, record.args = redact(record.getMessage()), None
        return True


def _args(record: logging.LogRecord) -> Iterable[Any]:
    if isinstance(record.args, dict):
        return record.args.values()
    return record.args or ()


logging.getLogger("httpx").addFilter(_RedactKeys())


class WeComSender(WeComTargets):
    """`Sender` for WeCom group robots; one target per webhook URL (which robots get an issue
    is `WeComTargets`'s plan)."""

    def __init__(
        self,
        urls: Iterable[str | SecretStr],
        http: httpx.AsyncClient,
        *,
        per_minute: int = PER_MINUTE,
        period: float = 60.0,
        flood_retry: float = FLOOD_RETRY,
        network_retry: float = NETWORK_RETRY,
        public_base_url: str | None = None,
    ) -> None:
        secrets = [(u.get_secret_value() if isinstance(u, SecretStr) else u).strip() for u in urls]
        self._urls = {robot_id(url): url for url in secrets}
        self._pacing = {target: SlidingWindow(per_minute, period) for target in self._urls}
        self.http = http
        self.flood_retry, self.network_retry = flood_retry, network_retry
        self.public_base_url = public_base_url  # the issue's web page in its header, when set

    @property
    def targets(self) -> tuple[str, ...]:
        """The robot ids, in the order the URLs were given."""
        return tuple(self._urls)

    def render(self, issue: IssueView, *, language: str) -> list[str]:
        """The issue as WeCom markdown messages (≤ 4096 bytes each), labels in `language`."""
        base = self.public_base_url
        web_url = public_issue_url(base, issue.number, language) if base else ""
        return render_issue(replace(issue, language=language), "wecom", web_url=web_url)

    async def send(self, target: str, text: str) -> str:
        """Post one markdown message to robot `target`; a generated message id."""
        url = self._urls.get(target)
        if url is None:
            raise SendFailed(f"{target}: no such robot configured (WECOM_WEBHOOK_URLS changed?)")
        async with self._pacing[target]:
            answer = await self._post(target, url, text)
        self._check(target, answer)
        return f"{target}:{uuid.uuid4().hex[:16]}"

    async def _post(self, target: str, url: str, text: str) -> dict[str, Any]:
        payload = {"msgtype": "markdown", "markdown": {"content": text}}
        try:
            response = await self.http.post(url, json=payload, timeout=SEND_TIMEOUT)
        except httpx.InvalidURL as exc:  # its message would quote the URL
            raise SendFailed(f"{target}: invalid webhook URL") from exc
        except httpx.HTTPError as exc:  # connect/read errors; messages carry no URL, names less
            raise SendRetryLater(
                f"{target}: network error {type(exc).__name__}", retry_after=self.network_retry
            ) from exc
        return self._json(target, response)

    def _json(self, target: str, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 500:
            raise SendRetryLater(
                f"{target}: HTTP {response.status_code}", retry_after=self.network_retry
            )
        if response.status_code >= 400:
            raise SendFailed(f"{target}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise SendFailed(f"{target}: unreadable answer (HTTP {response.status_code})") from exc
        if not isinstance(answer, dict):
            raise SendFailed(f"{target}: unexpected answer (HTTP {response.status_code})")
        return answer

    def _check(self, target: str, answer: dict[str, Any]) -> None:
        code = answer.get("errcode", 0)
        if code == 0:
            return
        message = f"{target}: errcode {code}: {redact(str(answer.get('errmsg', '')))[:300]}"
        if code == FLOOD_ERRCODE:
            raise SendRateLimited(message, retry_after=self.flood_retry)
        if code == BUSY_ERRCODE:
            raise SendRetryLater(message, retry_after=self.network_retry)
        raise SendFailed(message)
