"""Who a WeCom issue goes to: every configured group robot (WECOM_WEBHOOK_URLS), once each.

Each robot gets every included paper in DIGEST_LANGUAGE as a ledger row of kind `group_robot`.
A robot's webhook URL carries its secret key and must never be stored, so its ledger target
(and the sender's) is `robot_id(url)`, `robot-` and 10 hex digits of the URL's SHA-256. WeCom
robots are push-only: there are no WeCom chats, so the topic rule has nothing to add.
`WeComSender` is a `WeComTargets`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from core.sending import ChatRow, NewDelivery, whole_issue_row
from domain.types import ChatState, IssueView

WECOM = "wecom"  # the platform name of WeCom group robots in the ledger
GROUP_ROBOT = "group_robot"  # the ledger kind of a robot's row


def robot_id(url: str) -> str:
    """A WeCom robot's stable, non-secret id: `robot-` and 10 hex digits of its URL's SHA-256."""
    return f"robot-{hashlib.sha256(url.strip().encode()).hexdigest()[:10]}"


def robot_rows(robots: Sequence[str], issue: IssueView) -> list[NewDelivery]:
    """One row per robot id (duplicates once), every included paper."""
    return [whole_issue_row(robot, GROUP_ROBOT, issue) for robot in dict.fromkeys(robots)]


class WeComTargets:
    """`core.sending.Targeting` for WeCom: the configured robots."""

    platform: str = WECOM

    @property
    def targets(self) -> tuple[str, ...]:
        """The robot ids of WECOM_WEBHOOK_URLS, in order (the sender knows its URLs)."""
        raise NotImplementedError

    def own_targets(self, issue: IssueView) -> list[NewDelivery]:
        """One row per robot, in order."""
        return robot_rows(self.targets, issue)

    def chat_targets(self, chats: Sequence[ChatState], chat_row: ChatRow) -> list[NewDelivery]:
        """None: WeCom robots are push-only, there are no WeCom chats."""
        return []
