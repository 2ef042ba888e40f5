"""What scheduled jobs tell the admins, as content (`domain.content`), never markup.

English with the issue's Chinese number (第N期), like the rest of the admin surface. Text that
came from elsewhere (titles, reports, errors) is handed over as it is: the front end that
shows the notice renders and escapes it — Telegram HTML in ADMIN_CHAT_ID
(`bot.telegram.admin_notify`), plain text on stdout without Telegram (`cli.schedule`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from core.config_groups import EditorialSettings
from core.services.review import flagged_positions
from domain.content import Content, bold, code, italic, paragraph
from domain.issue_ref import IssueRef
from domain.types import IssueKind, IssueView


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


def joined(notices: Iterable[Content]) -> Content:
    """Several notices as one message, each on its own lines."""
    return tuple(block for notice in notices for block in notice)


def draft_ready(issue: IssueView, editorial: EditorialSettings) -> Content:
    count = len(issue.included_items)
    ref = IssueRef(issue.number, issue.kind)
    blocks = [
        paragraph(
            "📝 Draft ", bold(ref.label("zh")), f" awaits review ({count} papers): ",
            italic(issue.title),
        ),
        paragraph(f"/review {ref.token}"),
    ]  # fmt: skip
    if issue.kind is IssueKind.WEEKLY:  # an editor approves it; then it goes out like a daily
        then = f"Once approved (/approve {ref.token}), it goes out at the next publish run"
        return (*blocks, paragraph(f"{then}, or now with /publish {ref.token}."))
    if not editorial.require_approval:
        blocks.append(paragraph("REQUIRE_APPROVAL is off: it goes out at the next publish run."))
    elif editorial.auto_publish_after is not None:
        delay = human_delay(editorial.auto_publish_after)
        blocks.append(paragraph(f"Untouched, it is published automatically in {delay}."))
    flagged = _flagged_line(issue, editorial)
    return tuple(blocks) + ((paragraph(flagged),) if flagged else ())


def _flagged_line(issue: IssueView, editorial: EditorialSettings) -> str | None:
    """Papers the summary guards flagged, and what auto-publish will do about them: said once,
    here, so a held draft is no surprise (auto-publish itself checks every minute, silently)."""
    flagged = flagged_positions(issue)
    if not flagged:
        return None
    line = f"⚠️ Papers {', '.join(map(str, flagged))} flagged by the summary guards"
    if not editorial.require_approval or editorial.auto_publish_after is None:
        return f"{line}: /review shows what."
    if editorial.auto_publish_flagged == "hold":
        return f"{line}: auto-publish waits for you (AUTO_PUBLISH_FLAGGED=hold)."
    return f"{line}: auto-publish leaves them out (AUTO_PUBLISH_FLAGGED=drop)."


def nothing_to_compose(reason: str) -> Content:
    return (paragraph(f"📭 Nothing to compose: {reason}"),)


def fetched(lines: Sequence[str]) -> Content:
    return (paragraph("📥 " + "\n".join(lines)),)


def published(issue: int | IssueRef, report: str) -> Content:
    return (paragraph("📬 ", bold(_label(issue)), f" published: {report}"),)


def publish_failed(issue: int | IssueRef, error: str) -> Content:
    return (paragraph("⚠️ Publishing ", bold(_label(issue)), f" failed: {error}"),)


def _label(issue: int | IssueRef) -> str:
    """`第3期`, or `周报第3期` for a weekly round-up."""
    return (issue if isinstance(issue, IssueRef) else IssueRef(issue)).label("zh")


def still_in_review(number: int) -> Content:
    return (
        paragraph(
            "⏳ Nothing published: ", bold(f"第{number}期"),
            f" still awaits review. /review {number}",
        ),
    )  # fmt: skip


def auto_published(number: int, delay: timedelta, report: str) -> Content:
    return (
        paragraph(
            "🤖 ", bold(f"第{number}期"),
            f" was published automatically after {human_delay(delay)} without review. {report}",
        ),
    )  # fmt: skip


def auto_publish_failed(number: int, delay: timedelta, error: str) -> Content:
    return (
        paragraph(
            "⚠️ ", bold(f"第{number}期"),
            f" was approved automatically after {human_delay(delay)} without review, but "
            f"publishing failed: {error}. The next publish run retries it.",
        ),
    )  # fmt: skip


def job_failed(name: str, error: str) -> Content:
    return (paragraph("⚠️ Scheduled job ", code(name), f" failed: {error}"),)
