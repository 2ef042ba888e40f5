"""Keeping personal relevance current: paper vectors after each fetch, and the on-demand
`rank_index` / `rank_refresh` jobs (`digestbot rank index|refresh`).

Vectors are what "for you", `/similar` and `like:` subscriptions read; each is computed once
per paper (`core.services.ranking.index_papers`, incremental and idempotent), so indexing
after every fetch costs the day's new papers only, and the first run after an upgrade
backfills the archive in batches. A failure to index is a line in the run's report, never a
failed fetch: the next run picks the papers up again. `rank_refresh` retrains the models
left behind their readers' feedback (a training that failed when they voted). With
`EMBEDDINGS_MODEL` set, the same papers are also embedded through the summarizer's endpoint and
`openai` client (`Embedder`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from core.config_groups import LLMSettings
from core.services import ranking, ranking_embeddings
from jobs.context import JobContext, JobOutcome, JobParams, describe_error
from jobs.summarize.llm import openai_http_client
from storage.db import Database

log = logging.getLogger(__name__)


class Embedder:
    """`ranking_embeddings.Embed` over the summarizer's OpenAI-compatible endpoint."""

    def __init__(self, llm: LLMSettings) -> None:
        from openai import AsyncOpenAI

        key = llm.api_key.get_secret_value() if llm.api_key else ""
        self.model = llm.embeddings_model
        self.client: Any = AsyncOpenAI(
            api_key=key, base_url=llm.base_url or None, timeout=llm.timeout_seconds,
            max_retries=llm.max_retries, http_client=openai_http_client(llm),
        )  # fmt: skip

    async def __call__(self, texts: list[str]) -> Sequence[Sequence[float]]:
        reply = await self.client.embeddings.create(model=self.model, input=texts)
        return [item.embedding for item in sorted(reply.data, key=lambda item: item.index)]

    async def close(self) -> None:
        await self.client.close()


async def index(db: Database, llm: LLMSettings | None) -> str:
    """TF-IDF vectors for the papers that have none, then (EMBEDDINGS_MODEL) their embeddings;
    the report's line."""
    added = await ranking.index_papers(db)
    line = f"rank: {added} new paper vector{'' if added == 1 else 's'}"
    if llm is None or not (llm.embeddings_model and llm.enabled):
        return line
    embedder = Embedder(llm)
    try:
        embedded = await ranking_embeddings.embed_papers(db, embedder, model=embedder.model)
    finally:
        await embedder.close()
    return f"{line}, {embedded} embedded ({llm.embeddings_model})"


async def index_line(db: Database, llm: LLMSettings | None = None) -> str:
    """`index` after a fetch: a failure is the line, never the fetch's failure."""
    try:
        return await index(db, llm)
    except Exception as exc:  # the fetch itself succeeded: say so and let the next run retry
        log.warning("indexing paper vectors failed: %s", describe_error(exc))
        return f"rank: indexing failed ({describe_error(exc)})"


async def rank_index_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """`digestbot rank index`: vectors for every paper that lacks one (a backfill at first)."""
    return JobOutcome(await index(ctx.db, ctx.settings.llm))


async def rank_refresh_job(ctx: JobContext, params: JobParams) -> JobOutcome:
    """`digestbot rank refresh`: that, then retrain every model behind its reader's feedback."""
    line = await index(ctx.db, ctx.settings.llm)
    retrained = await ranking.refresh_models(ctx.db)
    return JobOutcome(f"{line}, {retrained} reader models retrained", value=retrained)
