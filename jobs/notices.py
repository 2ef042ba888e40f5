"""The short HTML lines scheduled jobs send to the admin chat (Telegram HTML: b, i, code).

English with the issue's Chinese number (第N期), like the rest of the admin surface; every piece
of text that came from elsewhere (titles, reports, errors) is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from html import escape

from core.config_groups import EditorialSettings
from domain.types import IssueView


def esc(text: str) -> str:
    return escape(text, quote=False)


def human_delay(delay: timedelta) -> str:
    """`2h`, `90min`, `1d 2h`, `45s`: the largest units that say it exactly (at most two)."""
    seconds = int(delay.total_seconds())
    if seconds < 60 or seconds % 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes % 60:
        return f"{minutes}min"
    days, hours = divmod(minutes // 60, 24)
    if not days:
        return f"{hours}h"
    return f"{days}d {hours}h" if hours else f"{days}d"


def draft_ready(issue: IssueView, editorial: EditorialSettings) -> str:
    count = len(issue.included_items)
    text = (
        f"📝 Draft <b>第{issue.number}期</b> awaits review ({count} papers): "
        f"<i>{esc(issue.title)}</i>\n/review {issue.number}"
    )
    if not editorial.require_approval:
        text += "\nREQUIRE_APPROVAL is off: it goes out at the next publish run."
    elif editorial.auto_publish_after is not None:
        delay = human_delay(editorial.auto_publish_after)
        text += f"\nUntouched, it is published automatically in {delay}."
    return text


def nothing_to_compose(reason: str) -> str:
    return f"📭 Nothing to compose: {esc(reason)}"


def fetched(lines: Sequence[str]) -> str:
    return "📥 " + "\n".join(esc(line) for line in lines)


def published(number: int, report: str) -> str:
    return f"📬 <b>第{number}期</b> published: {esc(report)}"


def publish_failed(number: int, error: str) -> str:
    return f"⚠️ Publishing <b>第{number}期</b> failed: {esc(error)}"


def still_in_review(number: int) -> str:
    return f"⏳ Nothing published: <b>第{number}期</b> still awaits review. /review {number}"


def auto_published(number: int, delay: timedelta, report: str) -> str:
    return (
        f"🤖 <b>第{number}期</b> was published automatically after {human_delay(delay)} "
        f"without review. {esc(report)}"
    )


def auto_publish_failed(number: int, delay: timedelta, error: str) -> str:
    return (
        f"⚠️ <b>第{number}期</b> was approved automatically after {human_delay(delay)} without "
        f"review, but publishing failed: {esc(error)}. The next publish run retries it."
    )


def job_failed(name: str, error: str) -> str:
    return f"⚠️ Scheduled job <code>{esc(name)}</code> failed: {esc(error)}"
