"""Who a WeChat digest goes to: followers who wrote to us within the last 47 hours.

An Official Account may message a follower only within 48 hours of the follower's last message
(`ChatState.last_seen_at`, updated on every message). A follower last seen longer ago than
`WECHAT_WINDOW` (47 h: an hour's margin for a long delivery) gets a `skipped` row of kind
`window` instead of their papers: the ledger records that they were left out, so a re-run
resumes rather than re-plans, and the reader gets the papers on their next message (`最新`) and
in the article. Followers inside the window get the platform-neutral row
(`core.services.delivery`). `WeChatCustomerSender` is a `WeChatTargets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from core.sending import ChatRow, NewDelivery, left_out_row
from domain.types import ChatPlatform, ChatState, IssueView

OUTSIDE_WINDOW = "window"  # the ledger kind of a follower outside the 48-hour window: skipped
WECHAT_WINDOW = timedelta(hours=47)


class WeChatTargets:
    """`core.sending.Targeting` for WeChat followers: the 48-hour window rule."""

    platform: str = ChatPlatform.WECHAT.value

    def own_targets(self, issue: IssueView) -> list[NewDelivery]:
        """None: every WeChat target is a follower."""
        return []

    def chat_targets(self, chats: Sequence[ChatState], chat_row: ChatRow) -> list[NewDelivery]:
        """Each follower's row, oldest first; those outside the window skipped (kind `window`).
        The window is taken per batch: a batch is planned in well under the hour's margin."""
        opened_after = datetime.now(UTC) - WECHAT_WINDOW
        return [
            chat_row(chat) if in_window(chat, opened_after) else left_out_row(chat, OUTSIDE_WINDOW)
            for chat in chats
        ]


def in_window(chat: ChatState, opened_after: datetime) -> bool:
    """Did the follower write to us at or after `opened_after`?"""
    return chat.last_seen_at is not None and chat.last_seen_at >= opened_after
