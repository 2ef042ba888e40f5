"""The settings a job or front end needs, in groups: each takes its group, not the whole bag.

`core.config.Settings` reads and checks every key once, flat, as the operator writes them
(`ARXIV_DELAY_SECONDS`, `LLM_MODEL`…), so an error line still names the key to fix. The groups
are read-only views of it (`settings.arxiv`, `settings.llm`…): a fetch sees only arXiv's
knobs, a summarizer only the model's, and a reader of a job's signature learns what it depends
on. A group never holds a key of another platform, so handing one over leaks nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import SecretStr

if TYPE_CHECKING:
    from core.config import Settings

Language = Literal["zh", "en"]
Frequency = Literal["daily", "weekly"]


@dataclass(frozen=True, slots=True)
class ArxivSettings:
    """Where and how politely to fetch (arXiv asks for one request every 3 s)."""

    categories: tuple[str, ...]
    api_url: str
    rss_url: str
    delay_seconds: float
    timeout_seconds: float
    retries: int
    timezone: ZoneInfo  # the digest's days: `--since`/`--until` dates are local dates
    proxy: SecretStr | None = None  # PROXY (core/proxy.py decides per URL)


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """The OpenAI-compatible model that writes summaries, and what it may spend."""

    api_key: SecretStr | None
    base_url: str | None
    model: str
    concurrency: int
    daily_token_budget: int
    timeout_seconds: float
    max_retries: int
    price_per_million_input: float
    price_per_million_output: float
    language: Language  # the summaries' default language
    timezone: ZoneInfo  # the daily budget's day
    proxy: SecretStr | None = None  # PROXY (core/proxy.py decides per URL)
    embeddings_model: str = ""  # EMBEDDINGS_MODEL, same endpoint; empty: off

    @property
    def enabled(self) -> bool:
        return self.api_key is not None


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """Reading papers in full (`jobs.read`): arXiv's HTML, else the PDF, paced like the API."""

    enabled: bool  # FULLTEXT, by default on when an LLM key is set
    html_url: str
    pdf_url: str
    max_input_tokens: int  # the paper body handed to the model, per paper
    delay_seconds: float
    timeout_seconds: float
    retries: int
    proxy: SecretStr | None = None


@dataclass(frozen=True, slots=True)
class EditorialSettings:
    """What an issue is: its language, size, rhythm and whether an editor must approve it."""

    language: Language
    timezone: ZoneInfo
    max_papers: int
    frequency: Frequency
    require_approval: bool
    auto_publish_after: timedelta | None
    auto_publish_flagged: Literal["drop", "hold"] = "hold"
    blend: bool = False  # RANKING_BLEND: readers' votes on similar papers move the order


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """When the jobs fire (`jobs.scheduler`)."""

    timezone: ZoneInfo
    fetch_cron: str
    fetch_timezone: ZoneInfo
    issue_cron: str
    publish_cron: str
    weekly_cron: str  # "" when the weekly round-up is not scheduled
    frequency: Frequency
    auto_publish_after: timedelta | None


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How an approved issue goes out (`jobs.publish`, `jobs.deliver`)."""

    language: Language
    require_approval: bool
    concurrency: int
    public_base_url: str | None
    paid_broadcast: bool = False  # TELEGRAM_PAID_BROADCAST: issue parts as paid broadcasts…
    paid_max_messages: int = 0  # …at most this many per issue, then the free rate
    for_you: bool = False  # RANKING_FOR_YOU: readers' own order, once they have marked…
    for_you_min_feedback: int = 5  # …this many papers (RANKING_MIN_FEEDBACK)


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    bot_token: SecretStr | None
    api_base_url: str
    webhook_url: str | None
    webhook_secret: SecretStr | None
    poll_timeout: float
    admin_chat_id: int | None
    admin_ids: tuple[int, ...]
    channel_id: str | None
    proxy: SecretStr | None = None  # TELEGRAM_PROXY, else PROXY
    paid_broadcast: bool = False  # TELEGRAM_PAID_BROADCAST: the limiter's paid budget…
    paid_rate: int = 1000  # …at this many messages/s (the cap is the delivery group's)

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None


@dataclass(frozen=True, slots=True)
class WeChatSettings:
    """The Official Account (callback, API, editors) and WeCom's group robots."""

    token: SecretStr | None
    aes_key: SecretStr | None
    app_id: str | None
    app_secret: SecretStr | None
    api_base_url: str
    thumb_media_id: str | None
    admin_openids: tuple[str, ...]
    wecom_webhook_urls: tuple[SecretStr, ...]
    public_base_url: str | None
    proxy: SecretStr | None = None  # PROXY, for the WeChat API and WeCom robots

    @property
    def api_enabled(self) -> bool:
        """The Official Account API (drafts, customer-service messages) is configured."""
        return bool(self.app_id and self.app_secret)


def arxiv_of(s: Settings) -> ArxivSettings:
    return ArxivSettings(
        categories=s.arxiv_categories, api_url=s.arxiv_api_url, rss_url=s.arxiv_rss_url,
        delay_seconds=s.arxiv_delay_seconds, timeout_seconds=s.arxiv_timeout_seconds,
        retries=s.arxiv_retries, timezone=s.tz, proxy=s.proxy,
    )  # fmt: skip


def llm_of(s: Settings) -> LLMSettings:
    return LLMSettings(
        api_key=s.openai_api_key, base_url=s.openai_base_url, model=s.llm_model,
        concurrency=s.llm_concurrency, daily_token_budget=s.llm_daily_token_budget,
        timeout_seconds=s.llm_timeout_seconds, max_retries=s.llm_max_retries,
        price_per_million_input=s.llm_price_per_million_input,
        price_per_million_output=s.llm_price_per_million_output,
        language=s.digest_language, timezone=s.tz, proxy=s.proxy,
        embeddings_model=s.embeddings_model,
    )  # fmt: skip


def reader_of(s: Settings) -> ReaderSettings:
    enabled = s.fulltext if s.fulltext is not None else s.openai_api_key is not None
    return ReaderSettings(
        enabled=enabled, html_url=s.arxiv_html_url.rstrip("/"),
        pdf_url=s.arxiv_pdf_url.rstrip("/"), max_input_tokens=s.llm_max_input_tokens,
        delay_seconds=s.arxiv_delay_seconds, timeout_seconds=s.arxiv_timeout_seconds,
        retries=s.arxiv_retries, proxy=s.proxy,
    )  # fmt: skip


def editorial_of(s: Settings) -> EditorialSettings:
    return EditorialSettings(
        language=s.digest_language, timezone=s.tz, max_papers=s.issue_max_papers,
        frequency=s.digest_frequency, require_approval=s.require_approval,
        auto_publish_after=s.auto_publish_after, auto_publish_flagged=s.auto_publish_flagged,
        blend=s.ranking_blend == "on",
    )  # fmt: skip


def schedule_of(s: Settings) -> ScheduleSettings:
    return ScheduleSettings(
        timezone=s.tz, fetch_cron=s.fetch_cron, fetch_timezone=ZoneInfo(s.fetch_timezone),
        issue_cron=s.issue_cron, publish_cron=s.publish_cron, frequency=s.digest_frequency,
        auto_publish_after=s.auto_publish_after, weekly_cron=s.weekly_cron,
    )  # fmt: skip


def delivery_of(s: Settings) -> DeliverySettings:
    return DeliverySettings(
        language=s.digest_language, require_approval=s.require_approval,
        concurrency=s.delivery_concurrency, public_base_url=s.public_base_url,
        paid_broadcast=s.telegram_paid_broadcast,
        paid_max_messages=s.telegram_paid_max_messages,
        for_you=s.ranking_for_you, for_you_min_feedback=s.ranking_min_feedback,
    )  # fmt: skip


def telegram_of(s: Settings) -> TelegramSettings:
    return TelegramSettings(
        bot_token=s.telegram_bot_token, api_base_url=s.telegram_api_base_url,
        webhook_url=s.telegram_webhook_url, webhook_secret=s.telegram_webhook_secret,
        poll_timeout=s.telegram_poll_timeout,
        admin_chat_id=s.admin_chat_id, admin_ids=s.admin_ids, channel_id=s.channel_id,
        proxy=s.telegram_proxy or s.proxy,
        paid_broadcast=s.telegram_paid_broadcast, paid_rate=s.telegram_paid_rate,
    )  # fmt: skip


def wechat_of(s: Settings) -> WeChatSettings:
    return WeChatSettings(
        token=s.wechat_token, aes_key=s.wechat_aes_key, app_id=s.wechat_app_id,
        app_secret=s.wechat_app_secret,
        api_base_url=s.wechat_api_base_url, thumb_media_id=s.wechat_thumb_media_id,
        admin_openids=s.wechat_admin_openids, wecom_webhook_urls=s.wecom_webhook_urls,
        public_base_url=s.public_base_url, proxy=s.proxy,
    )  # fmt: skip
