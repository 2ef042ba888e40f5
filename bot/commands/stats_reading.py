"""/stats' reading lines: what today's summaries were written from (HTML, PDF, abstract), what
an LLM summary cost per source, the guard flags, and the last summarize run.

Apart from `admin_ops` so the command module stays about running jobs; the figures come from
`core.services.reading_stats`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import say, t
from core.services.reading_stats import ReadingStats, RunFigures
from domain.content import Paragraph


def reading_lines(language: str, figures: ReadingStats, tz: ZoneInfo) -> list[Paragraph]:
    L = language
    sources = " · ".join(
        f"{t(L, f'stats_source_{source.source.value}')} {source.summaries}"
        for source in figures.sources
    )
    lines = [say(L, "stats_read", sources=sources)]
    lines += [
        say(L, "stats_read_cost", source=t(L, f"stats_source_{source.source.value}"),
          tokens_in=f"{source.tokens_per_paper:,}", cost=f"{source.cost_per_paper:.5f}")
        for source in figures.sources
        if source.tokens_in  # LLM summaries that recorded usage (the demo's model records none)
    ]  # fmt: skip
    kinds = " · ".join(f"{t(L, f'flag_{kind}')} {n}" for kind, n in figures.flags_by_kind.items())
    kinds = t(L, "stats_kinds", kinds=kinds) if kinds else ""
    lines.append(say(L, "stats_flags", flagged=figures.flagged_papers, kinds=kinds,
      dropped=figures.auto_dropped))  # fmt: skip
    if figures.last_run is not None:
        lines.append(_last_run(L, figures.last_run, tz))
    return lines


def _last_run(L: str, run: RunFigures, tz: ZoneInfo) -> Paragraph:
    return say(L, "stats_last_run", at=run.started_at.astimezone(tz).strftime("%m-%d %H:%M"),
      papers=run.papers, llm=run.llm, flagged=run.flagged,
      tokens_in=f"{run.tokens_per_paper:,}", cost=f"{run.cost_per_paper:.5f}")  # fmt: skip
