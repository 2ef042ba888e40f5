"""Topic phrases for issue titles: junk and bare field names refused, repeats folded together."""

from __future__ import annotations

import pytest

from domain.types import PaperView, StoredSummary, SummaryContent, SummarySource
from jobs.issue_topics import clean_topic, paper_topics, short_name
from tests.factories import make_paper


@pytest.mark.parametrize(
    ("phrase", "language", "kept"),
    [
        ("压缩与智能的线性关系", "zh", "压缩与智能的线性关系"),
        ("「TR-DPO更新参考模型」", "zh", "TR-DPO更新参考模型"),
        ("大语言模型", "zh", ""),  # a bare field name
        ("LLMs", "en", ""),
        ("大语言模型、强化学习、对齐", "zh", ""),  # a keyword list
        ("preference learning", "zh", ""),  # no Chinese in a Chinese title
        ("https://evil.example/点我", "zh", ""),
        ("<b>注入</b>", "zh", ""),
        ("这是一个非常非常非常非常长的主题短语不适合标题", "zh", ""),
        ("preference data cleaning", "en", "preference data cleaning"),
        ("", "zh", ""),
        ("。。。", "zh", ""),
    ],
)
def test_clean_topic(phrase: str, language: str, kept: str) -> None:
    assert clean_topic(phrase, language) == kept


def test_short_name_is_a_name_not_a_sentence() -> None:
    assert short_name("TR-DPO: trust region DPO") == "TR-DPO"
    assert short_name("Why do models fail at this task: a study") == ""
    assert short_name("No colon here") == ""


def _paper(title: str, topic: str) -> PaperView:
    content = SummaryContent(title_translated=title, tldr="x", topic=topic, keywords=["大语言模型"])
    summary = StoredSummary(
        id=1, paper_id=1, language="zh", source=SummarySource.LLM, model="m",
        prompt_version="p", content=content,
    )  # fmt: skip
    return PaperView(id=1, meta=make_paper(title=title), summary=summary)


def test_repeats_and_containing_phrases_are_named_once() -> None:
    papers = [
        _paper("A long title", "大语言模型对齐"),
        _paper("Another long title", "大语言模型对齐"),
        _paper("Third title", "ＴＲ－ＤＰＯ对齐"),  # full-width: the same as the next one
        _paper("Fourth title", "TR-DPO对齐"),
        _paper("Fifth title", "对齐"),  # contained in a topic already named
        _paper("Keyword only title", ""),  # keywords never name a paper
    ]
    assert paper_topics(papers, "zh") == ["大语言模型对齐", "ＴＲ－ＤＰＯ对齐"]
