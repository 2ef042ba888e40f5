"""WeCom robot markdown: within 4096 bytes of UTF-8 (Chinese costs 3), split between papers,
hostile text neutralized, nothing outside the robot's markdown subset."""

from __future__ import annotations

import itertools
from dataclasses import replace

from bot.render import render_issue, render_paper
from bot.render.split import utf8_bytes
from tests.fakes.wecom_robot import MAX_BYTES, markdown_violations
from tests.unit.test_render import HOSTILE, SEED, _hostile_issue, make_issue


def _check(messages: list[str]) -> None:
    for message in messages:
        assert utf8_bytes(message) <= MAX_BYTES, utf8_bytes(message)
        assert markdown_violations(message) == [], message[:300]


def test_a_chinese_issue_splits_by_bytes_at_paper_boundaries() -> None:
    issue = make_issue(SEED[:12])
    messages = render_issue(issue, "wecom")
    _check(messages)
    assert len(messages) > 1 and messages[0].startswith("# 📰 ML Papers第7期")
    headings = [line for m in messages for line in m.splitlines() if line.startswith("### ")]
    assert [h.split(".")[0] for h in headings] == [f"### {n}" for n in range(1, 13)]
    for message in messages[1:]:
        assert message.startswith("### ")  # each message starts with a whole paper


def test_messages_would_pass_a_character_count_but_are_cut_by_bytes() -> None:
    issue = make_issue(SEED[:12])
    by_bytes = render_issue(issue, "wecom")
    joined = "\n\n".join(by_bytes)
    assert len(joined) < utf8_bytes(joined)  # Chinese: a character costs more than one byte
    for first, second in itertools.pairwise(by_bytes):  # packed greedily
        assert utf8_bytes(first + "\n\n" + second) > MAX_BYTES


def test_a_paper_too_long_is_shortened_field_by_field_never_inside_markup() -> None:
    long = "长" * 5000
    issue = _hostile_issue(background=long, method="m" * 3000, abstract_translated=long)
    messages = render_issue(issue, "wecom")
    _check(messages)
    first = next(m for m in messages if "＜script>alert(1)＜/script>" in m)
    assert "…" in first and "**研究背景**" in first
    assert first.count("<font") == first.count("</font>")


def test_hostile_text_is_neutralized_but_readable() -> None:
    messages = render_issue(_hostile_issue(), "wecom")
    _check(messages)
    text = "\n".join(messages)
    assert "<script>" not in text and "</b>" not in text
    assert "＜script>alert(1)＜/script>" in text and "＜/b> closes nothing" in text
    assert "a & b" in text and "😀 emoji 🚀 title" in text and HOSTILE[6] in text
    assert "quote \" and ' and ˋtickˋ" in text


def test_markdown_syntax_in_titles_makes_no_markup() -> None:
    issue = make_issue(SEED[:1], extractive=())
    item = issue.items[0]
    assert item.paper.summary is not None
    evil = "# **bold** [link](javascript:x) ![img](http://x/y.png) | a | b |\n|---|---|"
    content = item.paper.summary.content.model_copy(
        update={"title_translated": evil, "background": "> quoted\n\n# heading\n\n|---|---|"}
    )
    paper = replace(item.paper, summary=replace(item.paper.summary, content=content))
    messages = render_issue(replace(issue, items=(replace(item, paper=paper),)), "wecom")
    _check(messages)
    text = "\n".join(messages)
    assert "](javascript:" not in text and "![" not in text
    assert "\n# " not in text.split("\n", 1)[1]  # only our own issue heading
    assert "＃ ∗∗bold∗∗ ［link］(javascript:x)" in text and "＞ quoted" in text


def test_english_labels_and_a_single_card() -> None:
    issue = make_issue(SEED[:2], language="en")
    _check(render_issue(issue, "wecom"))
    (card,) = render_paper(issue.items[0].paper, "wecom", "en")
    assert card.startswith("### 1. ") and SEED[0].arxiv_id in card
    assert markdown_violations(card) == []
