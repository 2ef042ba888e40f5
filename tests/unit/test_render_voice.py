"""The seeds' fields as readers see them: stars for half points in every format, the 本文
summary under 摘要 (the table of contents keeps the translation), 内容概要 prose, the venue from
the comment and authors abbreviated when many — and summaries written before all this."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.render import FORMATS, render_issue, render_paper
from domain.types import (
    IssueItemView,
    IssueStatus,
    IssueView,
    PaperMeta,
    PaperView,
    StoredSummary,
    SummaryContent,
    SummarySource,
)
from tests.factories import make_paper

SUMMARY = "本文提出了一种名为SELF-PARAM的新方法。该方法不需要额外的参数。"
OVERVIEW = "这篇论文介绍了SELF-PARAM。\n\n实验表明该方法在批量注入任务中效果最好。"
TRANSLATION = "【译文】我们提出SELF-PARAM……"
REASON = "本文方法简洁。局限在于只测试了中小模型。推荐关注知识更新的研究者阅读。"


def _content(**overrides: object) -> SummaryContent:
    values: dict[str, object] = {
        "title_translated": "自我可更新的大型语言模型",
        "tldr": "SELF-PARAM无需额外参数即可整合新知识。",
        "summary": SUMMARY,
        "overview": OVERVIEW,
        "rating": 3.5,
        "rating_reason": REASON,
        "abstract_translated": TRANSLATION,
        "background": "背景。",
    }
    return SummaryContent.model_validate({**values, **overrides})


def _paper(meta: PaperMeta | None = None, content: SummaryContent | None = None) -> PaperView:
    summary = StoredSummary(
        id=1,
        paper_id=1,
        language="zh",
        source=SummarySource.LLM,
        model="m",
        prompt_version="sum-v2",
        content=content or _content(),
    )
    return PaperView(id=1, meta=meta or make_paper(title="Self-Updatable LLMs"), summary=summary)


def _issue(paper: PaperView) -> IssueView:
    return IssueView(
        id=1,
        number=3,
        title="【第3期】20261120: 参数内的自我更新",
        language="zh",
        status=IssueStatus.DRAFT,
        period_start=date(2026, 11, 20),
        period_end=date(2026, 11, 20),
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        items=(IssueItemView(position=1, included=True, paper=paper),),
    )


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "toc"])
def test_half_point_score_shows_as_stars_everywhere(fmt: str) -> None:
    text = "".join(render_issue(_issue(_paper()), fmt))
    assert "★★★½ 3.5" in text


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "toc"])
def test_an_old_whole_number_rating_still_renders(fmt: str) -> None:
    old = SummaryContent.model_validate({"title_translated": "旧", "tldr": "旧摘要", "rating": 4})
    text = "".join(render_issue(_issue(_paper(content=old)), fmt))
    assert "★★★★ 4" in text and "★★★★★" not in text


def test_cards_show_the_summary_and_the_paragraph_of_judgement() -> None:
    (cards,) = render_issue(_issue(_paper()), "cards")
    abstract = cards.split("**摘要：**", 1)[1].split("**研究背景：**", 1)[0]
    assert SUMMARY in abstract and TRANSLATION not in cards
    assert "**推荐阅读指数：** ★★★½ 3.5" in cards
    assert cards.index("**推荐阅读指数：**") < cards.index(f"**分析总结：**\n\n{REASON}")


def test_toc_keeps_the_full_translation_of_the_abstract() -> None:
    (toc,) = render_issue(_issue(_paper()), "toc")
    assert TRANSLATION in toc and SUMMARY not in toc


def test_md_overview_is_prose_after_the_tldr() -> None:
    (md,) = render_issue(_issue(_paper()), "md")
    overview = md.split("### 内容概要", 1)[1]
    assert overview.index("SELF-PARAM无需额外参数") < overview.index("这篇论文介绍了SELF-PARAM。")
    assert "实验表明该方法在批量注入任务中效果最好。" in overview
    assert "**研究背景：**" not in overview  # the prose replaces the structured sections here


def test_an_old_summary_without_the_new_fields_renders_as_before() -> None:
    old = _content(summary="", overview="", rating=None, rating_reason="")
    (cards,) = render_issue(_issue(_paper(content=old)), "cards")
    assert TRANSLATION in cards and "推荐阅读指数" not in cards
    (md,) = render_issue(_issue(_paper(content=old)), "md")
    assert "**研究背景：** 背景。" in md


def test_venue_and_year_come_from_the_comment() -> None:
    meta = make_paper(comment="Accepted at ICLR 2025 (oral). Code: https://github.com/a/b")
    (md,) = render_issue(_issue(_paper(meta)), "md")
    assert "**发表刊物/会议：** ICLR 2025 (Oral)" in md and "**发表年份：** 2025" in md
    (text,) = render_paper(_paper(replace(meta, comment="Submitted to NeurIPS 2026")), "text", "zh")
    assert "arXiv cs.CL · 2026" in text
    (telegram,) = render_issue(_issue(_paper(meta)), "telegram")
    assert "📄 ICLR 2025 (Oral) · <a" in telegram


@pytest.mark.parametrize(
    ("count", "language", "shown"),
    [
        (6, "zh", "A0, A1, A2, A3, A4, A5"),
        (7, "zh", "A0, A1, A2 等"),
        (16, "en", "A0, A1, A2 et al."),
    ],
)
def test_authors_are_abbreviated_when_many(count: int, language: str, shown: str) -> None:
    meta = make_paper(authors=tuple(f"A{n}" for n in range(count)))
    (text,) = render_paper(_paper(meta), "text", language)
    assert f"👥 {shown}\n" in text
