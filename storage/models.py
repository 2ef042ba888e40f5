"""SQLAlchemy 2 models: papers, summaries, issues and their items, fetch/summarize runs, audit.

The search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL) is not an ORM model: it is
created by the migration and maintained by `storage.search`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.model_base import Base, Id
from storage.types import UTCDateTime, utcnow

# The job_runs rows that hold their fire time (see JobRun); migration 0005 writes the same.
FIRE_TIME_TAKEN = "scheduled_for IS NOT NULL AND status IN ('running', 'ok')"


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON)
    abstract: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(JSON)
    primary_category: Mapped[str] = mapped_column(String(32), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    announced_on: Mapped[date | None] = mapped_column(Date, index=True)
    announce_type: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(255))
    code_url: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    summaries: Mapped[list[Summary]] = relationship(back_populates="paper")


class Summary(Base):
    __tablename__ = "summaries"
    __table_args__ = (
        UniqueConstraint(
            "paper_id", "paper_version", "language", "model", "prompt_version", name="cache_key"
        ),
        Index("ix_summaries_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    paper_version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    model: Mapped[str] = mapped_column(String(128))
    prompt_version: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # llm | extractive
    title_translated: Mapped[str] = mapped_column(Text, default="")
    tldr: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    contributions: Mapped[list[str]] = mapped_column(JSON, default=list)
    results: Mapped[str] = mapped_column(Text, default="")
    future_work: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)  # whole points: what older code reads
    rating_score: Mapped[float | None] = mapped_column(Float)  # half points (3.5), newer rows
    rating_reason: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    overview: Mapped[str] = mapped_column(Text, default="", server_default="")
    topic: Mapped[str] = mapped_column(Text, default="", server_default="")
    abstract_translated: Mapped[str] = mapped_column(Text, default="")
    code_url: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the summarizer read: html | pdf | abstract (domain.fulltext.TextSource)
    text_source: Mapped[str] = mapped_column(
        String(16), default="abstract", server_default="abstract"
    )

    paper: Mapped[Paper] = relationship(back_populates="summaries")


class Issue(Base):
    __tablename__ = "issues"
    # Dailies and weekly round-ups are numbered apart (domain.types.IssueKind).
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8), default="daily", server_default="daily")
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_reason: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[IssueItem]] = relationship(
        back_populates="issue", order_by="IssueItem.position", cascade="all, delete-orphan"
    )


class IssueItem(Base):
    __tablename__ = "issue_items"
    __table_args__ = (UniqueConstraint("issue_id", "paper_id", name="issue_paper"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    summary_id: Mapped[int | None] = mapped_column(ForeignKey("summaries.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    editor_note: Mapped[str | None] = mapped_column(Text)
    title_override: Mapped[str | None] = mapped_column(Text)
    tldr_override: Mapped[str | None] = mapped_column(Text)
    heading: Mapped[str | None] = mapped_column(Text)  # a weekly's claim, in Chinese
    explanation: Mapped[str | None] = mapped_column(Text)  # a weekly's focused explanation

    issue: Mapped[Issue] = relationship(back_populates="items")
    paper: Mapped[Paper] = relationship()
    summary: Mapped[Summary | None] = relationship()


class FetchRun(Base):
    """One fetch: which window, what it saw and stored, and how far the watermark moved."""

    __tablename__ = "fetch_runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    mode: Mapped[str] = mapped_column(String(16))  # rss | api | ids
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    announced_on: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)


class SummarizeRun(Base):
    """Token and cost accounting for one summarize run."""

    __tablename__ = "summarize_runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(8))
    model: Mapped[str] = mapped_column(String(128))
    papers: Mapped[int] = mapped_column(Integer, default=0)
    cached: Mapped[int] = mapped_column(Integer, default=0)
    llm_calls: Mapped[int] = mapped_column(Integer, default=0)
    llm_ok: Mapped[int] = mapped_column(Integer, default=0)
    extractive: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Chat(Base):
    """A subscriber: one private chat, group or channel on one platform."""

    __tablename__ = "chats"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="platform_chat"),
        # delivery planning pages through a platform's active chats by id (keyset pagination)
        Index("ix_chats_platform_active_id", "platform", "active", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))  # telegram | wechat | console
    external_id: Mapped[str] = mapped_column(String(64))
    chat_type: Mapped[str] = mapped_column(String(16))  # private | group | supergroup | channel
    title: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    language_source: Mapped[str | None] = mapped_column(String(16))  # platform name | settings
    digest_mode: Mapped[str] = mapped_column(String(16), default="all")
    no_match_note: Mapped[bool] = mapped_column(Boolean, default=False)
    # "For you" (issue 13): this chat's papers in its own model's order; off keeps today's.
    for_you: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Topic(Base):
    """One followed topic of a chat; `query_key` makes retyped duplicates collide."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("chat_id", "query_key", name="chat_query"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # keywords | category | author
    query: Mapped[str] = mapped_column(Text)
    query_key: Mapped[str] = mapped_column(String(255))
    parsed: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """The delivery ledger: one row per (issue, target), so publishing is exactly-once and
    resumable. A target is a chat (`chat_id` set) or the channel (`chat_id` NULL).

    Status: pending → sending (a message is in flight) → sent | failed | blocked | skipped.
    `messages_sent` counts the issue's parts already accepted by the platform, so a resumed
    delivery continues after the last confirmed part instead of starting over.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("issue_id", "platform", "target", name="issue_target"),
        Index("ix_deliveries_issue_status", "issue_id", "status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(128))  # the platform's chat/channel id
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # channel | subscriber | group_robot
    status: Mapped[str] = mapped_column(String(16), default="pending")
    paper_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # this target's papers
    messages_total: Mapped[int] = mapped_column(Integer, default=0)
    messages_sent: Mapped[int] = mapped_column(Integer, default=0)
    message_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set when the deliverer ordered `paper_ids` for the reader ("for you", at send time): which
    # of them are recommendations; NULL: not ordered, so never reordered once set.
    recommended_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobRun(Base):
    """One run of a scheduled job; a row still `running` keeps a second trigger from overlapping."""

    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_name_started", "name", "started_at"),
        # Each scheduled fire time runs once across every instance: a second running or
        # successful row for it is refused by the database itself (a failed one may be retried).
        Index(
            "uq_job_runs_fire_time",
            "name",
            "scheduled_for",
            unique=True,
            sqlite_where=text(FIRE_TIME_TAKEN),
            postgresql_where=text(FIRE_TIME_TAKEN),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(32))  # fetch | summarize | compose | publish | …
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | admin | cli
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|ok|failed|skipped
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # Liveness of a `running` row: a holder whose heartbeat stops (or whose PostgreSQL session
    # lock is gone) is dead, and its run may be taken over.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)


class SummaryFailure(Base):
    """A paper whose LLM summary failed: retried with backoff a bounded number of times across
    runs, then left to the extractive fallback."""

    __tablename__ = "summary_failures"
    __table_args__ = (UniqueConstraint("paper_id", "language", name="paper_language"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The limits', the reader's and personal relevance's tables (modules of their own, on the
# same Base):
# imported here so that every user of `Base.metadata` (Alembic's checks, `db copy`) sees
# them.
import storage.models_limits  # noqa: E402
import storage.models_ranking  # noqa: E402, F401
from storage import models_text  # noqa: E402, F401
