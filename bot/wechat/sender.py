"""The WeChat `Sender`: personal digests as customer-service text messages to one follower.

An Official Account may message a follower only within 48 hours of that follower's last
message (the planner only plans those, see `bot.wechat.targets`). The digest is a short
text list — the issue's title, then each matching paper's title, TL;DR and link — in at most
`MAX_MESSAGES` messages of ≤ 2048 bytes; the rest is one line pointing at the full issue.
Each rendered part is one customer-service message, so the ledger confirms every message.

Errors: `OutsideWindow` → `SendFailed` (not blocked: the user still follows us and gets the
papers when they next write); `Unfollowed` → `SendBlocked`; `Unavailable` → `SendRetryLater`;
any other `ApiError` → `SendFailed`.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from bot.render.context import PaperCard, issue_cards, one_line
from bot.render.labels import labels_for
from bot.wechat.api import (
    MAX_TEXT_BYTES,
    ApiError,
    OutsideWindow,
    Unavailable,
    Unfollowed,
    WeChatApi,
    split_text,
)
from bot.wechat.targets import WeChatTargets
from core.sending import SendBlocked, SendFailed, SendRetryLater
from domain.types import IssueView

MAX_MESSAGES = 3
MAX_TLDR = 200  # characters; the full summary is in the article and on `第N期`
RETRY_AFTER = 30.0  # seconds; busy or over quota

_MORE = {
    "zh": "……还有 {count} 篇，发送「第{number}期」查看全部。",
    "en": '…and {count} more: send "issue {number}" to see them all.',
}


class WeChatCustomerSender(WeChatTargets):
    """`Sender` for WeChat followers (openids) through the customer-service message API; who
    is within the 48-hour window is `WeChatTargets`'s rule."""

    def __init__(self, api: WeChatApi) -> None:
        self.api = api

    def render(self, issue: IssueView, *, language: str) -> list[str]:
        """The issue as ≤ MAX_MESSAGES texts of ≤ 2048 bytes, labels in `language`."""
        issue = replace(issue, language=language)
        cards = issue_cards(issue)
        heading = labels_for(language)["issue_heading"].format(number=issue.number)
        entries = [f"📰 {heading}\n{one_line(issue.title)}"]
        mark = f"✨ {labels_for(language)['recommended']}"
        entries += [_entry(card, mark) for card in cards]
        return _fit(entries, len(cards), issue.number, language)

    async def send(self, target: str, text: str) -> str:
        """One customer-service text to openid `target`; a local id (WeChat returns none)."""
        try:
            await self.api.send_text(target, text)
        except OutsideWindow as exc:
            raise SendFailed(f"outside the 48-hour window: {exc}") from exc
        except Unfollowed as exc:
            raise SendBlocked(str(exc)) from exc
        except Unavailable as exc:
            raise SendRetryLater(str(exc), retry_after=RETRY_AFTER) from exc
        except ApiError as exc:
            raise SendFailed(str(exc)) from exc
        return f"cs-{uuid.uuid4().hex[:16]}"


def _entry(card: PaperCard, mark: str) -> str:
    """A paper's lines; `mark` ("为你推荐") under the title of a "for you" recommendation."""
    tldr = one_line(card.tldr)
    if len(tldr) > MAX_TLDR:
        tldr = tldr[: MAX_TLDR - 1] + "…"
    lines = [f"{card.ref}. {card.display_title}", mark if card.recommended else "", tldr]
    lines.append(card.abs_url)
    return "\n".join(line for line in lines if line)


def _fit(entries: list[str], papers: int, number: int, language: str) -> list[str]:
    """Pack whole entries into messages; past MAX_MESSAGES, one line says how many are left."""
    messages: list[str] = []
    for index, entry in enumerate(entries):
        if messages and _bytes(messages[-1] + "\n\n" + entry) <= MAX_TEXT_BYTES:
            messages[-1] += "\n\n" + entry
        elif len(messages) < MAX_MESSAGES:
            messages.extend(split_text(entry))  # an entry alone always fits; split is a guard
        else:
            _close(messages, _MORE.get(language, _MORE["en"]), papers - index + 1, number)
            break
    return messages[:MAX_MESSAGES]


def _close(messages: list[str], template: str, left: int, number: int) -> None:
    more = template.format(count=left, number=number)
    while messages[-1] and _bytes(messages[-1] + "\n\n" + more) > MAX_TEXT_BYTES:
        head, _, _ = messages[-1].rpartition("\n\n")
        left += 1
        more = template.format(count=left, number=number)
        messages[-1] = head
    messages[-1] = f"{messages[-1]}\n\n{more}".strip()


def _bytes(text: str) -> int:
    return len(text.encode())
