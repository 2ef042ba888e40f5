"""One paper → one validated SummaryContent through any OpenAI-compatible chat-completions API.

Uses the real `openai` AsyncOpenAI client; its own retries cover 429/5xx/timeouts. We ask for a
strict JSON schema; a provider that answers 400 to that gets JSON-object mode plus our pydantic
validation instead, and the client remembers which mode worked. Invalid output (bad JSON,
schema violations, a reply cut off at the token limit) is repaired once, then given up: the
caller falls back to the extractive summary. Nothing here raises for provider trouble.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from core.config_groups import LLMSettings
from core.proxy import httpx_options, secret
from domain.types import PaperMeta, SummaryContent
from jobs.summarize.budget import TokenBudget, estimate_tokens
from jobs.summarize.guards import coerce_raw
from jobs.summarize.prompt import build_messages, repair_message, response_format_schema

if TYPE_CHECKING:  # openai takes ~0.4 s to import: only processes that summarize pay it
    from openai import APIError

log = logging.getLogger(__name__)

# The seeds' fields in Chinese (summary, 内容概要 paragraphs, 分析总结, the abstract's translation)
# run to ~2,500 characters, about as many tokens: 2048 cut replies off (finish_reason=length).
MAX_OUTPUT_TOKENS = 4096
JSON_SCHEMA, JSON_OBJECT = "json_schema", "json_object"


@dataclass
class LLMOutcome:
    """What one paper cost and produced; `content` is None when the LLM could not deliver."""

    content: SummaryContent | None = None
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    error: str | None = None
    over_budget: bool = False


class InvalidReply(ValueError):
    """The model answered, but not with a usable summary."""


OPENAI_URL = "https://api.openai.com/v1"  # the openai package's default base URL


def openai_http_client(llm: LLMSettings) -> Any:
    """openai's own default HTTP client (an httpx2 `AsyncClient`) with PROXY applied for the
    LLM's URL (`core.proxy`): the environment's proxies are switched off in it."""
    from openai import DefaultAsyncHttpxClient

    return DefaultAsyncHttpxClient(**httpx_options(llm.base_url or OPENAI_URL, secret(llm.proxy)))


class LLMSummarizer:
    def __init__(self, llm: LLMSettings) -> None:
        key = llm.api_key.get_secret_value() if llm.api_key else ""
        self.model = llm.model
        self.mode = JSON_SCHEMA
        from openai import AsyncOpenAI

        self.client = AsyncOpenAI(
            api_key=key,
            base_url=llm.base_url or None,
            timeout=llm.timeout_seconds,
            max_retries=llm.max_retries,
            http_client=openai_http_client(llm),
        )

    async def close(self) -> None:
        await self.client.close()

    async def summarize(
        self, meta: PaperMeta, language: str, budget: TokenBudget, body: str = ""
    ) -> LLMOutcome:
        """First attempt plus at most one repair; provider errors end it at once. `body` is
        the paper's text within the input budget, when it was read in full."""
        from openai import APIError

        outcome = LLMOutcome()
        messages: list[dict[str, str]] = build_messages(meta, language, body)
        for _attempt in range(2):
            try:
                reply = await self._call(messages, budget, outcome)
            except APIError as exc:
                outcome.error = describe_api_error(exc)
                return outcome
            if reply is None:  # over budget: no call was made
                return outcome
            try:
                outcome.content = parse_reply(reply)
                outcome.error = None
                return outcome
            except InvalidReply as exc:
                outcome.error = f"invalid reply: {exc}"
                messages = [*messages, *_repair_turn(reply, str(exc))]
        return outcome

    async def _call(
        self, messages: list[dict[str, str]], budget: TokenBudget, outcome: LLMOutcome
    ) -> Any:
        reserved = estimate_tokens("".join(m["content"] for m in messages)) + MAX_OUTPUT_TOKENS
        if not budget.try_reserve(reserved):
            outcome.over_budget, outcome.error = True, "daily token budget exhausted"
            return None
        used = 0
        try:
            reply = await self._create_with_fallback(messages, outcome)
            used = _count_usage(reply, outcome)
            return reply
        finally:
            budget.settle(reserved, used)

    async def _create_with_fallback(
        self, messages: list[dict[str, str]], outcome: LLMOutcome
    ) -> Any:
        from openai import BadRequestError

        outcome.calls += 1
        if self.mode == JSON_OBJECT:
            return await self._create(messages, JSON_OBJECT)
        try:
            return await self._create(messages, JSON_SCHEMA)
        except BadRequestError:
            # Providers without structured outputs reject json_schema with a 400.
            outcome.calls += 1
            reply = await self._create(messages, JSON_OBJECT)
            if self.mode != JSON_OBJECT:
                log.info("provider rejected json_schema; using json_object mode from now on")
            self.mode = JSON_OBJECT
            return reply

    async def _create(self, messages: list[dict[str, str]], mode: str) -> Any:
        response_format = response_format_schema() if mode == JSON_SCHEMA else {"type": JSON_OBJECT}
        params: dict[str, Any] = {  # plain dicts: the SDK's TypedDict overloads add nothing here
            "model": self.model,
            "messages": messages,
            "response_format": response_format,
            "temperature": 0.2,
            "max_tokens": MAX_OUTPUT_TOKENS,
        }
        return await self.client.chat.completions.create(**params)


def _count_usage(reply: Any, outcome: LLMOutcome) -> int:
    usage = getattr(reply, "usage", None)
    tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
    tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
    outcome.tokens_in += tokens_in
    outcome.tokens_out += tokens_out
    return tokens_in + tokens_out


def _repair_turn(reply: Any, error: str) -> list[dict[str, str]]:
    text = _reply_text(reply)[:4000]
    turn = [{"role": "assistant", "content": text}] if text else []
    return [*turn, repair_message(error)]


def _reply_text(reply: Any) -> str:
    choices = getattr(reply, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    return str(getattr(message, "content", None) or "")


def parse_reply(reply: Any) -> SummaryContent:
    """A chat completion → SummaryContent, or InvalidReply saying what was wrong."""
    choices = getattr(reply, "choices", None) or []
    if not choices:
        raise InvalidReply("the reply had no choices")
    if choices[0].finish_reason == "length":
        raise InvalidReply("the reply was cut off at the token limit (finish_reason=length)")
    return parse_content(_reply_text(reply))


def parse_content(text: str) -> SummaryContent:
    text = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text)  # some models fence their JSON
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidReply(f"not valid JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(raw, dict):
        raise InvalidReply("the JSON is not an object")
    try:
        content = SummaryContent.model_validate(coerce_raw(raw))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidReply(f"schema violations: {problems}") from None
    if not content.tldr.strip():
        raise InvalidReply("tldr is empty")
    return content


def describe_api_error(exc: APIError) -> str:
    """Short and secret-free: the class and status, never headers or the request."""
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if status else "")
