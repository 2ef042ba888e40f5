"""/stats' reading figures: what today's summaries were written from, what one cost, and what
the guards flagged.

Kept apart from `core.services.review` (the editors' issue workflow) so that stays small. A
paper counts as flagged when its summary carries a blocking guard flag
(`domain.guard_flags.BLOCKING`, the rule auto-publish applies); each kind counts the papers
flagged with it.
Auto-publish leaves flagged papers out under AUTO_PUBLISH_FLAGGED=drop through the
review service, audited as an exclusion by `AUTO_PUBLISH_ACTOR`: that is what is counted as
dropped. A held draft is only logged, so no held count is shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from domain.fulltext import TextSource
from domain.guard_flags import blocking_flags
from storage.db import Database
from storage.queries import reading as queries

AUTO_PUBLISH_ACTOR = "auto"  # who auto-publish acts as in the audit log
EXCLUDED = "issue.exclude"  # the review service's audit action for leaving a paper out


class PerLLMSummary:
    """Tokens in and cost per LLM-written summary, for figures that count both."""

    llm: int
    tokens_in: int
    cost_usd: float

    @property
    def tokens_per_paper(self) -> int:
        return self.tokens_in // self.llm if self.llm else 0

    @property
    def cost_per_paper(self) -> float:
        return self.cost_usd / self.llm if self.llm else 0.0


@dataclass(frozen=True)
class SourceFigures(PerLLMSummary):
    """Today's summaries written from one text source, and what an LLM one cost."""

    source: TextSource
    summaries: int
    llm: int
    tokens_in: int
    cost_usd: float


@dataclass(frozen=True)
class RunFigures(PerLLMSummary):
    """The last summarize run: papers, LLM summaries, flagged, tokens in and cost."""

    started_at: datetime
    papers: int
    llm: int
    flagged: int
    tokens_in: int
    cost_usd: float


@dataclass(frozen=True)
class ReadingStats:
    """Today's (in TIMEZONE) reading figures and the last run's."""

    sources: tuple[SourceFigures, ...]  # html, pdf, abstract order; all three present
    flagged_papers: int
    flags_by_kind: dict[str, int] = field(default_factory=dict)
    auto_dropped: int = 0
    last_run: RunFigures | None = None

    @property
    def summaries(self) -> int:
        return sum(source.summaries for source in self.sources)


async def reading_stats(db: Database, *, now: datetime, tz: ZoneInfo) -> ReadingStats:
    """What today's summaries read, what one cost per source, what the guards flagged."""
    since = datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz).astimezone(UTC)
    async with db.session() as session:
        usage = await queries.usage_by_text_source(session, since=since)
        flag_lists = await queries.flags_since(session, since=since)
        dropped = await queries.audited_since(
            session, since=since, actor=AUTO_PUBLISH_ACTOR, action=EXCLUDED
        )
        run = await queries.last_run(session)
    by_source = {row.text_source: row for row in usage}
    sources = tuple(_source(kind, by_source.get(kind.value)) for kind in TextSource)
    blocking = [blocking_flags(flags) for flags in flag_lists]
    kinds = Counter(kind for flags in blocking for kind in {flag.kind for flag in flags})
    return ReadingStats(
        sources=sources,
        flagged_papers=sum(1 for flags in blocking if flags),
        flags_by_kind=dict(sorted(kinds.items())),
        auto_dropped=dropped,
        last_run=_run(run),
    )


def _source(kind: TextSource, row: queries.SourceUsage | None) -> SourceFigures:
    if row is None:
        return SourceFigures(kind, 0, 0, 0, 0.0)
    return SourceFigures(kind, row.summaries, row.llm, row.tokens_in, row.cost_usd)


def _run(row: queries.RunUsage | None) -> RunFigures | None:
    if row is None:
        return None
    return RunFigures(
        row.started_at, row.papers, row.llm_ok, row.flagged, row.tokens_in, row.cost_usd
    )
