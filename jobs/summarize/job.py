"""The summarize job: every stored paper lacking a summary gets one, LLM first, extractive always.

Cache key (paper id, version, language, model, prompt version): papers already summarized under
it are skipped, so a second run makes zero LLM calls. Each summary is saved in its own short
transaction as soon as it is done, so a crash loses at most the in-flight papers. A failed or
over-budget LLM summary falls back to the extractive one (stored under the extractive key) and
never blocks the run. A failed paper is tried again on later runs, but not forever: after each
failure it waits `FIRST_BACKOFF`, doubling (1 h, 2 h, 4 h, …), and after `MAX_FAILURES` it keeps
its extractive summary for good (`summary_failures`; a success clears the count). Over budget is
not a failure. A withdrawn paper (`domain.withdrawn`) is not summarized at all: it is counted
as `withdrawn` and left without a summary, so it can never be composed into an issue either.
Each run is recorded in summarize_runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core import metrics
from core.config_groups import LLMSettings, ReaderSettings
from domain.errors import InvalidInput, NotFound, UpstreamError
from domain.fulltext import PaperText, TextSource
from domain.guard_flags import blocking_flags
from domain.types import PaperMeta, StoredSummary, SummaryContent, SummarySource
from domain.withdrawn import is_withdrawn
from jobs.read.budget import paper_body
from jobs.read.reader import PaperReader
from jobs.summarize.budget import TokenBudget, day_start
from jobs.summarize.extractive import EXTRACTIVE_MODEL, EXTRACTIVE_VERSION, summarize_extractive
from jobs.summarize.guards import apply_guards
from jobs.summarize.llm import LLMOutcome, LLMSummarizer
from jobs.summarize.prompt import PROMPT_VERSION
from storage.db import Database
from storage.queries import summaries as q
from storage.queries import summary_failures
from storage.types import utcnow

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
FLAG_OVER_BUDGET = "llm_over_budget"
FLAG_LLM_FAILED = "llm_failed"
CHUNK = 200
MAX_FAILURES = 5  # LLM attempts per paper and language across runs, then extractive for good
FIRST_BACKOFF = timedelta(hours=1)  # wait after the first failure; doubles with each one


@dataclass
class SummarizeReport:
    """What one run did; `message` is the one line a CLI or an admin chat shows."""

    language: str
    model: str
    papers: int = 0  # summaries written this run
    cached: int = 0  # papers that already had one under the cache key
    llm_calls: int = 0
    llm_ok: int = 0
    extractive: int = 0
    flagged: int = 0
    withdrawn: int = 0  # withdrawn papers skipped: never summarized
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None
    read_from: dict[str, int] = field(default_factory=dict)  # text source → papers (FULLTEXT)
    downloaded_bytes: int = 0
    figures: int = 0

    @property
    def message(self) -> str:
        if not self.papers and not self.errors:
            return f"Nothing to summarize ({self.language}): {self.cached} papers already done."
        text = (
            f"Summarized {self.papers} papers ({self.language}, {self.model}): "
            f"{self.llm_ok} by LLM, {self.extractive} extractive, {self.flagged} flagged; "
            f"{self.cached} cached; {self.llm_calls} LLM calls, "
            f"{self.tokens_in + self.tokens_out:,} tokens, ${self.cost_usd:.4f}"
        )
        text += f"; {self.withdrawn} withdrawn skipped" if self.withdrawn else ""
        return text + self._per_paper() + self._reading() + self._errors()

    def _per_paper(self) -> str:
        if not self.llm_ok:
            return ""
        tokens = self.tokens_in // self.llm_ok
        return f"; per paper {tokens:,} tokens in, ${self.cost_usd / self.llm_ok:.5f}"

    def _reading(self) -> str:
        if not self.read_from:
            return ""
        sources = ", ".join(f"{n} {name}" for name, n in sorted(self.read_from.items()))
        size = self.downloaded_bytes / 1_000_000
        return f"; read {sources} ({size:.1f} MB, {self.figures} figures)"

    def _errors(self) -> str:
        return f"; {len(self.errors)} errors" if self.errors else "."

    def counts(self) -> dict[str, object]:
        names = ("papers", "cached", "llm_calls", "llm_ok", "extractive", "flagged", "withdrawn")
        values: dict[str, object] = {name: getattr(self, name) for name in names}
        values.update(tokens_in=self.tokens_in, tokens_out=self.tokens_out)
        values.update(cost_usd=self.cost_usd, errors=list(self.errors[:100]))
        return values


@dataclass(frozen=True)
class _Result:
    content: SummaryContent
    source: SummarySource
    flags: list[str]
    outcome: LLMOutcome
    text_source: TextSource = TextSource.ABSTRACT


async def run_summarize(
    llm: LLMSettings,
    db: Database,
    *,
    paper_ids: Sequence[int] | None = None,
    language: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
    reader: ReaderSettings | None = None,
) -> SummarizeReport:
    """Summarize the papers (all stored ones by default) that lack a summary in `language`.

    `now` decides which failed papers are due for another LLM attempt (default: the clock).
    With `reader` enabled (FULLTEXT), each paper is read in full first (`jobs.read`)."""
    language = _check_language(language or llm.language)
    job = _Job(llm, db, language, now or utcnow(), reader)
    todo = await job.prepare(paper_ids, limit)
    try:
        await job.run(todo)
    finally:
        await job.finish()
    log.info("%s", job.report.message)
    return job.report


async def summarize_paper(
    llm: LLMSettings,
    db: Database,
    *,
    paper_id: int,
    language: str,
    reader: ReaderSettings | None = None,
) -> StoredSummary:
    """On demand: the paper's best summary in `language`, summarizing it first if needed."""
    async with db.session() as session:
        if not await q.load_papers(session, paper_ids=[paper_id]):
            raise NotFound("No such paper.", detail=f"paper id {paper_id}")
    report = await run_summarize(llm, db, paper_ids=[paper_id], language=language, reader=reader)
    async with db.session() as session:
        best = await q.best_summaries(session, paper_ids=[paper_id], language=language)
    if paper_id not in best and report.withdrawn:
        raise InvalidInput(
            "This paper has been withdrawn by its authors: it is not summarized.",
            zh="这篇论文已被作者撤回，不再生成摘要。",
        )
    if paper_id not in best:
        raise UpstreamError("The paper could not be summarized.", detail="; ".join(report.errors))
    return best[paper_id]


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"Unknown language {language!r}: use zh or en.")
    return language


class _Job:
    def __init__(
        self,
        llm: LLMSettings,
        db: Database,
        language: str,
        now: datetime,
        reader: ReaderSettings | None = None,
    ) -> None:
        self.config, self.db, self.language, self.now = llm, db, language, now
        self.reader = PaperReader(reader, db) if reader is not None and reader.enabled else None
        self.max_input_tokens = reader.max_input_tokens if reader is not None else 0
        self.llm = LLMSummarizer(llm) if llm.enabled else None
        self.model = llm.model if self.llm else EXTRACTIVE_MODEL
        self.prompt_version = PROMPT_VERSION if self.llm else EXTRACTIVE_VERSION
        self.report = SummarizeReport(language=language, model=self.model)
        self.budget = TokenBudget(limit=llm.daily_token_budget, used_today=0)
        self.semaphore = asyncio.Semaphore(llm.concurrency)
        # One save at a time: each reads then writes, and on SQLite two such transactions that
        # overlap fail at once ("database is locked": the later one's snapshot is stale), not
        # after the busy timeout. A save takes milliseconds; the LLM calls still overlap.
        self.save_lock = asyncio.Lock()

    @property
    def _key(self) -> dict[str, str]:
        return {
            "language": self.language,
            "model": self.model,
            "prompt_version": self.prompt_version,
        }

    async def prepare(self, paper_ids: Sequence[int] | None, limit: int | None) -> list[int]:
        async with self.db.session() as session:
            retry_policy = (self.now, MAX_FAILURES) if self.llm else None
            todo = await q.papers_needing_summary(
                session, **self._key, paper_ids=paper_ids, limit=limit, retry_policy=retry_policy
            )
            self.report.cached = await q.count_summarized(session, **self._key, paper_ids=paper_ids)
            since = day_start(self.config.timezone)
            self.budget.used = await q.tokens_used_since(session, since=since)
            self.report.run_id = await q.start_run(
                session, language=self.language, model=self.model
            )
        return todo

    async def run(self, paper_ids: Sequence[int]) -> None:
        for start in range(0, len(paper_ids), CHUNK):
            async with self.db.session() as session:
                metas = await q.load_papers(session, paper_ids=paper_ids[start : start + CHUNK])
            current = {pid: meta for pid, meta in metas.items() if not _withdrawn(meta)}
            self.report.withdrawn += len(metas) - len(current)
            await asyncio.gather(*(self._guarded(pid, meta) for pid, meta in current.items()))

    async def finish(self) -> None:
        if self.llm:
            await self.llm.close()
        report = self.report
        report.cost_usd = cost_usd(self.config, report.tokens_in, report.tokens_out)
        if self.reader is not None:
            report.downloaded_bytes, report.figures = self.reader.downloaded, self.reader.figures
        if report.run_id is not None:
            async with self.db.session() as session:
                await q.finish_run(session, run_id=report.run_id, counts=report.counts())

    async def _guarded(self, paper_id: int, meta: PaperMeta) -> None:
        try:
            async with self.semaphore:
                await self._summarize_and_save(paper_id, meta)
        except Exception as exc:  # one paper's trouble must not stop the others
            log.warning("summarizing %s failed: %s", meta.arxiv_id, type(exc).__name__)
            self.report.errors.append(f"{meta.arxiv_id}: {type(exc).__name__}")

    async def _summarize_and_save(self, paper_id: int, meta: PaperMeta) -> None:
        result = await self._summarize(meta, await self._read(paper_id, meta))
        # A cancel (shutdown) must not cut a transaction in half: SQLAlchemy then discards the
        # connection mid-transaction and SQLite stays locked until it is garbage-collected.
        async with self.save_lock:
            await asyncio.shield(self._save(paper_id, meta, result))
        self._count(result)

    async def _save(self, paper_id: int, meta: PaperMeta, result: _Result) -> None:
        llm_ok = result.source is SummarySource.LLM
        outcome = result.outcome
        async with self.db.session() as session:
            await q.save_summary(
                session,
                paper_id=paper_id,
                paper_version=meta.version,
                language=self.language,
                model=self.model if llm_ok else EXTRACTIVE_MODEL,
                prompt_version=self.prompt_version if llm_ok else EXTRACTIVE_VERSION,
                source=result.source,
                content=result.content,
                flags=result.flags,
                tokens_in=outcome.tokens_in,
                tokens_out=outcome.tokens_out,
                cost_usd=cost_usd(self.config, outcome.tokens_in, outcome.tokens_out),
                text_source=result.text_source,
            )
            await self._track_failure(session, paper_id, result)

    async def _track_failure(self, session: AsyncSession, paper_id: int, result: _Result) -> None:
        """In the summary's transaction: count an LLM failure, or clear the count on success."""
        language = self.language
        if result.source is SummarySource.LLM:
            await summary_failures.clear_failure(session, paper_id=paper_id, language=language)
        elif FLAG_LLM_FAILED in result.flags:
            failures = await summary_failures.record_failure(
                session,
                paper_id=paper_id,
                language=language,
                error=result.outcome.error or "unknown error",
                now=self.now,
                first_backoff=FIRST_BACKOFF,
            )
            if failures >= MAX_FAILURES:
                log.warning("paper %s: LLM failed %d times, keeping extractive", paper_id, failures)

    async def _read(self, paper_id: int, meta: PaperMeta) -> PaperText | None:
        """The paper in full when FULLTEXT is on; None (the abstract alone) otherwise."""
        if self.reader is None:
            return None
        try:
            text = await self.reader.read(paper_id, meta)
        except Exception as exc:  # a reader bug must cost the full text, never the summary
            log.warning("reading %s failed: %s", meta.arxiv_id, type(exc).__name__)
            text = None
        source = text.source if text is not None else TextSource.ABSTRACT
        self.report.read_from[source.value] = self.report.read_from.get(source.value, 0) + 1
        return text

    async def _summarize(self, meta: PaperMeta, text: PaperText | None) -> _Result:
        read = text.source if text is not None and text.is_full else TextSource.ABSTRACT
        extractive = summarize_extractive(meta, text)
        if self.llm is None:
            return _Result(extractive, SummarySource.EXTRACTIVE, [], LLMOutcome(), read)
        body = paper_body(text, self.max_input_tokens)
        outcome = await self.llm.summarize(meta, self.language, self.budget, body)
        if outcome.content is not None:
            plain, links = (text.plain(), text.links) if text is not None else (None, ())
            content, flags = apply_guards(meta, outcome.content, plain, links)
            source = read if body else TextSource.ABSTRACT
            return _Result(content, SummarySource.LLM, flags, outcome, source)
        if outcome.error and not outcome.over_budget:
            self.report.errors.append(f"{meta.arxiv_id}: {outcome.error}")
        flag = FLAG_OVER_BUDGET if outcome.over_budget else FLAG_LLM_FAILED
        return _Result(extractive, SummarySource.EXTRACTIVE, [flag], outcome, read)

    def _count(self, result: _Result) -> None:
        report, outcome = self.report, result.outcome
        report.papers += 1
        report.llm_calls += outcome.calls
        report.tokens_in += outcome.tokens_in
        report.tokens_out += outcome.tokens_out
        spent = cost_usd(self.config, outcome.tokens_in, outcome.tokens_out)
        metrics.record_llm(outcome.tokens_in, outcome.tokens_out, spent)
        if result.source is SummarySource.LLM:
            report.llm_ok += 1
        else:
            report.extractive += 1
        report.flagged += bool(blocking_flags(result.flags))


def _withdrawn(meta: PaperMeta) -> bool:
    return is_withdrawn(meta.comment, meta.abstract)


def cost_usd(llm: LLMSettings, tokens_in: int, tokens_out: int) -> float:
    return (
        tokens_in * llm.price_per_million_input + tokens_out * llm.price_per_million_output
    ) / 1_000_000
