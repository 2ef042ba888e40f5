"""Full-text search on both databases: Chinese, English, ranking, hostile input, reindexing."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.queries.papers import upsert_papers
from storage.search import search_paper_ids
from tests.factories import make_paper
from tests.integration.search_helpers import add_paper, add_summary, index_rows

PLAIN = "We measure things carefully on standard data."


async def ids_for(db: Database, query: str, *, offset: int = 0, limit: int = 20) -> list[int]:
    async with db.session() as s:
        ranked, _total = await search_paper_ids(s, query=query, offset=offset, limit=limit)
    return [paper_id for paper_id, _ in ranked]


async def test_chinese_queries_find_chinese_summaries(db: Database) -> None:
    rlhf = await add_paper(db, title="Learning from Human Feedback", abstract="We study RLHF.")
    await add_summary(
        db,
        rlhf,
        title_translated="基于人类反馈的学习",
        tldr="提出一种强化学习方法用于大模型对齐，胜率提升12%。",
    )
    other = await add_paper(db, title="Graph Networks", abstract="We study RLHF a bit.")
    await add_summary(db, other, title_translated="图神经网络", tldr="图上的消息传递方法。")
    plain = await add_paper(db, title="Alignment without summary", abstract=PLAIN)

    assert await ids_for(db, "对齐") == [rlhf]
    assert await ids_for(db, "强化学习") == [rlhf]
    assert await ids_for(db, "RLHF 对齐") == [rlhf]
    assert set(await ids_for(db, "RLHF")) == {rlhf, other}
    assert plain not in await ids_for(db, "对齐")


async def test_english_case_plurals_and_prefixes(db: Database) -> None:
    paper = await add_paper(
        db, title="Transformers for Speech", abstract="A study of optimization schedules."
    )
    await add_paper(db, title="Unrelated", abstract=PLAIN)
    for query in (
        "transformer",
        "TRANSFORMERS",
        "Transformer",
        "optim",
        "optimizations",
        "SPEECH transformer",
        "schedule",
    ):
        assert await ids_for(db, query) == [paper], query


async def test_every_word_must_match(db: Database) -> None:
    both = await add_paper(db, title="Diffusion models for video", abstract=PLAIN)
    await add_paper(db, title="Diffusion models for audio", abstract=PLAIN)
    assert await ids_for(db, "diffusion video") == [both]


async def test_title_match_ranks_above_body_only_match(db: Database) -> None:
    body_only = await add_paper(
        db,
        title="A study of many things",
        abstract="We use contrastive pretraining. Contrastive losses help. " + PLAIN,
    )
    title = await add_paper(db, title="Contrastive pretraining at scale", abstract=PLAIN)
    summary_title = await add_paper(db, title="Something else entirely", abstract=PLAIN)
    await add_summary(db, summary_title, language="en", title_translated="Contrastive tricks")
    ranked = await ids_for(db, "contrastive")
    assert set(ranked[:2]) == {title, summary_title}
    assert ranked[2] == body_only


HOSTILE = [
    '"',
    '""',
    "*",
    "NEAR",
    "NEAR(a b)",
    "-",
    "--x",
    ":",
    "title:",
    "body:x",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    "'",
    "''",
    "\\",
    "\\'",
    "😀",
    "😀🔥",
    "a & b | !c",
    "x:*",
    "^x",
    "{a b}",
    "'; DROP TABLE papers; --",
    "对齐 OR",
    "a" * 4000,
    "transformer " * 400,
    "中" * 4000,
    "\x00",
    "\u200b",
    "∑∫√",
    "<script>",
    "%_",
    "?" * 50,
]


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_queries_never_error(db: Database, query: str) -> None:
    await add_paper(db, title="Transformer NEAR title body", abstract=PLAIN)
    async with db.session() as s:
        ranked, total = await search_paper_ids(s, query=query, offset=0, limit=5)
    assert total >= len(ranked) >= 0


async def test_syntax_characters_around_words_are_ignored(db: Database) -> None:
    paper = await add_paper(db, title="Near and far: sparse attention", abstract=PLAIN)
    await add_paper(db, title="Dense attention", abstract=PLAIN)
    for query in (
        '"sparse',
        "sparse*",
        "-sparse",
        "(sparse)",
        "sparse:",
        "'sparse'",
        "😀 sparse",
        "NEAR(sparse attention)",
        "sparse AND attention",
        "far:",
    ):
        assert await ids_for(db, query) == [paper], query


async def test_operators_are_words_not_operators(db: Database) -> None:
    await add_paper(db, title="Sparse attention", abstract=PLAIN)
    dense = await add_paper(db, title="Dense attention", abstract=PLAIN)
    # As query syntax these would match; as words they need "nothingmatches" / "sparse" too.
    assert await ids_for(db, "sparse OR nothingmatches") == []
    assert dense not in await ids_for(db, "attention NOT sparse")


@pytest.mark.parametrize("query", ["", "   ", "?!", "*** ---", "😀", "。，！"])
async def test_queries_without_words_find_nothing(db: Database, query: str) -> None:
    await add_paper(db, title="Anything", abstract=PLAIN)
    async with db.session() as s:
        assert await search_paper_ids(s, query=query, offset=0, limit=5) == ([], 0)


async def test_adding_a_summary_reindexes_without_duplicates(db: Database) -> None:
    paper = await add_paper(db, title="Preference optimization", abstract=PLAIN)
    assert await ids_for(db, "偏好") == []
    await add_summary(db, paper, title_translated="偏好优化", tldr="直接偏好优化。")
    await add_summary(
        db, paper, language="en", title_translated="Preference tuning", keywords=["dpo"]
    )
    assert await ids_for(db, "偏好") == [paper]
    assert await ids_for(db, "dpo") == [paper]
    assert await ids_for(db, "preference") == [paper]
    assert await index_rows(db, paper) == 1


async def test_updated_paper_is_reindexed(db: Database) -> None:
    paper = await add_paper(db, arxiv_id="2611.90001", title="Old wording", abstract=PLAIN)
    newer = make_paper(arxiv_id="2611.90001", version=2, title="Fresh phrasing", abstract=PLAIN)
    async with db.session() as s:
        await upsert_papers(s, papers=[newer])
    assert await ids_for(db, "wording") == []
    assert await ids_for(db, "fresh phrasing") == [paper]
    assert await index_rows(db, paper) == 1


async def test_deleted_paper_leaves_the_index(db: Database) -> None:
    from sqlalchemy import text

    paper = await add_paper(db, title="Ephemeral result", abstract=PLAIN)
    async with db.session() as s:
        await s.execute(text("DELETE FROM papers WHERE id = :id"), {"id": paper})
    assert await index_rows(db, paper) == 0
    assert await ids_for(db, "ephemeral") == []


async def test_paging_covers_every_match_once(db: Database) -> None:
    papers = {await add_paper(db, title=f"Benchmark suite {i}", abstract=PLAIN) for i in range(7)}
    await add_paper(db, title="Unrelated", abstract=PLAIN)
    pages = [await ids_for(db, "benchmark", offset=o, limit=3) for o in (0, 3, 6, 9)]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert set().union(*pages) == papers
    async with db.session() as s:
        _, total = await search_paper_ids(s, query="benchmarks", offset=6, limit=3)
    assert total == 7


async def test_count_stops_at_the_cap(db: Database) -> None:
    for i in range(6):
        await add_paper(db, title=f"Calibration study {i}", abstract=PLAIN)
    async with db.session() as s:
        capped = await search_paper_ids(s, query="calibration", offset=0, limit=2, count_cap=3)
        exact = await search_paper_ids(s, query="calibration", offset=0, limit=2, count_cap=6)
    assert (len(capped[0]), capped[1]) == (2, 4)
    assert exact[1] == 6
