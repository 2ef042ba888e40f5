"""Rule: the summary cache key includes the model and the prompt version. A summary stored
under another model or an older prompt does not count: the paper is summarized again."""

from __future__ import annotations

from domain.types import SummaryContent, SummarySource
from jobs.summarize import run_summarize
from jobs.summarize.prompt import PROMPT_VERSION
from storage.db import Database
from storage.queries.summaries import save_summary
from tests.factories import make_paper
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_summarize_job import llm_settings, store

OTHER_KEYS = (("fake-model", "an-older-prompt"), ("another-model", PROMPT_VERSION))


async def test_model_and_prompt_version_are_part_of_the_key(
    db: Database, fake_openai: FakeOpenAI
) -> None:
    papers = [make_paper(title=f"Paper {n}") for n in range(len(OTHER_KEYS) + 1)]
    ids = await store(db, *papers)
    async with db.session() as session:
        for paper_id, paper, (model, version) in zip(ids, papers, OTHER_KEYS, strict=False):
            await save_summary(
                session, paper_id=paper_id, paper_version=paper.version, language="zh",
                model=model, prompt_version=version, source=SummarySource.LLM,
                content=SummaryContent(title_translated="旧", tldr="stored under another key"),
            )  # fmt: skip
        await save_summary(  # the last paper: under exactly the current key
            session, paper_id=ids[-1], paper_version=papers[-1].version, language="zh",
            model="fake-model", prompt_version=PROMPT_VERSION, source=SummarySource.LLM,
            content=SummaryContent(title_translated="新", tldr="current"),
        )  # fmt: skip
    report = await run_summarize(llm_settings(fake_openai).llm, db)
    assert (report.papers, report.llm_ok, report.cached) == (len(OTHER_KEYS), len(OTHER_KEYS), 1)

    switched = await run_summarize(llm_settings(fake_openai, llm_model="a-new-model").llm, db)
    assert switched.llm_ok == len(papers)  # a new model: everything again
    again = await run_summarize(llm_settings(fake_openai, llm_model="a-new-model").llm, db)
    assert (again.papers, again.llm_calls) == (0, 0)
