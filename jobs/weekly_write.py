"""What a weekly round-up says about each paper: its claim as a heading and a focused explanation.

The LLM writes both from the paper (full text when it was read) with the weekly prompt
(`jobs/summarize/weekly_prompt.py`); the guards (`jobs/summarize/guards.py`) check the generated
text against the paper: a number or link the paper does not give, or echoed instructions, and the
entry falls back to the extractive one, built from the paper's own sentences and its summary. No
LLM key, a provider error or an unusable reply fall back the same way: a round-up never fails
for its prose.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from core.config_groups import LLMSettings
from domain.fulltext import PaperText, SectionKind
from domain.types import PaperView
from jobs.summarize import guards
from jobs.summarize.budget import TokenBudget, estimate_tokens
from jobs.summarize.extractive import best_sentence, clean, split_sentences
from jobs.summarize.llm import openai_http_client
from jobs.summarize.weekly_prompt import (
    MAX_EXPLANATION,
    MAX_HEADING,
    weekly_messages,
    weekly_schema,
)

log = logging.getLogger(__name__)
MAX_OUTPUT_TOKENS = 1500
BODY_CHARS = 24_000  # the body handed to the model: introduction, method, results first


@dataclass(frozen=True)
class Entry:
    heading: str
    explanation: str
    source: str  # "llm" | "extractive"
    flags: tuple[str, ...] = ()  # the guards' flags that sent an LLM entry back to extractive


def guard_flags(
    paper: PaperView, text: PaperText | None, heading: str, explanation: str
) -> list[str]:
    """Every guard flag on the generated text: numbers and links the paper does not give,
    instruction-like text."""
    known = guards.PaperText.of(
        paper.meta, text.plain() if text else None, text.links if text else ()
    )
    flags = []
    for field, value in (("heading", heading), ("explanation", explanation)):
        flags += guards.number_flags(field, value, known)
        flags += guards.url_flags(field, value, known)
        flags += guards.injection_flags(field, value)
    return [flag.encode() for flag in flags]


def extractive_entry(paper: PaperView, text: PaperText | None, language: str = "zh") -> Entry:
    """The paper's own words: the summary's Chinese TL;DR (or the title) as heading; problem,
    idea and result from the summary's fields, else the paper's sentences."""
    content = paper.summary.content if paper.summary else None
    tldr = content.tldr if content else ""
    heading = tldr if tldr and (_has_cjk(tldr) or language != "zh") else clean(paper.meta.title)
    sentences = split_sentences(paper.meta.abstract or "")
    full = text if text is not None and text.is_full else None

    def from_text(*kinds: SectionKind) -> str:
        return best_sentence([s for s in full.sections if s.kind in kinds]) if full else ""

    problem = (content.background if content else "") or (sentences[0] if sentences else "")
    idea = (
        (content.method if content else "") or from_text(SectionKind.METHOD) or _nth(sentences, 1)
    )
    result = (
        (content.results if content else "")
        or from_text(SectionKind.EXPERIMENTS)
        or _numbered(sentences)
    )
    paragraphs = list(dict.fromkeys(p.strip() for p in (problem, idea, result) if p.strip()))
    return Entry(
        _cut(heading, MAX_HEADING), _cut("\n\n".join(paragraphs), MAX_EXPLANATION), "extractive"
    )


class WeeklyWriter:
    """One OpenAI-compatible client for a round-up's papers; `write` never raises. Calls stay
    within the daily token `budget` (LLM_DAILY_TOKEN_BUDGET): past it, entries are extractive."""

    def __init__(
        self, llm: LLMSettings, budget: TokenBudget | None = None, language: str = "zh"
    ) -> None:
        self.client: Any = None
        self.model, self.language = llm.model, language
        self.budget = budget or TokenBudget(limit=llm.daily_token_budget, used_today=0)
        self.calls = self.ok = self.tokens_in = self.tokens_out = 0
        if llm.api_key is not None:
            from openai import AsyncOpenAI

            self.client = AsyncOpenAI(
                api_key=llm.api_key.get_secret_value(), base_url=llm.base_url or None,
                timeout=llm.timeout_seconds, max_retries=llm.max_retries,
                http_client=openai_http_client(llm),
            )  # fmt: skip

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    async def write(self, paper: PaperView, text: PaperText | None) -> Entry:
        fallback = extractive_entry(paper, text, self.language)
        if self.client is None:
            return fallback
        written = await self._ask(paper, text)
        if written is None:
            return fallback
        heading, explanation = written
        self.ok += 1
        flags = guard_flags(paper, text, heading, explanation)
        if flags:
            log.warning(
                "weekly entry for %s flagged (%s); extractive instead", paper.meta.arxiv_id, flags
            )
            return Entry(fallback.heading, fallback.explanation, "extractive", tuple(flags))
        return Entry(heading, explanation, "llm")

    async def _ask(self, paper: PaperView, text: PaperText | None) -> tuple[str, str] | None:
        from openai import APIError

        body = text.plain()[:BODY_CHARS] if text is not None and text.is_full else ""
        messages = weekly_messages(paper.meta, self.language, body)
        reserved = estimate_tokens("".join(m["content"] for m in messages)) + MAX_OUTPUT_TOKENS
        if not self.budget.try_reserve(reserved):
            log.info("weekly entry for %s: daily token budget spent", paper.meta.arxiv_id)
            return None
        used = 0
        try:
            self.calls += 1
            reply = await self.client.chat.completions.create(
                model=self.model, messages=messages, response_format=weekly_schema(),
                temperature=0.2, max_tokens=MAX_OUTPUT_TOKENS,
            )  # fmt: skip
            used = self._count(reply)
        except APIError as exc:
            log.warning("weekly entry for %s: %s", paper.meta.arxiv_id, exc)
            return None
        finally:
            self.budget.settle(reserved, used)
        return parse_entry(reply.choices[0].message.content or "", self.language)

    def _count(self, reply: Any) -> int:
        usage = getattr(reply, "usage", None)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        self.tokens_in, self.tokens_out = self.tokens_in + tokens_in, self.tokens_out + tokens_out
        return tokens_in + tokens_out


def parse_entry(reply: str, language: str = "zh") -> tuple[str, str] | None:
    """(heading, explanation) from the model's JSON, or None when it is not usable."""
    try:
        data = json.loads(reply)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    heading, explanation = data.get("heading"), data.get("explanation")
    if not isinstance(heading, str) or not isinstance(explanation, str):
        return None
    heading, explanation = " ".join(heading.split()), explanation.strip()
    if not heading or not explanation or (language == "zh" and not _has_cjk(heading)):
        return None  # a Chinese digest's heading states the claim in Chinese
    return _cut(heading, MAX_HEADING), _cut(explanation, MAX_EXPLANATION)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _nth(sentences: list[str], index: int) -> str:
    return sentences[index] if len(sentences) > index else ""


def _numbered(sentences: list[str]) -> str:
    """The abstract's last sentence with a number in it: usually its headline result."""
    return next((s for s in reversed(sentences) if any(c.isdigit() for c in s)), "")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
