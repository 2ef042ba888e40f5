"""Settings, read once from the environment and `.env` (pydantic-settings).

Every knob the bot has lives here; `.env.example` documents each key. Secrets are `SecretStr`
so they never show up in logs or reprs.

Every value is checked here, before anything starts or touches the network: a wrong type, a
time zone or cron line that cannot work, a placeholder secret, or settings that contradict each
other (`core.config_cross`). The checks themselves are in `core.config_rules`; `core.config_report`
turns a failure into one line per bad key for the operator.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core import config_groups as groups
from core import config_rules as rules
from core.config_cross import CROSS_CHECKS
from core.proxy import check_proxy_url
from domain.identity import valid_openid
from domain.numbers import is_ascii_digits

DEFAULT_CATEGORIES = ("cs.CL", "cs.LG", "cs.AI", "cs.CV")
DEFAULT_HTTP_LISTEN = "0.0.0.0:8080"  # HTTP_LISTEN when empty, in every server mode of `run`


class Settings(BaseSettings):
    """All runtime configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///data/digestbot.db"
    demo_database_url: str | None = None  # `digestbot demo`'s own; default: cli.commands.demo_url
    arxiv_categories: Annotated[tuple[str, ...], NoDecode] = DEFAULT_CATEGORIES
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_rss_url: str = "https://rss.arxiv.org/atom"
    arxiv_delay_seconds: float = Field(default=3.0, ge=0)
    arxiv_timeout_seconds: float = Field(default=30.0, gt=0)
    arxiv_retries: int = Field(default=4, ge=0)
    # Full text (issue 12): arXiv's HTML rendering, else the PDF, else the abstract
    arxiv_html_url: str = "https://arxiv.org/html"
    arxiv_pdf_url: str = "https://arxiv.org/pdf"
    fulltext: bool | None = None  # empty: on when OPENAI_API_KEY is set
    llm_max_input_tokens: int = Field(default=6000, ge=500, le=200_000)  # paper body per paper

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    # Paper vectors from this embeddings model too ("similar papers"); empty: TF-IDF only
    embeddings_model: str = ""
    llm_concurrency: int = Field(default=8, ge=1, le=256)
    llm_daily_token_budget: int = Field(default=2_000_000, ge=0)
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=3, ge=0)
    llm_price_per_million_input: float = Field(default=0.15, ge=0)
    llm_price_per_million_output: float = Field(default=0.60, ge=0)

    digest_language: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    issue_max_papers: int = Field(default=20, ge=1, le=200)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str | None = None  # retired: HTTP_LISTEN (refused when set)
    telegram_poll_timeout: float = Field(default=30.0, ge=0)
    admin_chat_id: int | None = None
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    channel_id: str | None = None  # "@channel" or "-100…"; empty: no channel post

    # Review and delivery (issue 4)
    require_approval: bool = True
    auto_publish_after: timedelta | None = None  # e.g. "PT2H" or seconds; untouched drafts
    # What auto-publish does with a paper the summary guards flagged: leave it out of the
    # issue ("drop") or leave the whole draft to an editor ("hold").
    auto_publish_flagged: Literal["drop", "hold"] = "hold"
    digest_frequency: Literal["daily", "weekly"] = "daily"
    fetch_cron: str = "30 20 * * sun-thu"  # arXiv announces 20:00 America/New_York, Sun–Thu
    fetch_timezone: str = "America/New_York"
    issue_cron: str = "0 9 * * *"  # compose, in TIMEZONE
    publish_cron: str = "0 10 * * *"  # publish approved issues, in TIMEZONE
    weekly_cron: str = ""  # compose the weekly round-up (周报), in TIMEZONE; empty: off
    delivery_concurrency: int = Field(default=20, ge=1, le=200)
    # Personal relevance (issue 13): each reader's papers in their own model's order
    ranking_for_you: bool = False
    ranking_min_feedback: int = Field(default=5, ge=1, le=1000)  # marked papers before it applies
    # An issue's papers ordered by LLM score blended with votes on similar past papers
    ranking_blend: Literal["off", "on"] = "off"
    # Paid broadcasts (issue 10): issue deliveries with allow_paid_broadcast, up to 1000/s
    telegram_paid_broadcast: bool = False
    telegram_paid_rate: int = Field(default=1000, ge=1, le=1000)  # messages/s, paid only
    telegram_paid_max_messages: int = Field(default=10_000, ge=0)  # per issue, then free 30/s

    # WeChat (issue 5)
    wecom_webhook_urls: Annotated[tuple[SecretStr, ...], NoDecode] = ()  # group robots (push)
    wechat_token: SecretStr | None = None  # Official Account callback token (signatures)
    wechat_aes_key: SecretStr | None = None  # EncodingAESKey: safe (encrypted) mode
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None  # API calls: access token, drafts, CS messages
    wechat_listen: str | None = None  # retired: HTTP_LISTEN (refused when set)
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    wechat_thumb_media_id: str | None = None  # cover image (permanent material) for drafts
    wechat_admin_openids: Annotated[tuple[str, ...], NoDecode] = ()  # editors on WeChat
    public_base_url: str | None = None  # where issue pages/links point (https://digest.example)

    # The one HTTP server of `digestbot run` (webhook, /wechat, /healthz, /readyz, /metrics);
    # empty: DEFAULT_HTTP_LISTEN in server modes, no server in the interactive console.
    http_listen: str | None = None
    # Reverse proxies whose X-Forwarded-For/-Proto the server believes (IPs or CIDRs, or "*");
    # empty: none, so the web's per-client search limit keys on the connecting address.
    http_trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    # Proxies (core/proxy.py): TELEGRAM_PROXY for the Bot API only, PROXY for every service
    proxy: SecretStr | None = None  # http://, https://, socks5://[user:pass@]host:port
    telegram_proxy: SecretStr | None = None  # overrides PROXY for Telegram

    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one JSON object per line (cli.logs, cli.log_json)

    @field_validator(
        "arxiv_categories",
        "wecom_webhook_urls",
        "http_trusted_proxies",
        "wechat_admin_openids",
        mode="before",
    )
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """A list key as operators write it: comma-separated, blanks around items ignored."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("auto_publish_after", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        """Seconds ("7200"), ISO 8601 ("PT2H") or "HH:MM:SS"; blank = never."""
        if isinstance(value, str):
            value = value.strip()
            return None if not value else int(value) if is_ascii_digits(value) else value
        return value

    @field_validator("http_trusted_proxies")
    @classmethod
    def _proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(rules.trusted_proxy(item) for item in value)

    @field_validator("wechat_admin_openids")
    @classmethod
    def _plain_openids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [openid for openid in value if not valid_openid(openid)]
        if bad:
            raise ValueError(f"not a WeChat openid (letters, digits, _ and -): {bad[0]!r}")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return rules.telegram_ids(value)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("timezone", "fetch_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return rules.time_zone(value)  # an unknown zone fails at start-up, not at first use

    @field_validator(
        "openai_api_key",
        "openai_base_url",
        "fulltext",
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "admin_chat_id",
        "channel_id",
        "wechat_token",
        "wechat_aes_key",
        "wechat_app_id",
        "wechat_app_secret",
        "wechat_thumb_media_id",
        "public_base_url",
        "proxy",
        "telegram_proxy",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("fetch_cron", "issue_cron", "publish_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return rules.cron(value)

    @field_validator("weekly_cron")
    @classmethod
    def _optional_cron(cls, value: str) -> str:
        return rules.cron(value) if value.strip() else ""

    @field_validator(
        "arxiv_api_url",
        "arxiv_rss_url",
        "arxiv_html_url",
        "arxiv_pdf_url",
        "openai_base_url",
        "telegram_api_base_url",
        "telegram_webhook_url",
        "wechat_api_base_url",
        "public_base_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else rules.http_url(value)

    @field_validator("proxy", "telegram_proxy")
    @classmethod
    def _proxy(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else SecretStr(check_proxy_url(value.get_secret_value()))

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return rules.database_url(value)

    @field_validator("arxiv_categories")
    @classmethod
    def _categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return rules.categories(value)

    @field_validator("llm_model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected a model name such as gpt-4o-mini")
        return value

    @field_validator("embeddings_model")
    @classmethod
    def _embeddings_model(cls, value: str) -> str:
        value = value.strip()
        if len(value) > 200 or any(c.isspace() or not c.isprintable() for c in value):
            raise ValueError("expected a model name such as text-embedding-3-small, or empty")
        return value

    @field_validator(
        "openai_api_key",
        "telegram_bot_token",
        "telegram_webhook_secret",
        "wechat_token",
        "wechat_aes_key",
        "wechat_app_secret",
    )
    @classmethod
    def _real_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            rules.not_placeholder(value.get_secret_value())
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            rules.telegram_token(value.get_secret_value())
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            rules.webhook_secret(value.get_secret_value())
        return value

    @field_validator("wechat_aes_key")
    @classmethod
    def _aes_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            rules.aes_key(value.get_secret_value())
        return value

    @field_validator("wechat_token")
    @classmethod
    def _wechat_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            rules.plain_word(value.get_secret_value())
        return value

    @field_validator("wechat_app_id")
    @classmethod
    def _app_id(cls, value: str | None) -> str | None:
        return None if value is None else rules.plain_word(value)

    @field_validator("wecom_webhook_urls")
    @classmethod
    def _wecom_urls(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for url in value:
            rules.wecom_url(url.get_secret_value())
        return value

    @field_validator("channel_id")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        return None if value is None else rules.channel(value)

    @field_validator("http_listen")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        value = value.strip() if value else ""
        return rules.host_port(value, allow_any=True) if value else None

    @field_validator("wechat_listen", "telegram_webhook_listen")
    @classmethod
    def _retired_listen(cls, value: str | None) -> None:
        if value and value.strip():
            raise ValueError(rules.RETIRED_LISTEN.format(value=value.strip()))
        return None

    @field_validator("auto_publish_after")
    @classmethod
    def _positive_delay(cls, value: timedelta | None) -> timedelta | None:
        return rules.positive(value)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        return rules.log_level(value)

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        return rules.log_format(value)

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        """Rules between keys; every broken one is reported (one line each), not the first."""
        problems = [problem for check in CROSS_CHECKS if (problem := check(self))]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # Each job and front end takes its group (`core.config_groups`), not the whole bag.
    @property
    def arxiv(self) -> groups.ArxivSettings:
        return groups.arxiv_of(self)

    @property
    def llm(self) -> groups.LLMSettings:
        return groups.llm_of(self)

    @property
    def reader(self) -> groups.ReaderSettings:
        return groups.reader_of(self)

    @property
    def editorial(self) -> groups.EditorialSettings:
        return groups.editorial_of(self)

    @property
    def schedule(self) -> groups.ScheduleSettings:
        return groups.schedule_of(self)

    @property
    def delivery(self) -> groups.DeliverySettings:
        return groups.delivery_of(self)

    @property
    def telegram(self) -> groups.TelegramSettings:
        return groups.telegram_of(self)

    @property
    def wechat(self) -> groups.WeChatSettings:
        return groups.wechat_of(self)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings(...)` instead."""
    return Settings()
