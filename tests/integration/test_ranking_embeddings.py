"""EMBEDDINGS_MODEL on real SQLite and PostgreSQL, through the real `openai` client against the
fake server (`tests/fakes/openai_server.py`, which refuses requests the real API refuses):
`rank_index` embeds each paper once, `similar` answers from the embeddings, and falls back to
TF-IDF for a paper the model never saw."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from core.services import ranking
from jobs.runs import run_job
from storage.db import Database
from tests.factories import store_paper
from tests.fakes.openai_server import EMBEDDING_DIMS, FakeOpenAI
from tests.integration.schedule_helpers import context
from tests.planning_world import store_issue

MODEL = "fake-embed-1"


async def test_index_embeds_once_and_similar_uses_the_embeddings(
    db: Database, fake_openai: FakeOpenAI
) -> None:
    issue = await store_issue(db)
    seed = issue.included_items[0].paper
    async with db.session() as session:  # the same paper under another id: its nearest
        twin = await store_paper(session, replace(seed.meta, arxiv_id="2501.99999"))
    ctx = context(
        db, embeddings_model=MODEL, openai_api_key="sk-test", openai_base_url=fake_openai.base_url
    )

    first = await run_job("rank_index", ctx, trigger="cli")
    again = await run_job("rank_index", ctx, trigger="cli")

    assert first.status == "ok" and first.summary.endswith(f", 21 embedded ({MODEL})")
    assert again.summary == f"rank: 0 new paper vectors, 0 embedded ({MODEL})"
    sent = fake_openai.embedding_requests
    assert sent and all(r["model"] == MODEL and 1 <= len(r["input"]) <= 64 for r in sent)
    assert sum(len(r["input"]) for r in sent) == 21  # each paper once
    hits = await ranking.similar(db, seed.id, k=3, embeddings_model=MODEL)
    assert hits[0][0] == twin and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert len(hits) == 3 and seed.id not in [pid for pid, _ in hits]
    fallback = await ranking.similar(db, seed.id, k=3, embeddings_model="never-used")
    assert fallback == await ranking.similar(db, seed.id, k=3)  # TF-IDF


def test_the_fake_refuses_what_the_real_api_refuses(fake_openai: FakeOpenAI) -> None:
    url = f"{fake_openai.base_url}/embeddings"
    bad = [
        {"input": "text"},
        {"model": MODEL, "input": []},
        {"model": MODEL, "input": ""},
        {"model": MODEL, "input": ["ok", ""]},
        {"model": MODEL, "input": [1, 2]},
        {"model": MODEL, "input": "x", "encoding_format": "binary"},
        {"model": MODEL, "input": "x", "dimensions": 0},
    ]
    for body in bad:
        answer = httpx.post(url, json=body)
        assert answer.status_code == 400, body
        assert answer.json()["error"]["type"] == "invalid_request_error"
    good = httpx.post(url, json={"model": MODEL, "input": ["a b", "c"]}).json()
    assert [d["index"] for d in good["data"]] == [0, 1]
    assert len(good["data"][0]["embedding"]) == EMBEDDING_DIMS
