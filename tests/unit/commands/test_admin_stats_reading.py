"""/stats' reading lines as editors read them, zh and en, on a real SQLite database (the
demo's papers, summarized from their abstracts, plus full-text summaries saved here): what
today's summaries read, what one LLM summary cost per source, the guard flags by kind and the
papers auto-publish left out, and the last summarize run."""

from __future__ import annotations

from bot.commands import admin_ops
from bot.commands.context import Deps
from core.services import review
from core.services.reading_stats import AUTO_PUBLISH_ACTOR
from domain.fulltext import TextSource
from domain.guard_flags import INJECTION, NUMBER, GuardFlag
from domain.types import SummaryContent, SummarySource
from storage.models import SummarizeRun
from storage.queries.summaries import save_summary
from storage.types import utcnow
from tests.unit.commands.conftest import context, only, paragraphs

INVENTED = GuardFlag(NUMBER, "results", "百分之八十七").encode()
ECHO = GuardFlag(INJECTION, "tldr", "ignore previous instructions").encode()


async def _full_text_summaries(deps: Deps) -> None:
    """Papers 1 and 2 of the demo's draft re-summarized by the LLM from the HTML and the PDF;
    paper 1's invents a number and echoes an instruction. A finished run of the two."""
    review_ = await review.review_issue(deps.db, number=1)
    first, second = (item.paper for item in review_.issue.included_items[:2])
    async with deps.db.session() as session:
        for paper, source, tokens, flags in (
            (first, TextSource.HTML, 12_000, [INVENTED, ECHO]),
            (second, TextSource.PDF, 8_000, []),
        ):
            await save_summary(
                session, paper_id=paper.id, paper_version=paper.meta.version, language="zh",
                model="gpt", prompt_version="full", source=SummarySource.LLM,
                content=SummaryContent(title_translated="标题", tldr="一句"), flags=flags,
                tokens_in=tokens, tokens_out=900, cost_usd=tokens / 1e6, text_source=source,
            )  # fmt: skip
        session.add(SummarizeRun(language="zh", model="gpt", papers=2, llm_ok=2, flagged=1,
          tokens_in=20_000, tokens_out=1_800, cost_usd=0.02, finished_at=utcnow()))  # fmt: skip


async def _lines(deps: Deps, language: str) -> list[str]:
    content = only(await admin_ops.stats_command(await context(deps, language), ""))
    return [line.text for line in paragraphs(content)]


async def test_stats_read_cost_and_flags_in_english(demo: Deps) -> None:
    before = next(line for line in await _lines(demo, "en") if line.startswith("Read today: "))
    abstracts = int(before.rsplit(" ", 1)[1])
    await _full_text_summaries(demo)
    await review.drop_flagged(demo.db, number=1, admin_id=AUTO_PUBLISH_ACTOR)

    lines = await _lines(demo, "en")

    assert abstracts > 0  # the demo's summaries, written from the abstracts
    read = lines.index(
        f"Read today: HTML full text 1 · PDF full text 1 · abstract only {abstracts}"
    )
    assert lines[read + 1 : read + 5] == [
        "HTML full text: 12,000 tokens in · $0.01200 per LLM summary",
        "PDF full text: 8,000 tokens in · $0.00800 per LLM summary",
        "Flagged by the guards today: 1 (instruction-like text 1 · number not in the paper 1)"
        " · left out by auto-publish: 1",
        lines[read + 4],
    ]
    assert lines[read + 4].startswith("Last summarize run (")
    assert lines[read + 4].endswith(
        "): 2 papers · 2 by LLM · 1 flagged · 10,000 tokens in · $0.01000 per paper"
    )
    assert lines[-1].startswith("Reader votes")  # still the last line


async def test_stats_read_lines_in_chinese_before_any_full_text(demo: Deps) -> None:
    lines = await _lines(demo, "zh")
    read = next(i for i, line in enumerate(lines) if line.startswith("今日摘要所读："))
    assert lines[read].startswith("今日摘要所读：HTML 全文 0 · PDF 全文 0 · 仅摘要 ")
    assert lines[read + 1] == "今日守卫标记：0 篇 · 自动发布移除 0 篇"
    assert not any(line.startswith("上次摘要运行") for line in lines)  # the demo records no run
