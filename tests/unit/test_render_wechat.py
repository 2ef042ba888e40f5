"""The 公众号 article renderer: inline styles only, everything escaped, the seed-000 layout,
and the customer-service text digest within WeChat's 2048 bytes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.render import render_article, render_issue
from bot.wechat.api import MAX_TEXT_BYTES, split_text
from bot.wechat.sender import MAX_MESSAGES, WeChatCustomerSender
from tests.fakes.wechat_api import check_article_html
from tests.unit.test_render import HOSTILE, SEED, _hostile_issue, make_issue


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def test_article_uses_inline_styles_only() -> None:
    (html,) = render_issue(make_issue(SEED[:6]), "wechat")
    assert check_article_html(html) == []
    parsed = _parse(html)
    allowed = {"section", "h1", "h2", "h3", "p", "strong", "a", "br"}
    assert {tag for tag, _ in parsed.tags} <= allowed
    for tag, attrs in parsed.tags:
        assert set(attrs) <= {"style", "href"}, tag
        if tag not in ("strong", "br"):
            assert attrs.get("style"), tag  # the editor keeps nothing but inline styles
    assert "<style" not in html and "class=" not in html and "<script" not in html


def test_article_looks_like_the_numbered_issue_seed() -> None:
    issue = make_issue(SEED[:3])
    html = render_article(issue)
    parsed = _parse(html)
    assert parsed.tags[0][0] == "section" and parsed.tags[1][0] == "h1"
    text = "".join(parsed.text)
    assert "ML Papers第7期" in text
    first = SEED[0]
    labels = ["作者：", "发表刊物/会议：", "发表年份：", "论文地址：", "代码地址：", "内容概要"]
    block = text.split(first.title, 1)[1].split(SEED[1].title, 1)[0]
    positions = [block.index(label) for label in labels]
    assert positions == sorted(positions)  # the seed's order
    assert block.split("内容概要", 1)[1].lstrip().startswith(first.tldr_zh)
    url = f"https://arxiv.org/abs/{first.arxiv_id}"
    assert f'<a href="{url}" style="' in html and f">{url}</a>" in html  # link, URL as text
    assert len(re.findall(r"<h2 ", html)) == 3


def test_hostile_titles_and_summaries_are_escaped() -> None:
    html = render_article(_hostile_issue())
    assert check_article_html(html) == []
    assert "<script>" not in html and "</b> closes" not in html
    text = "".join(_parse(html).text)
    for hostile in HOSTILE:
        assert hostile in text  # shown literally, not interpreted


def test_compact_article_keeps_tldrs_and_drops_the_analysis() -> None:
    issue = make_issue(SEED[:20], extractive=())
    full, compact = render_article(issue), render_article(issue, compact=True)
    assert len(compact) < 19_500 < len(full)  # 20 papers fit in a draft only when compact
    assert "研究背景" in full and "研究背景" not in compact
    text = "".join(_parse(compact).text)
    for paper in SEED[:20]:
        assert paper.tldr_zh in text and paper.arxiv_id in text


def test_split_text_respects_bytes_and_lines() -> None:
    text = "\n".join(f"第{n}行：" + "中" * (n * 37) for n in range(1, 19))  # each line fits
    parts = split_text(text)
    assert all(len(part.encode()) <= MAX_TEXT_BYTES for part in parts)
    assert "\n".join(parts).replace("\n", "") == text.replace("\n", "")
    assert all(part.startswith("第") for part in parts)  # cut at line starts
    long_line = split_text("中" * 700 + "a")  # 2101 bytes: cut between characters
    assert [len(p.encode()) for p in long_line] == [2046, 55]


def test_customer_service_digest_fits_in_a_few_messages() -> None:
    issue = make_issue(SEED[:20], extractive=())
    sender = WeChatCustomerSender(api=None)  # type: ignore[arg-type]
    messages = sender.render(issue, language="zh")
    assert 1 < len(messages) <= MAX_MESSAGES
    assert all(len(m.encode()) <= MAX_TEXT_BYTES for m in messages)
    assert messages[0].startswith("📰 ML Papers第7期\n")
    shown = [p for p in SEED[:20] if p.arxiv_id in "".join(messages)]
    assert shown == SEED[: len(shown)]
    left = 20 - len(shown)
    assert messages[-1].endswith(f"还有 {left} 篇，发送「第7期」查看全部。") if left else True
    small = sender.render(make_issue(SEED[:2]), language="en")
    assert len(small) == 1 and "ML Papers Issue 7" in small[0]
    assert SEED[0].arxiv_id in small[0] and SEED[1].arxiv_id in small[0]
