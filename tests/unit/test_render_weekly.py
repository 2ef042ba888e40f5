"""A weekly round-up rendered in seed 001's shape on every platform: the 【极速前进】 title line,
then per paper a 一、二、三 heading stating its claim, 论文地址 with the link and the focused
explanation, compared structurally with the hand-written seed itself."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.render import FORMATS, render_article, render_issue
from domain.types import IssueItemView, IssueKind, IssueStatus, IssueView, PaperView
from tests.factories import make_paper
from tests.fakes.telegram_html import check_message, parse_html

SEED = next(Path("/work/shared/seeds").glob("001_*.txt"), None)
TITLE = re.compile(r"^【极速前进】\d{8}-\d{8}[:：]\s*\S")
HEADING = re.compile(r"^([一二三四五六七八九十])、\s*\S")
LINK = re.compile(r"^论文地址[:：]\s*https://arxiv\.org/pdf/\S+")
CLAIMS = (
    "TR-DPO：更新reference模型能实现更好的对齐",
    "压缩与智能呈线性关系",
    "模拟伪代码执行改善算术推理",
    "Many-shot上下文学习优于few-shot",
    "合成数据的最佳实践",
)
FORMULA = "$\\mathcal{L}_{DPO}=-\\mathbb{E}[\\log\\sigma(\\beta\\Delta)]$ <a> & *b*"


def skeleton(text: str) -> list[str]:
    """The seed's structure: title, then per paper its numbered heading and its link line."""
    shape = []
    for raw in text.splitlines():
        line = raw.strip().strip("*").lstrip("# ")
        if TITLE.match(line):
            shape.append("title")
        elif match := HEADING.match(line):
            shape.append(f"heading {match.group(1)}")
        elif LINK.match(line):
            shape.append("link")
    return shape


def weekly_issue(language: str = "zh") -> IssueView:
    items = tuple(
        IssueItemView(
            position=n,
            included=True,
            paper=PaperView(id=n, meta=make_paper(title=f"Paper {n}: a study")),
            heading=claim,
            explanation=f"问题：第{n}个问题。\n\n核心思想：{FORMULA}\n\n结果：提升12.5%。",
        )
        for n, claim in enumerate(CLAIMS, start=1)
    )
    return IssueView(
        id=9, number=3, language=language, status=IssueStatus.PUBLISHED,
        title="【极速前进】20261116-20261122: 信任域偏好优化、压缩与智能的线性关系",
        period_start=date(2026, 11, 16), period_end=date(2026, 11, 22),
        created_at=datetime(2026, 11, 22, tzinfo=UTC), items=items, kind=IssueKind.WEEKLY,
    )  # fmt: skip


EXPECTED = ["title", *[s for n in "一二三四五" for s in (f"heading {n}", "link")]]


@pytest.mark.skipif(SEED is None, reason="the shared seeds are not on this machine")
def test_the_seed_itself_has_this_skeleton() -> None:
    assert SEED is not None
    body = SEED.read_text(encoding="utf-8").split("这篇关于")[0]  # the tail is scraped noise
    assert skeleton(body) == EXPECTED


@pytest.mark.parametrize("fmt", ["md", "cards", "toc", "text", "wecom"])
def test_plain_formats_follow_the_seed(fmt: str) -> None:
    text = "\n".join(render_issue(weekly_issue(), fmt))
    assert skeleton(text) == EXPECTED
    assert "ML Papers" not in text and "周报第3期" in text
    for claim in CLAIMS[1:]:
        assert claim in text


def test_markdown_keeps_formulas_and_neutralizes_tags() -> None:
    (text,) = render_issue(weekly_issue(), "md")
    assert "$\\mathcal{L}_{DPO}=-\\mathbb{E}" in text  # the formula as written
    assert "\\<a>" in text  # never a tag


def test_telegram_messages_are_valid_html_in_the_seeds_shape() -> None:
    messages = render_issue(weekly_issue(), "telegram", web_url="https://d.example/weekly/3")
    for message in messages:
        assert check_message(message) is None, message
    plain = "\n".join(parse_html(message).text for message in messages)
    assert skeleton(plain) == EXPECTED
    assert "&lt;a&gt; &amp; *b*" in "".join(messages)  # escaped, never a tag


def test_wechat_article_in_the_seeds_shape() -> None:
    html = render_article(weekly_issue())
    headings = re.findall(r"<h2[^>]*>([一二三四五])、", html)
    assert headings == list("一二三四五") and "<h1" in html
    assert html.count("论文地址") == 5 and "&lt;a&gt;" in html


def test_english_weekly_numbers_with_digits() -> None:
    (text,) = render_issue(weekly_issue("en"), "md")
    assert "## 1. TR-DPO" in text and "Weekly 3" in text and "Paper: https://arxiv.org/pdf/" in text


def test_every_format_renders_a_weekly() -> None:
    for fmt in FORMATS:
        assert render_issue(weekly_issue(), fmt)
