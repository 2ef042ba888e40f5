"""The real AsyncOpenAI client over HTTP against the fake provider: modes, repairs, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domain.types import SummaryContent
from jobs.summarize.budget import TokenBudget
from jobs.summarize.llm import JSON_OBJECT, LLMSummarizer
from tests.conftest import make_settings
from tests.factories import make_paper
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
async def llm(fake_openai: FakeOpenAI) -> AsyncIterator[LLMSummarizer]:
    settings = make_settings(
        openai_api_key="sk-test", openai_base_url=fake_openai.base_url, llm_max_retries=3
    )
    client = LLMSummarizer(settings.llm)
    yield client
    await client.close()


def budget() -> TokenBudget:
    return TokenBudget(limit=10**9, used_today=0)


async def test_schema_valid_reply_through_json_schema_mode(
    llm: LLMSummarizer, fake_openai: FakeOpenAI
) -> None:
    paper = make_paper(title="Sparse Attention", abstract="We cut memory by 40% on 2 tasks.")
    outcome = await llm.summarize(paper, "en", budget())
    assert isinstance(outcome.content, SummaryContent)
    assert outcome.content.tldr == "We cut memory by 40% on 2 tasks."
    assert outcome.calls == 1 and outcome.error is None
    assert outcome.tokens_in > 0 and outcome.tokens_out > 0
    (request,) = fake_openai.requests
    assert request.response_format == "json_schema"
    assert request.body["response_format"]["json_schema"]["strict"] is True
    assert request.paper and request.paper["title"] == "Sparse Attention"


async def test_different_papers_get_different_summaries(llm: LLMSummarizer) -> None:
    first = await llm.summarize(make_paper(title="Alpha Models"), "zh", budget())
    second = await llm.summarize(make_paper(title="Beta Models"), "zh", budget())
    assert first.content and second.content
    assert first.content.title_translated != second.content.title_translated


async def test_json_schema_rejected_falls_back_and_remembers(
    llm: LLMSummarizer, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reject_json_schema = True
    first = await llm.summarize(make_paper(), "en", budget())
    second = await llm.summarize(make_paper(), "en", budget())
    assert first.content and second.content
    assert llm.mode == JSON_OBJECT
    assert [r.response_format for r in fake_openai.requests] == [
        "json_schema",
        "json_object",
        "json_object",  # the second paper goes straight to the mode that works
    ]


@pytest.mark.parametrize("bad", ["invalid_json", "schema_violation", "truncated"])
async def test_invalid_reply_is_repaired_once(
    llm: LLMSummarizer, fake_openai: FakeOpenAI, bad: str
) -> None:
    fake_openai.script(bad)
    outcome = await llm.summarize(make_paper(), "en", budget())
    assert outcome.content is not None and outcome.error is None
    assert outcome.calls == 2
    repair = fake_openai.requests[1].messages
    assert repair[-1]["role"] == "user" and "could not be used" in repair[-1]["content"]
    assert repair[:2] == fake_openai.requests[0].messages  # same conversation, one more turn


async def test_gives_up_after_one_repair(llm: LLMSummarizer, fake_openai: FakeOpenAI) -> None:
    fake_openai.default_step = "truncated"
    outcome = await llm.summarize(make_paper(), "en", budget())
    assert outcome.content is None
    assert outcome.calls == 2 and fake_openai.calls == 2
    assert outcome.error and "finish_reason=length" in outcome.error
    assert outcome.tokens_out > 0  # truncated replies still cost tokens


async def test_429_and_500_are_retried_by_the_client(
    llm: LLMSummarizer, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script("429", "500")
    outcome = await llm.summarize(make_paper(), "en", budget())
    assert outcome.content is not None
    assert outcome.calls == 1  # one logical call...
    assert fake_openai.steps_taken() == ["429", "500", "ok"]  # ...three HTTP requests


async def test_persistent_server_errors_end_without_raising(
    llm: LLMSummarizer, fake_openai: FakeOpenAI
) -> None:
    fake_openai.default_step = "500"
    outcome = await llm.summarize(make_paper(), "en", budget())
    assert outcome.content is None
    assert outcome.error == "InternalServerError (HTTP 500)"
    assert fake_openai.calls == 4  # first try + llm_max_retries=3


async def test_over_budget_makes_no_call(llm: LLMSummarizer, fake_openai: FakeOpenAI) -> None:
    outcome = await llm.summarize(make_paper(), "en", TokenBudget(limit=100, used_today=0))
    assert outcome.content is None and outcome.over_budget
    assert fake_openai.calls == 0
