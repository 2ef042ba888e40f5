"""The draft preview editors work on: numbered papers with rating, ⚠️ flags and ✅/⬜, and the
buttons that change them. Every button press edits this message in place.

Ten papers a page keeps the text under Telegram's 4096 characters with TL;DRs shown, and the
keyboard (three buttons a paper) well under its size limit.
"""

from __future__ import annotations

from bot.commands.issues import ref_label
from bot.commands.reply import Button, Reply, replies
from bot.i18n import TEXTS, say, t
from domain.content import Blank, Block, Inline, Paragraph, bold, italic, paragraph, strike
from domain.guard_flags import parse_flag
from domain.issue_ref import IssueRef
from domain.rating import score_text
from domain.types import IssueKind, IssueReview, IssueStatus, ReviewItem

PAGE_SIZE = 10
TITLE_CHARS = 80
TLDR_CHARS = 140
FLAGS_SHOWN = 3  # per paper: with their spans, more would crowd the page past 4096 characters
# Button actions (short: callback data holds 64 bytes with its signature).
PAGE, INCLUDE, MOVE, APPROVE, REJECT = "rvp", "rvi", "rvm", "rva", "rvr"
CHANGEABLE = (IssueStatus.DRAFT, IssueStatus.APPROVED)


def page_of(position: int) -> int:
    return (position - 1) // PAGE_SIZE + 1


def preview(
    review: IssueReview, language: str, page: int = 1, *, edit: bool = False
) -> list[Reply]:
    pages = max(1, -(-len(review.items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = review.items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    blocks = _header(review, language)
    blocks += [_paper(item, language) for item in shown]
    if pages > 1:
        blocks.append(paragraph(t(language, "issues_page", page=page, pages=pages)))
    return replies(blocks, _buttons(review, language, shown, page, pages), edit=edit)


def _header(review: IssueReview, language: str) -> list[Block]:
    issue = review.issue
    status = t(language, f"status_{issue.status.value}")
    ref = bold(ref_label(language, IssueRef(issue.number, issue.kind)))
    blocks: list[Block] = [
        say(language, "review_title", ref=ref, status=status),
        paragraph(italic(issue.title)),
        say(language, "review_counts", included=len(issue.included_items),
            total=len(review.items), flagged=review.flagged),
    ]  # fmt: skip
    if issue.status is IssueStatus.APPROVED and issue.approved_at is not None:
        at = issue.approved_at.strftime("%Y-%m-%d %H:%M UTC")
        blocks.append(say(language, "review_approved", admin=issue.approved_by or "?", at=at))
    if review.rejected_reason and issue.status is IssueStatus.REJECTED:
        blocks.append(say(language, "review_rejected", reason=review.rejected_reason))
    if issue.status in CHANGEABLE:
        key = "review_help" if issue.kind is IssueKind.DAILY else "weekly_review_help"
        blocks.append(paragraph(italic(t(language, key, number=issue.number))))
    return [*blocks, Blank()]


def _paper(entry: ReviewItem, language: str) -> Paragraph:
    """`3. ✅ ★4 title` (struck through when dropped), then its flags, edits and TL;DR."""
    item = entry.item
    summary = item.paper.summary
    rating = summary.content.rating if summary else None
    mark = "✅" if item.included else "⬜"
    stars = f" ★{score_text(rating)}" if rating else ""  # ★3.5: a half point is worth seeing
    title = _short(item.display_title, TITLE_CHARS)
    runs: list[Inline | str] = [
        f"{item.position}. {mark}{stars} ",
        strike(title) if item.included is False else bold(title),
    ]
    runs += _flag_lines(entry.flags, language)
    if entry.edited:
        runs.append("\n   " + t(language, "edited"))
    if item.heading or item.tldr:  # a weekly's claim, else the TL;DR
        runs.append(f"\n   {_short(item.heading or item.tldr, TLDR_CHARS)}")
    return paragraph(*runs)


def _flag_lines(flags: tuple[str, ...], language: str) -> list[Inline | str]:
    """One `⚠️` line per flag: what, and where with the offending text (`results: «15%»`)."""
    lines: list[Inline | str] = []
    for flag in flags[:FLAGS_SHOWN]:
        parsed = parse_flag(flag)
        lines.append("\n   ⚠️ " + flag_label(parsed.kind, language))
        if parsed.field:
            lines += [f" · {parsed.field}: ", italic(f"«{parsed.span}»")]
    if len(flags) > FLAGS_SHOWN:
        lines.append("\n   ⚠️ " + t(language, "flags_more", count=len(flags) - FLAGS_SHOWN))
    return lines


def flag_label(flag: str, language: str) -> str:
    key = f"flag_{parse_flag(flag).kind}"
    return t(language, key) if key in TEXTS["en"] else flag


def _buttons(
    review: IssueReview, language: str, shown: tuple[ReviewItem, ...], page: int, pages: int
) -> tuple[tuple[Button, ...], ...]:
    issue = review.issue
    if issue.status not in CHANGEABLE:
        return ()
    if issue.kind is IssueKind.WEEKLY:  # its five are chosen: approve here, /reject w3 reason
        token = IssueRef(issue.number, issue.kind).token
        approve = Button(t(language, "approve"), APPROVE, (token,))
        return ((approve,),) if issue.status is IssueStatus.DRAFT else ()
    number, last = str(issue.number), len(review.items)
    rows = [_item_row(number, entry, last) for entry in shown]
    rows.append(_pager(language, number, page, pages))
    decide = [Button(t(language, "reject"), REJECT, (number,))]
    if issue.status is IssueStatus.DRAFT:
        decide.insert(0, Button(t(language, "approve"), APPROVE, (number,)))
    rows.append(tuple(decide))
    return tuple(row for row in rows if row)


def _item_row(number: str, entry: ReviewItem, last: int) -> tuple[Button, ...]:
    item = entry.item
    position = str(item.position)
    mark = "✅" if item.included else "⬜"
    row = [Button(f"{mark} {position}", INCLUDE, (number, position, "0" if item.included else "1"))]
    if item.position > 1:
        row.append(Button(f"↑ {position}", MOVE, (number, position, "u")))
    if item.position < last:
        row.append(Button(f"↓ {position}", MOVE, (number, position, "d")))
    return tuple(row)


def _pager(language: str, number: str, page: int, pages: int) -> tuple[Button, ...]:
    back = (Button(t(language, "prev"), PAGE, (number, str(page - 1))),) if page > 1 else ()
    ahead = (Button(t(language, "next"), PAGE, (number, str(page + 1))),) if page < pages else ()
    return back + ahead


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
