"""A chat's saved topics as the subscription service hands them out, and what /subscribe did.

Apart from `domain.types` because a saved topic carries its parsed `TopicQuery`
(`domain.topics`), which itself reads `domain.types`: here both are imported, and neither
imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.topics import TopicQuery
from domain.types import ChatState, PaperView, TopicKind


@dataclass(frozen=True)
class TopicView:
    """One saved topic of a chat; `query` is the text to show and to retype."""

    id: int
    kind: TopicKind
    query: str
    topic: TopicQuery
    created_at: datetime
    title: str | None = None  # a like: topic's anchor paper, shown instead of its arXiv id


@dataclass(frozen=True)
class SubscribeResult:
    """What /subscribe saved, and how it would have done on recently stored papers."""

    topic: TopicView
    chat: ChatState
    recent_matches: int  # of `recent_papers` checked
    recent_papers: int
    window_days: int
    examples: tuple[PaperView, ...] = ()  # a few of the matches, newest first
