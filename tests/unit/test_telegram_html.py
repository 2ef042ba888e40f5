"""The Telegram HTML validator accepts what Telegram accepts and names what it refuses."""

from __future__ import annotations

import pytest

from tests.fakes.telegram_html import check_message, parse_html


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("ok <br/> no", 'Unsupported start tag "br" at byte offset 3'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a & b", 'Character "&" must be escaped'),
        ("a &nbsp; b", 'Character "&" must be escaped'),
        ("1 > 0", 'Character ">" must be escaped'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "Blockquotes can't be nested"),
        ("<code><b>x</b></code>", 'Tag "b" can\'t be nested inside "code"'),
        ("<a>x</a>", 'Tag "a" must have a non-empty "href"'),
        ('<a href="x>y', "Unclosed"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("   ", "message text is empty"),
    ],
)
def test_refuses_what_telegram_refuses(html: str, error: str) -> None:
    message = check_message(html)
    assert message is not None and error in message


def test_byte_offsets_count_utf8_like_telegram() -> None:
    message = check_message("中文<x>")
    assert message is not None and message.endswith("at byte offset 6")


def test_accepts_every_documented_tag_and_entity() -> None:
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://e.org/?a=1&amp;b=&quot;2&quot;">link</a>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        '<tg-time unix="1647531900" format="wDT">22:45</tg-time>'
        '<code>c</code><pre><code class="language-python">x &lt; 1</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>long</blockquote>"
        "&lt;&gt;&amp;&quot;&#60;&#x3C;"
    )
    assert check_message(html) is None
    parsed = parse_html(html)
    assert parsed.text.endswith('<>&"<<')
    link = next(e for e in parsed.entities if e.type == "text_link")
    assert link.url == 'https://e.org/?a=1&b="2"'
    assert {e.type for e in parsed.entities} >= {"expandable_blockquote", "spoiler", "pre"}


def test_length_is_counted_in_utf16_after_parsing() -> None:
    assert check_message("a" * 4096) is None
    assert check_message("a" * 4097) == "Bad Request: message is too long"
    assert check_message("<b>" + "a" * 4096 + "</b>") is None  # tags do not count
    assert check_message("&amp;" * 4096) is None  # one character each
    assert check_message("😀" * 2048) is None  # two UTF-16 units each
    assert check_message("😀" * 2049) == "Bad Request: message is too long"


def test_entity_offsets_are_utf16() -> None:
    parsed = parse_html("😀 <b>中文</b>")
    (bold,) = parsed.entities
    assert (bold.offset, bold.length) == (3, 2)
