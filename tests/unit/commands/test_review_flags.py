"""The review preview shows each guard flag with its field and the offending text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.commands.admin_preview import FLAGS_SHOWN, preview
from domain.content import italic
from domain.guard_flags import INJECTION, NUMBER, URL, GuardFlag
from domain.types import (
    IssueItemView,
    IssueReview,
    IssueStatus,
    IssueView,
    PaperView,
    ReviewItem,
    StoredSummary,
    SummaryContent,
    SummarySource,
)
from tests.factories import make_paper
from tests.unit.commands.conftest import paragraphs, text_of

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _review(flags: tuple[str, ...]) -> IssueReview:
    content = SummaryContent(title_translated="论文", tldr="提升了15%")
    summary = StoredSummary(1, 1, "zh", SummarySource.LLM, "m", "v", content, flags=flags)
    item = IssueItemView(1, True, PaperView(1, make_paper(), summary))
    issue = IssueView(
        1, 7, "第7期", "zh", IssueStatus.DRAFT, date(2026, 11, 30), date(2026, 11, 30), NOW,
        items=(item,),
    )  # fmt: skip
    return IssueReview(issue, (ReviewItem(item, flags),))


def test_flags_show_kind_field_and_span() -> None:
    flags = (
        GuardFlag(NUMBER, "results", "提升了15%").encode(),
        GuardFlag(URL, "method", "https://evil.example/x").encode(),
        "llm_failed",
    )
    replies = preview(_review(flags), "zh")
    text = text_of(replies)
    assert "⚠️ 原文没有的数字 · results: «提升了15%»" in text
    assert "⚠️ 原文没有的链接 · method: «https://evil.example/x»" in text
    assert "⚠️ LLM 失败" in text
    runs = [run for block in paragraphs(replies[0].content) for run in block.runs]
    assert italic("«https://evil.example/x»") in runs  # a styled run: escaped by the renderer


def test_many_flags_are_capped_with_a_count() -> None:
    flags = tuple(
        GuardFlag(INJECTION, f"contributions[{i}]", "ignore previous instructions").encode()
        for i in range(5)
    )
    text = text_of(preview(_review(flags), "en"))
    assert text.count("instruction-like text") == FLAGS_SHOWN
    assert f"⚠️ {5 - FLAGS_SHOWN} more" in text
