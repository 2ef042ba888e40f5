"""The three renderers of `domain.content` on hostile text: Telegram HTML (escaped, only
Telegram's tags, the issue split kept), console text and WeChat text (byte limit, hints)."""

from __future__ import annotations

import pytest

from bot.commands.reply import Button, Reply
from bot.i18n import say
from bot.render import render_issue
from bot.render.content import html_to_text, issue_messages, plain_text, telegram_html
from bot.wechat.text import MAX_BYTES, fit, render, utf8_len
from domain.content import (
    Blank,
    BulletList,
    Content,
    Field,
    Heading,
    IssueMessage,
    NumberedList,
    bold,
    code,
    italic,
    link,
    paragraph,
    strike,
)
from tests.fakes.telegram_html import check_message, parse_html
from tests.unit.test_render import make_issue

HOSTILE = (
    "<script>alert(1)</script>",
    "Tom & Jerry &amp; <b>not bold</b>",
    r"$\mathcal{O}(n^2) < \epsilon$ & \frac{a}{b}",
    "强化学习：对齐 “奖励模型” 与 <人类偏好>",
    "quotes \"double\" and 'single'",
)


def hostile_content(text: str) -> Content:
    return (
        Heading(text),
        paragraph("plain ", bold(text), " ", italic(text), " ", code(text), " ", strike(text)),
        Blank(),
        BulletList((paragraph(text).runs, (link(text, "https://e.org/?a=1&b=<2>"),))),
        NumberedList((paragraph(text).runs, paragraph(text, "\nmore").runs), start=3, loose=True),
        Field(text, (bold(text),), "："),
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_telegram_html_escapes_every_text_and_parses_back_to_it(text: str) -> None:
    html = telegram_html(hostile_content(text))
    assert check_message(html) is None
    assert "<script>" not in html and "<b>not bold</b>" not in html
    parsed = parse_html(html)
    assert parsed.text == plain_text(hostile_content(text)).replace(
        " (https://e.org/?a=1&b=<2>)", ""
    )
    assert {e.type for e in parsed.entities} >= {"bold", "italic", "code", "strikethrough"}


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_is_what_the_html_reads_as(text: str) -> None:
    content = hostile_content(text)
    assert plain_text(content) == html_to_text(telegram_html(content))
    assert text in plain_text(content)


def test_layout_of_blocks() -> None:
    content = (
        Heading("T"),
        Blank(),
        BulletList((paragraph("a").runs, paragraph("b").runs)),
        NumberedList((paragraph("x").runs, paragraph("y").runs), start=6, loose=True),
        Field("语言", (bold("中文"),), "："),
        paragraph(link("https://e.org", "https://e.org"), " ", link("site", "https://e.org")),
    )
    assert telegram_html(content) == (
        "<b>T</b>\n\n• a\n• b\n6. x\n\n7. y\n语言：<b>中文</b>\n"
        '<a href="https://e.org">https://e.org</a> <a href="https://e.org">site</a>'
    )
    assert (
        plain_text(content)
        == "T\n\n• a\n• b\n6. x\n\n7. y\n语言：中文\nhttps://e.org site (https://e.org)"
    )


def test_say_fills_placeholders_with_styled_runs_and_plain_values() -> None:
    sentence = say("en", "subscribed", topic=bold("<RLHF>"), matches=1, papers=2, days=3)
    assert sentence.runs[0].text == "✅ Following " and sentence.runs[1] == bold("<RLHF>")
    assert telegram_html((sentence,)).startswith("✅ Following <b>&lt;RLHF&gt;</b>\nIt matched 1")


def test_an_issue_keeps_its_telegram_split_and_text_reads_each_message() -> None:
    issue = make_issue()
    messages = render_issue(issue, "telegram")
    blocks = issue_messages(issue)
    assert [telegram_html((b,)) for b in blocks] == messages
    assert [plain_text((b,)) for b in blocks] == [html_to_text(m) for m in messages]
    assert blocks[-1] == IssueMessage(issue, len(messages) - 1)


def test_long_chinese_text_fits_wechat_between_characters() -> None:
    chunk = "强化学习与人类反馈对齐" * 40 + " <&> " + r"$\alpha$"
    blocks = (paragraph(chunk), Blank()) * 4
    replies = [Reply(blocks, buttons=((Button("下一页 ▶", "search", ("k", "2")),),))]
    answer = fit(render(replies), "zh")
    assert utf8_len(answer.text) <= MAX_BYTES and len(answer.rest) >= 1
    assert answer.text.startswith(chunk) and "下一页" in answer.text and "更多" in answer.text
    assert all(utf8_len(part) <= MAX_BYTES and "<&>" in part for part in answer.rest)


def test_reply_html_and_text_properties() -> None:
    reply = Reply((paragraph("a < b & ", bold("c")),))
    assert reply.html == "a &lt; b &amp; <b>c</b>" and reply.text == "a < b & c"
