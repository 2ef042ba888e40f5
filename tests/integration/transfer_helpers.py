"""A database with rows in every table, for the backup and copy tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from storage.db import Database
from storage.models import (
    AuditLog,
    Chat,
    Delivery,
    FetchRun,
    JobRun,
    SummarizeRun,
    Summary,
    SummaryFailure,
    Topic,
)
from storage.models_limits import CommandBudget, PaidBroadcast, SeenNonce, SendBudget, SharedToken
from storage.models_ranking import (
    PaperEmbedding,
    PaperVector,
    RankingVocab,
    ReaderFeedback,
    ReaderModel,
)
from storage.models_text import FigureUpload, PaperFigure, PaperText
from storage.queries.issues import NewItem, create_issue
from storage.search import search_paper_ids
from tests.factories import store_paper
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
QUERIES = ("learning", "model", "语言", "reinforcement learning", "agent")


async def fill(db: Database, *, papers: int = 12) -> None:
    """Seed papers with summaries, an issue with items, and a row in every other table."""
    async with db.session() as session:
        ids = [
            await store_paper(session, seed_meta(seed), seed_summary(seed))
            for seed in load_seed_papers()[:papers]
        ]
        rows = await session.execute(select(Summary.paper_id, Summary.id))
        summaries = {paper_id: summary_id for paper_id, summary_id in rows}
        items = [NewItem(paper_id=pid, summary_id=summaries.get(pid)) for pid in ids[:5]]
        issue_id = await create_issue(
            session, number=1, title="第1期", language="zh", period_start=date(2026, 11, 29),
            period_end=date(2026, 11, 30), items=items,
        )  # fmt: skip
        session.add_all(_runs(ids[0]))
        chat = Chat(platform="telegram", external_id="42", chat_type="private", active=True)
        session.add(chat)
        await session.flush()
        session.add_all(_chat_rows(chat.id, issue_id))


def _runs(paper_id: int) -> list[object]:
    return [
        FetchRun(mode="rss", categories=["cs.LG"], status="ok", seen=3, watermark=NOW),
        SummarizeRun(language="zh", model="m", papers=3, cost_usd=0.25),
        AuditLog(actor="cli", action="approve", target="issue:1", detail={"n": 1}),
        JobRun(name="fetch", trigger="cli", status="ok", started_at=NOW, finished_at=NOW),
        SeenNonce(scope="wechat", nonce="abc", seen_at=NOW),
        SummaryFailure(paper_id=paper_id, language="en", failures=2, last_error="timeout"),
        CommandBudget(key="/search|telegram:42", tokens=2.5, at=1.8e9),
        SharedToken(name="wechat:wx-app", value="TOKEN-1", expires_at=NOW),
        SendBudget(key="telegram:123", next_at=1.8e9),
        PaperText(
            paper_id=paper_id, paper_version=1, source="html",
            sections=[["introduction", "1 Introduction", "We study it."]], links=[],
            downloaded_bytes=1234,
        ),
        PaperFigure(
            paper_id=paper_id, paper_version=1, label="Figure 1", caption="Overview.",
            mime_type="image/png", width=2, height=1, size=6, source_url="https://x/x1.png",
            data=b"\x89PNG\x00\xff",
        ),
        PaperVector(paper_id=paper_id, indices=b"\x01\x00\x00\x00", values=b"\x00\x00\x80?"),
        RankingVocab(id=1, documents=1, frequencies=b"\x00\xff"),
        PaperEmbedding(paper_id=paper_id, model="text-embedding-3-small", vector=b"\x00\x00\x80?"),
        FigureUpload(paper_id=paper_id, place="telegram:1", version="v1", remote="AgAC-file-id"),
    ]  # fmt: skip


def _chat_rows(chat_id: int, issue_id: int) -> list[object]:
    return [
        Topic(
            chat_id=chat_id,
            kind="keywords",
            query="rlhf",
            query_key="rlhf",
            parsed={"words": ["rlhf"]},
        ),
        Delivery(
            issue_id=issue_id,
            platform="telegram",
            target="42",
            chat_id=chat_id,
            kind="subscriber",
            status="sent",
            paper_ids=[1, 2],
            message_ids=["7"],
        ),
        # a two-column key: copied in keyset pages over (issue_id, platform)
        PaidBroadcast(issue_id=issue_id, platform="telegram", used=5),
        PaidBroadcast(issue_id=issue_id, platform="wecom", used=0),
        ReaderFeedback(chat_id=chat_id, paper_id=1, vote=1, saved=True),
        ReaderModel(chat_id=chat_id, revision=1, trained_revision=1, examples=1,
                    indices=b"\x01\x00\x00\x00", weights=b"\x00\x00\x80?", intercept=0.5),
    ]  # fmt: skip


async def search_ids(db: Database) -> dict[str, set[int]]:
    """The papers each query finds (as sets: the two engines rank differently)."""
    found: dict[str, set[int]] = {}
    async with db.session() as session:
        for query in QUERIES:
            ranked, _total = await search_paper_ids(session, query=query, offset=0, limit=100)
            found[query] = {paper_id for paper_id, _score in ranked}
    return found
