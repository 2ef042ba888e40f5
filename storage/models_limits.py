"""The bookkeeping tables of limits and replays: refused nonces, per-user command budgets,
shared credentials, the fleet's send budget and paid-broadcast counts.

None of them is the business (papers, issues, chats); each lets several instances on one
database keep one limit together. On the same `Base` as `storage.models`, which imports this
module so that `Base.metadata` has them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, Id
from storage.types import UTCDateTime


class SeenNonce(Base):
    """A signed request's nonce, kept for the signature window so a replay is refused, even
    after a restart or by another instance."""

    __tablename__ = "seen_nonces"
    __table_args__ = (
        UniqueConstraint("scope", "nonce", name="scope_nonce"),
        Index("ix_seen_nonces_seen_at", "seen_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(32))  # e.g. "wechat"
    nonce: Mapped[str] = mapped_column(String(128))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CommandBudget(Base):
    """One user's token bucket for one command budget, shared by every instance on one database
    (PostgreSQL); a single instance keeps its buckets in memory instead."""

    __tablename__ = "command_budgets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # budget|platform:user
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)  # epoch seconds of the last refill


class SharedToken(Base):
    """A credential every instance must share, e.g. the WeChat access token (fetching a new
    one invalidates the old one, so instances must not each fetch their own)."""

    __tablename__ = "shared_tokens"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. wechat:<app id>
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendBudget(Base):
    """A fleet-wide send budget (e.g. Telegram's 30 messages/s for the whole bot): the next
    free slot, in the database's clock, that every instance reserves from (GCRA, see
    `storage.queries.send_budget`). PostgreSQL only: one SQLite file is one instance."""

    __tablename__ = "send_budget"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)  # epoch seconds


class PaidBroadcast(Base):
    """Paid broadcast messages used per issue and platform, counted against the per-issue cap
    (TELEGRAM_PAID_MAX_MESSAGES) by every instance and across restarts."""

    __tablename__ = "paid_broadcasts"

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
