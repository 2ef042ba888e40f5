"""The audit log: who did what to which issue or paper, so editors can reconstruct history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    target: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add one audit row in the caller's transaction, so it commits (or not) with the change."""
    session.add(AuditLog(actor=actor, action=action, target=target, detail=dict(detail or {})))
    await session.flush()
