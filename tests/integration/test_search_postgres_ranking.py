"""PostgreSQL ranking over every match: the postings follow the tsvectors, and the threshold
algorithm (forced to read shallow and prove its way down) returns exactly the brute-force top k
of all matches, not a top k of the newest."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from storage import search_postgres, search_postings, search_topk
from storage.db import Database
from storage.queries.papers import upsert_papers
from storage.search import search_paper_ids
from storage.search_postings import resolve
from storage.search_terms import query_terms
from tests.factories import make_paper
from tests.integration.search_helpers import add_paper

PLAIN = "We measure things carefully on standard data."
WORDS = ["sparse", "attention", "graph", "reward", "diffusion", "kernel", "robust", "token"]


async def _postings(db: Database) -> dict[tuple[str, int], float]:
    async with db.session() as s:
        rows = await s.execute(text("SELECT lexeme, paper_id, impact FROM paper_search_terms"))
        return {(lexeme, paper_id): impact for lexeme, paper_id, impact in rows}


async def _corpus(db: Database, n: int) -> list[int]:
    """`n` papers whose titles and abstracts mix WORDS at random (seeded)."""
    rng = random.Random(7)
    papers = []
    for i in range(n):
        title = " ".join(rng.sample(WORDS, rng.randint(0, 3)))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
        papers.append(
            make_paper(arxiv_id=f"2611.{70000 + i}", title=f"{title} study", abstract=body)
        )
    async with db.session() as s:
        return list((await upsert_papers(s, papers=papers)).paper_ids)


def _brute_force(
    postings: dict[tuple[str, int], float], lexemes: list[str]
) -> list[tuple[int, float]]:
    papers = {paper for (_, paper) in postings}
    scores = [
        (paper, sum(postings[(lex, paper)] for lex in lexemes))
        for paper in papers
        if all((lex, paper) in postings for lex in lexemes)
    ]
    return sorted(scores, key=lambda pair: (-pair[1], -pair[0]))


@pytest.fixture
def shallow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query goes through the threshold algorithm, starting two rows deep."""
    monkeypatch.setattr(search_postgres, "SCORE_ALL_UP_TO", 0)
    monkeypatch.setattr(search_topk, "FIRST_DEPTH", 2)
    monkeypatch.setattr(search_topk, "FIRST_LOOKUPS", 2)
    monkeypatch.setattr(search_topk, "GROWTH", 2)


@pytest.mark.parametrize(
    "query", ["sparse attention", "graph reward kernel", "robust", "token diffusion sparse"]
)
async def test_threshold_algorithm_equals_brute_force(
    postgres_db: Database, shallow: None, query: str
) -> None:
    await _corpus(postgres_db, 150)
    postings = await _postings(postgres_db)
    async with postgres_db.session() as s:
        lexemes = [word.lexemes[0] for word in await resolve(s, query_terms(query))]
        for offset, limit in ((0, 5), (5, 5), (0, 40)):
            ranked, total = await search_paper_ids(s, query=query, offset=offset, limit=limit)
            expected = _brute_force(postings, lexemes)
            assert total == min(len(expected), 1001)
            assert [paper for paper, _ in ranked] == [
                paper for paper, _ in expected[offset : offset + limit]
            ], (query, offset)


@pytest.mark.parametrize("kept", [3, 50])
async def test_scoring_every_match_equals_brute_force_on_every_page(
    postgres_db: Database, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    """Small result sets are scored by the counting statement itself (its best `KEPT`) or,
    for pages past those, by a second query: both agree with brute force, scores included."""
    monkeypatch.setattr(search_postings, "KEPT", kept)
    await _corpus(postgres_db, 150)
    postings = await _postings(postgres_db)
    for query in ("sparse attention", "robust", "graph reward kernel"):
        async with postgres_db.session() as s:
            lexemes = [word.lexemes[0] for word in await resolve(s, query_terms(query))]
        expected = _brute_force(postings, lexemes)
        for offset, limit in ((0, 2), (0, 5), (2, 5), (40, 20)):
            async with postgres_db.session() as s:
                ranked, total = await search_paper_ids(s, query=query, offset=offset, limit=limit)
            assert total == len(expected)
            want = expected[offset : offset + limit]
            assert [paper for paper, _ in ranked] == [paper for paper, _ in want], (query, offset)
            assert [score for _, score in ranked] == pytest.approx([score for _, score in want])


async def test_the_best_match_ranks_first_however_old(postgres_db: Database, shallow: None) -> None:
    best = await add_paper(postgres_db, title="Sparse attention", abstract="Sparse attention.")
    for i in range(30):  # newer, weaker matches
        await add_paper(postgres_db, title=f"Study {i}", abstract=f"attention is sparse {PLAIN}")
    async with postgres_db.session() as s:
        ranked, total = await search_paper_ids(s, query="sparse attention", offset=0, limit=3)
    assert total == 31 and ranked[0][0] == best


async def test_prefix_words_rank_by_their_best_lexeme(postgres_db: Database, shallow: None) -> None:
    strong = await add_paper(postgres_db, title="Optimizers compared", abstract=PLAIN)
    weak = await add_paper(postgres_db, title="Notes", abstract=f"An optimum. {PLAIN}")
    await add_paper(postgres_db, title="Unrelated", abstract=PLAIN)
    async with postgres_db.session() as s:
        ranked, total = await search_paper_ids(s, query="optim", offset=0, limit=5)
    assert total == 2 and [paper for paper, _ in ranked] == [strong, weak]


async def test_postings_follow_inserts_updates_and_deletes(postgres_db: Database) -> None:
    paper = await add_paper(postgres_db, arxiv_id="2611.80001", title="Old words", abstract=PLAIN)
    lexemes = {lex for (lex, p) in await _postings(postgres_db) if p == paper}
    assert {"old", "word", "measur"} <= lexemes
    newer = make_paper(arxiv_id="2611.80001", version=2, title="Fresh phrasing", abstract=PLAIN)
    async with postgres_db.session() as s:
        await upsert_papers(s, papers=[newer])
        length = await s.scalar(
            text("SELECT length(document) FROM paper_search WHERE paper_id = :id"), {"id": paper}
        )
    lexemes = {lex for (lex, p) in await _postings(postgres_db) if p == paper}
    assert "old" not in lexemes and {"fresh", "phrase"} <= lexemes and len(lexemes) == length
    async with postgres_db.session() as s:
        await s.execute(text("DELETE FROM papers WHERE id = :id"), {"id": paper})
    assert not [key for key in await _postings(postgres_db) if key[1] == paper]


async def test_title_words_weigh_more_and_long_papers_less(postgres_db: Database) -> None:
    title = await add_paper(postgres_db, title="Kernel methods", abstract=PLAIN)
    body = await add_paper(postgres_db, title="Methods", abstract=f"A kernel. {PLAIN}")
    filler = " ".join(f"filler{i}" for i in range(200))
    long = await add_paper(postgres_db, title="Kernel methods", abstract=f"{PLAIN} {filler}")
    postings = await _postings(postgres_db)
    assert postings[("kernel", title)] > postings[("kernel", long)] > postings[("kernel", body)]
