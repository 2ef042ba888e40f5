"""Who a Telegram issue goes to: the channel, then every chat receiving digests.

When CHANNEL_ID is set the channel (an "@name" or a numeric id) gets every included paper in
DIGEST_LANGUAGE, as a ledger row of kind `channel`, ahead of the chats; each chat gets its row
from the platform-neutral topic rule (`core.services.delivery`). `TelegramSender` is a
`TelegramTargets`, so the publish job plans through the sender it was handed.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.sending import ChatRow, NewDelivery, whole_issue_row
from domain.types import ChatPlatform, ChatState, IssueView

CHANNEL = "channel"  # the ledger kind of the channel's row


class TelegramTargets:
    """`core.sending.Targeting` for Telegram: the channel first, then the chats."""

    platform: str = ChatPlatform.TELEGRAM.value

    def __init__(self, channel_id: str | None = None) -> None:
        self.channel_id = channel_id  # CHANNEL_ID: "@name" or "-100…"; None: no channel

    def own_targets(self, issue: IssueView) -> list[NewDelivery]:
        """The channel's row (when there is a channel), ahead of every chat."""
        channel = self.channel_id
        return [whole_issue_row(channel, CHANNEL, issue)] if channel else []

    def chat_targets(self, chats: Sequence[ChatState], chat_row: ChatRow) -> list[NewDelivery]:
        """Each chat's platform-neutral row, in the given (oldest first) order."""
        return [chat_row(chat) for chat in chats]
