"""Every renderer on a realistic issue (the real papers of seed 003), in Chinese and English,
and Telegram HTML that Telegram's rules accept even for hostile titles and abstracts."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from markupsafe import escape

from bot.render import FORMATS, render_issue, render_paper
from domain.errors import InvalidInput
from domain.types import (
    IssueItemView,
    IssueStatus,
    IssueView,
    PaperView,
    StoredSummary,
    SummaryContent,
    SummarySource,
)
from tests.fakes.telegram_html import check_message, parse_html, utf16_len
from tests.seed_papers import SeedPaper, load_seed_papers, seed_meta, seed_summary

SEED = load_seed_papers()
HOSTILE = [
    "<script>alert(1)</script>",
    "a & b",
    "$x<y$ and $\\mathcal{D}_{\\text{KL}} > 0$",
    "</b> closes nothing",
    "&amp; stays literal",
    "😀 emoji 🚀 title",
    "نموذج لغوي كبير RTL",
    "quote \" and ' and `tick`",
]


def _summary(
    pid: int, content: SummaryContent, language: str, source: SummarySource
) -> StoredSummary:
    return StoredSummary(
        id=pid,
        paper_id=pid,
        language=language,
        source=source,
        model="m",
        prompt_version="p1",
        content=content,
        flags=("tldr_number_not_in_abstract",),
    )


def _english(paper: SeedPaper) -> SummaryContent:
    """An English LLM-style summary made of the paper's own abstract sentences."""
    sentences = [s.strip() + "." for s in paper.abstract.split(". ") if s.strip()]
    return SummaryContent(
        title_translated=paper.title,
        tldr=sentences[0],
        background=" ".join(sentences[1:3]),
        method=" ".join(sentences[3:5]),
        contributions=sentences[5:8],
        results=" ".join(sentences[8:9]),
        future_work="",
        rating=4,
        rating_reason=sentences[-1][:80],
        keywords=["alignment", "LLM"],
    )


def make_issue(
    papers: list[SeedPaper] = SEED[:6], *, language: str = "zh", extractive: tuple[int, ...] = (2,)
) -> IssueView:
    items = []
    for pos, paper in enumerate(papers, start=1):
        if pos in extractive:
            content = SummaryContent(title_translated="", tldr=paper.abstract.split(". ")[0])
            source = SummarySource.EXTRACTIVE
        else:
            content = seed_summary(paper) if language == "zh" else _english(paper)
            source = SummarySource.LLM
        view = PaperView(
            id=pos, meta=seed_meta(paper), summary=_summary(pos, content, language, source)
        )
        items.append(IssueItemView(position=pos, included=True, paper=view))
    return IssueView(
        id=1,
        number=7,
        title="【第7期】20240320-20240331: FineFake、CtRL-Sim",
        language=language,
        status=IssueStatus.DRAFT,
        period_start=date(2024, 3, 20),
        period_end=date(2024, 3, 31),
        created_at=datetime(2024, 4, 1, tzinfo=UTC),
        items=tuple(items),
    )


def _hostile_issue(**content_overrides: object) -> IssueView:
    issue = make_issue(SEED[: len(HOSTILE)], extractive=())
    items = []
    for item, text in zip(issue.items, HOSTILE, strict=True):
        assert item.paper.summary is not None
        summary = item.paper.summary
        content = summary.content.model_copy(
            update={"title_translated": text, "tldr": f"{text} tldr", **content_overrides}
        )
        meta = replace(item.paper.meta, title=text, abstract=f"{text} " * 20, code_url=None)
        paper = replace(item.paper, meta=meta, summary=replace(summary, content=content))
        items.append(replace(item, paper=paper))
    return replace(issue, items=tuple(items))


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_included_paper(fmt: str, language: str) -> None:
    issue = make_issue(language=language)
    issue = replace(issue, items=(*issue.items[:-1], replace(issue.items[-1], included=False)))
    out = "\n".join(render_issue(issue, fmt))
    for item in issue.items[:-1]:
        assert item.paper.meta.abs_url in out or item.paper.meta.pdf_url in out
    assert issue.items[-1].paper.meta.arxiv_id not in out  # excluded by the editor
    assert "tldr_number_not_in_abstract" not in out  # guard flags are for the editor only


def test_md_looks_like_the_numbered_issue_seed() -> None:
    issue = make_issue()
    (md,) = render_issue(issue, "md")
    assert md.startswith("# ML Papers第7期\n")
    first = SEED[0]
    assert f"## {first.title}\n" in md
    for label in ("**作者：**", "**发表刊物/会议：** arXiv cs.LG", "**发表年份：** 2024"):
        assert label in md
    assert f"**论文地址：** https://arxiv.org/abs/{first.arxiv_id}" in md
    assert "**代码地址：** 无" in md
    overview = md.split("### 内容概要", 1)[1]
    assert overview.lstrip().startswith(first.tldr_zh)  # TL;DR first, then the longer summary
    assert "**研究背景：** " in overview and "**核心创新点：**" in overview


def test_md_in_english_carries_the_same_fields() -> None:
    (md,) = render_issue(make_issue(language="en"), "md")
    assert md.startswith("# ML Papers Issue 7\n")
    for label in ("**Authors:**", "**Venue:**", "**Year:**", "**Paper:**", "**Code:** none"):
        assert label in md
    assert "### Overview" in md and "**Background:** " in md
    for chinese in ("作者", "发表", "论文地址", "内容概要", "研究背景", "抽取式"):
        assert chinese not in md


def test_cards_look_like_the_structured_cards_seed() -> None:
    (cards,) = render_issue(make_issue(), "cards")
    first = SEED[0]
    block = cards.split("### 1. ", 1)[1].split("### 2. ", 1)[0]
    assert block.startswith(first.title)
    assert f"https://arxiv.org/pdf/{first.arxiv_id}v1" in block
    assert f"**{first.title_zh}**" in block
    expected = [
        "**摘要：**",
        "**研究背景：**",
        "**算法模型：**",
        "**核心创新点：**",
        "**推荐阅读指数：** ★★★★ 4",
        "**分析总结：**",
    ]
    positions = [block.index(label) for label in expected]
    assert positions == sorted(positions)
    assert re.search(r"^- \S", block, re.MULTILINE)  # innovation bullets


def test_toc_has_the_table_and_the_details() -> None:
    issue = make_issue()
    (toc,) = render_issue(issue, "toc")
    rows = [line for line in toc.splitlines() if line.startswith("| [^")]
    assert len(rows) == len(issue.items)
    first = SEED[0]
    assert rows[0] == (
        f"| [^1] | [{first.title}](https://arxiv.org/abs/{first.arxiv_id}) | {first.tldr_zh} |"
    )
    detail = toc.split("[^1]: ", 1)[1].split("[^2]: ", 1)[0]
    assert detail.startswith(first.title_zh)
    for part in (first.title, first.tldr_zh, first.abstract_zh[:50], first.abstract[:50]):
        assert f"    {part}" in detail


def test_markdown_escapes_tables_links_and_tags() -> None:
    paper = SEED[0]
    issue = make_issue([paper], extractive=())
    item = issue.items[0]
    meta = replace(item.paper.meta, title="A | B [draft] <script>x</script>\nnext line")
    summary = item.paper.summary
    assert summary is not None
    content = summary.content.model_copy(update={"tldr": "pipes | here $x<y$ # not a heading"})
    paper_view = replace(item.paper, meta=meta, summary=replace(summary, content=content))
    issue = replace(issue, items=(replace(item, paper=paper_view),))
    (toc,) = render_issue(issue, "toc")
    (row,) = [line for line in toc.splitlines() if line.startswith("| [^1]")]
    assert len(re.findall(r"(?<!\\)\|", row)) == 4  # the table's own pipes only
    assert r"[A \| B \[draft\] \<script>x\</script> next line](" in row
    assert r"pipes \| here $x<y$ # not a heading" in row  # LaTeX left readable
    (md,) = render_issue(issue, "md")
    assert "\n## A | B [draft] \\<script>x\\</script> next line\n" in md


@pytest.mark.parametrize("fmt", FORMATS)
def test_extractive_summaries_are_labelled_without_llm_sections(fmt: str) -> None:
    for language, label, llm_label in (
        ("zh", "（抽取式摘要：未经 LLM 处理）", "研究背景"),
        ("en", "(extractive summary — no LLM)", "Background"),
    ):
        issue = make_issue(SEED[:1], language=language, extractive=(1,))
        out = "\n".join(render_issue(issue, fmt))
        assert label in out
        assert llm_label not in out
        assert SEED[0].abstract[:60] in out.replace("\n    ", " ")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_telegram_messages_are_valid_and_split_between_papers(language: str) -> None:
    issue = make_issue(SEED[:20], language=language, extractive=(3, 9))
    messages = render_issue(issue, "telegram")
    assert len(messages) > 1
    for message in messages:
        assert check_message(message) is None, message[:200]
        assert utf16_len(message) <= 4096
    assert messages[0].startswith("<b>📰 ")
    links = [{e.url for e in parse_html(m).entities if e.url} for m in messages]
    for item in issue.items:
        meta = item.paper.meta
        holders = [i for i, urls in enumerate(links) if meta.abs_url in urls]
        assert len(holders) == 1, meta.arxiv_id  # each paper is in exactly one message...
        assert meta.pdf_url in links[holders[0]]  # ...whole: its last link is there too
    for current, following in itertools.pairwise(messages):
        first_part = re.split(r"\n\n(?=<b>\d+\. )", following, maxsplit=1)[0]
        assert utf16_len(current + "\n\n" + first_part) > 4096  # greedy: nothing would fit


def test_hostile_text_is_escaped_for_telegram() -> None:
    issue = _hostile_issue()
    messages = render_issue(issue, "telegram")
    for message in messages:
        assert check_message(message) is None, message[:300]
    text = "\n".join(parse_html(m).text for m in messages)
    for hostile in HOSTILE:
        assert hostile in text  # shown literally, not interpreted
    assert "<script>" not in "".join(messages)


def test_hostile_text_in_plain_text_and_markdown_stays_readable() -> None:
    issue = _hostile_issue()
    text = "\n".join(render_issue(issue, "text"))
    for hostile in HOSTILE:
        assert hostile in text
    (md,) = render_issue(issue, "md")
    assert "$x<y$" in md and "\\<script>" in md


def test_a_paper_too_long_for_one_message_is_shortened_field_by_field() -> None:
    long = "长" * 5000
    issue = _hostile_issue(
        background=long, method="m" * 3000, results="<&>" * 1200, abstract_translated=long
    )
    messages = render_issue(issue, "telegram")
    for message in messages:
        assert check_message(message) is None
        assert utf16_len(message) <= 4096
    assert len(messages) >= len(HOSTILE)  # every paper needed a message of its own
    first_paper = next(m for m in messages if str(escape(HOSTILE[0])) in m)
    assert "…" in first_paper and "<b>研究背景</b>" in first_paper
    assert "&lt;&amp;&gt;" in first_paper  # the results survive, shortened, entities whole


def test_text_format_splits_to_the_same_limit() -> None:
    messages = render_issue(make_issue(SEED[:20]), "text")
    assert len(messages) > 1 and all(utf16_len(m) <= 4096 for m in messages)
    assert "<b>" not in "".join(messages)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_paper_renders_one_card(fmt: str) -> None:
    paper = make_issue(SEED[:1], extractive=()).items[0].paper
    out = render_paper(paper, fmt, "zh")
    assert len(out) == 1 and SEED[0].arxiv_id in out[0]
    if fmt == "telegram":
        assert check_message(out[0]) is None


def test_paper_without_summary_still_renders() -> None:
    issue = make_issue(SEED[:1], extractive=())
    item = issue.items[0]
    bare = replace(item, paper=replace(item.paper, summary=None))
    issue = replace(issue, items=(bare,))
    for fmt in FORMATS:
        out = "\n".join(render_issue(issue, fmt))
        assert "尚无摘要" in out and SEED[0].title in out.replace("\n    ", " ")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(InvalidInput):
        render_issue(make_issue(), "pdf")


def test_unsafe_code_url_is_not_linked() -> None:
    issue = make_issue(SEED[:1], extractive=())
    item = issue.items[0]
    summary = item.paper.summary
    assert summary is not None
    content = summary.content.model_copy(update={"code_url": "javascript:alert(1)"})
    paper = replace(item.paper, summary=replace(summary, content=content))
    issue = replace(issue, items=(replace(item, paper=paper),))
    out = "\n".join(render_issue(issue, "telegram") + render_issue(issue, "md"))
    assert "javascript:" not in out


def test_extractive_paper_with_a_5000_char_abstract_fits_one_message() -> None:
    issue = make_issue(SEED[:2], extractive=(1,))
    item = issue.items[0]
    abstract = ("We show $x<y$ & <b>bold</b> claims 😀. " * 140)[:5000]
    meta = replace(item.paper.meta, abstract=abstract)
    issue = replace(
        issue, items=(replace(item, paper=replace(item.paper, meta=meta)), issue.items[1])
    )
    messages = render_issue(issue, "telegram")
    for message in messages:
        assert check_message(message) is None and utf16_len(message) <= 4096
    assert len(messages) == 3  # header, the long paper alone, the next paper
    first = parse_html(messages[1]).text
    assert "（抽取式摘要：未经 LLM 处理）" in first
    assert "We show $x<y$ & <b>bold</b> claims 😀." in first and "…" in first
