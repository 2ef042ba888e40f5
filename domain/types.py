"""Domain types shared by jobs, services, renderers and storage (all of which import `domain`).

Plain frozen dataclasses and pydantic models: no ORM objects and no chat-library objects cross
a layer boundary, so each layer can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field, field_validator

from domain.fulltext import FigureView, TextSource
from domain.rating import half_point


class IssueStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"


class IssueKind(StrEnum):
    """Dailies and weekly round-ups are numbered apart: 第3期 and 周报3 are different issues."""

    DAILY = "daily"
    WEEKLY = "weekly"


# The statuses an issue can be published from: the delivery ledger marks only these published,
# and `core.services.review.publish_refusal` refuses the others (a published issue is resumed).
PUBLISHABLE_STATUSES: tuple[IssueStatus, ...] = (IssueStatus.DRAFT, IssueStatus.APPROVED)


class SummarySource(StrEnum):
    LLM = "llm"
    EXTRACTIVE = "extractive"


@dataclass(frozen=True)
class PaperMeta:
    """One arXiv paper as fetched: everything arXiv tells us, nothing we made up."""

    arxiv_id: str  # without version: "2402.01399" or "hep-th/9901001"
    version: int
    title: str
    authors: tuple[str, ...]
    abstract: str
    categories: tuple[str, ...]
    primary_category: str
    published_at: datetime
    updated_at: datetime
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    code_url: str | None = None
    announced_on: date | None = None
    announce_type: str | None = None

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}v{self.version}"


class SummaryContent(BaseModel):
    """The structured summary every seed format needs; also the LLM's JSON schema."""

    # Stored summaries load through this model, so every field added later is optional: a row
    # written before `summary`, `overview` or `topic` existed loads with them empty, and a whole
    # number rating (the old scale) is a valid half-point score.

    title_translated: str = Field(description="The title in the digest language")
    tldr: str = Field(description="One sentence with the headline numbers")
    summary: str = Field(default="", description="摘要: 3-5 sentences in the 本文 voice")
    background: str = ""
    method: str = ""
    contributions: list[str] = Field(default_factory=list)
    results: str = ""
    future_work: str = ""
    overview: str = Field(default="", description="内容概要: prose paragraphs")
    rating: float | None = Field(
        default=None, ge=1, le=5, description="推荐阅读指数: 1-5 in half points (3.5)"
    )
    rating_reason: str = Field(default="", description="分析总结: a paragraph of judgement")
    keywords: list[str] = Field(default_factory=list)
    topic: str = Field(default="", description="A short topic phrase for the issue title")
    abstract_translated: str = ""
    code_url: str | None = None

    @field_validator("rating")
    @classmethod
    def _half_points(cls, value: float | None) -> float | None:
        return None if value is None else half_point(value)


@dataclass(frozen=True)
class StoredSummary:
    """A summary as stored, with where it came from and what the guards found."""

    id: int
    paper_id: int
    language: str
    source: SummarySource
    model: str
    prompt_version: str
    content: SummaryContent
    flags: tuple[str, ...] = ()
    tokens_in: int = 0
    tokens_out: int = 0
    created_at: datetime | None = None
    text_source: TextSource = TextSource.ABSTRACT  # what the summarizer read


@dataclass(frozen=True)
class PaperView:
    """A stored paper with its best summary in one language (None if not summarized yet),
    and its key figure when the full text gave one (`storage.queries.figures` has the bytes)."""

    id: int
    meta: PaperMeta
    summary: StoredSummary | None = None
    figure: FigureView | None = None


@dataclass(frozen=True)
class IssueItemView:
    position: int
    included: bool
    paper: PaperView
    editor_note: str | None = None
    title_override: str | None = None
    tldr_override: str | None = None
    # A weekly round-up's own words for the paper (seed 001): its claim as a heading, and a
    # focused explanation (problem, key idea with formulas, result with its numbers).
    heading: str | None = None
    explanation: str | None = None
    recommended: bool = False  # in a reader's delivery: a "for you" pick beyond their topics

    @property
    def tldr(self) -> str:
        if self.tldr_override:
            return self.tldr_override
        return self.paper.summary.content.tldr if self.paper.summary else ""

    @property
    def display_title(self) -> str:
        """The translated title (or the editor's), falling back to the English one."""
        if self.title_override:
            return self.title_override
        summary = self.paper.summary
        if summary and summary.content.title_translated:
            return summary.content.title_translated
        return self.paper.meta.title


@dataclass(frozen=True)
class IssueView:
    id: int
    number: int
    title: str
    language: str
    status: IssueStatus
    period_start: date
    period_end: date
    created_at: datetime
    items: tuple[IssueItemView, ...] = field(default_factory=tuple)
    approved_by: str | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None
    kind: IssueKind = IssueKind.DAILY

    @property
    def included_items(self) -> tuple[IssueItemView, ...]:
        return tuple(item for item in self.items if item.included)


@dataclass(frozen=True)
class IssueStamp:
    """What a rendered issue page depends on that can change, read without loading the issue:
    its status and publication time, and the newest summary (in the page's language) and key
    figure of its papers (a late LLM summary or figure changes what readers are shown)."""

    number: int
    status: IssueStatus
    published_at: datetime | None
    created_at: datetime
    latest_summary_id: int
    latest_figure_id: int


@dataclass(frozen=True)
class IssueSummary:
    """One line of an issue list: enough to show and pick an issue, without its papers."""

    id: int
    number: int
    title: str
    language: str
    status: IssueStatus
    period_start: date
    period_end: date
    created_at: datetime
    paper_count: int = 0
    published_at: datetime | None = None
    kind: IssueKind = IssueKind.DAILY


@dataclass(frozen=True)
class SearchHit:
    paper: PaperView
    score: float
    issue_numbers: tuple[int, ...] = ()


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; `total` counts every match, not just this page."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int
    total_is_lower_bound: bool = False  # counting stopped early: "more than `total - 1`"

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


class ChatPlatform(StrEnum):
    TELEGRAM = "telegram"
    WECHAT = "wechat"
    CONSOLE = "console"


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class DigestMode(StrEnum):
    ALL = "all"  # every paper of every issue
    TOPICS = "topics"  # only papers matching one of the chat's topics (all if it has none)


class TopicKind(StrEnum):
    KEYWORDS = "keywords"
    CATEGORY = "category"
    AUTHOR = "author"
    LIKE = "like"  # "more like this": an anchor paper's neighbourhood, matched by similarity


@dataclass(frozen=True)
class ChatState:
    """A subscriber (private chat, group or channel) as the services see it.

    `chat_id` is the platform's own id as a string; `id` is ours. `language` is None until the
    platform or the user told us one: front ends fall back to their default then.
    """

    id: int
    platform: str
    chat_id: str
    chat_type: str
    title: str | None
    username: str | None
    language: str | None
    language_source: str | None  # the platform name ("telegram"...) or "settings"
    digest_mode: DigestMode
    no_match_note: bool
    active: bool  # subscribed to deliveries (/start); /stop and blocking the bot clear it
    paused: bool
    created_at: datetime
    last_seen_at: datetime | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    blocked_at: datetime | None = None
    topic_count: int = 0
    is_new: bool = False  # this call registered the chat
    for_you: bool = True  # its delivery in its own model's order (issue 13), once it has one

    @property
    def blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def receives_digests(self) -> bool:
        return self.active and not self.paused


@dataclass(frozen=True)
class PopularTopic:
    """A topic to offer with a tap: `query` goes to `subscribe(text=...)` unchanged."""

    query: str
    label: str
    kind: TopicKind
    paper_count: int


EditField = Literal["tldr", "title", "note"]
MoveDirection = Literal["up", "down"]


@dataclass(frozen=True)
class ReviewItem:
    """One paper of an issue under review, with what the editor should double-check.

    Flags come from the summary: the guards' `kind:field:span` flags (`domain.guard_flags`:
    a number or link the paper does not give, instruction-like text, a replaced code link),
    `llm_failed` and `llm_over_budget`; plus `extractive` for a non-LLM summary and `no_summary`.
    """

    item: IssueItemView
    flags: tuple[str, ...] = ()

    @property
    def edited(self) -> bool:
        return bool(self.item.title_override or self.item.tldr_override or self.item.editor_note)


@dataclass(frozen=True)
class IssueReview:
    """An issue as an editor sees it: every item (included or not) with its flags."""

    issue: IssueView
    items: tuple[ReviewItem, ...]
    rejected_reason: str | None = None

    @property
    def flagged(self) -> int:
        return sum(1 for item in self.items if item.flags)


@dataclass(frozen=True)
class AdminStats:
    """/stats: the figures an operator checks each day; "today" is in TIMEZONE."""

    day: date
    subscribers_active: int
    subscribers_paused: int
    subscribers_blocked: int
    papers: int
    issues_by_status: dict[str, int]
    deliveries_today: int
    deliveries_failed_today: int
    llm_tokens_in_today: int
    llm_tokens_out_today: int
    llm_cost_today: float
    paid_messages_today: int = 0  # paid broadcasts of the issues published today
    llm_papers_today: int = 0  # papers the LLM summarized today: cost per paper in /stats
