"""Settings, read once from the environment and `.env` (pydantic-settings).

Every knob the bot has lives here; `.env.example` documents each key. Secrets are `SecretStr`
so they never show up in logs or reprs.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.identity import valid_openid
from core.numbers import is_ascii_digits

DEFAULT_CATEGORIES = ("cs.CL", "cs.LG", "cs.AI", "cs.CV")


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

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
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
    telegram_webhook_listen: str = "0.0.0.0:8443"
    telegram_poll_timeout: float = Field(default=30.0, ge=0)
    admin_chat_id: int | None = None
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    channel_id: str | None = None  # "@channel" or "-100…"; empty: no channel post

    # Review and delivery (issue 4)
    require_approval: bool = True
    auto_publish_after: timedelta | None = None  # e.g. "PT2H" or seconds; untouched drafts
    digest_frequency: Literal["daily", "weekly"] = "daily"
    fetch_cron: str = "30 20 * * sun-thu"  # arXiv announces 20:00 America/New_York, Sun–Thu
    fetch_timezone: str = "America/New_York"
    issue_cron: str = "0 9 * * *"  # compose, in TIMEZONE
    publish_cron: str = "0 10 * * *"  # publish approved issues, in TIMEZONE
    delivery_concurrency: int = Field(default=20, ge=1, le=200)

    # WeChat (issue 5)
    wecom_webhook_urls: Annotated[tuple[SecretStr, ...], NoDecode] = ()  # group robots (push)
    wechat_token: SecretStr | None = None  # Official Account callback token (signatures)
    wechat_aes_key: SecretStr | None = None  # EncodingAESKey: safe (encrypted) mode
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None  # API calls: access token, drafts, CS messages
    wechat_listen: str = "0.0.0.0:8080"  # the callback server; path /wechat
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    wechat_thumb_media_id: str | None = None  # cover image (permanent material) for drafts
    wechat_admin_openids: Annotated[tuple[str, ...], NoDecode] = ()  # editors on WeChat
    public_base_url: str | None = None  # where issue pages/links point (https://digest.example)

    log_level: str = "INFO"

    @field_validator("arxiv_categories", mode="before")
    @classmethod
    def _split_categories(cls, value: object) -> object:
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

    @field_validator("wecom_webhook_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("wechat_admin_openids", mode="before")
    @classmethod
    def _split_openids(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        return value

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
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("timezone", "fetch_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone, so a typo fails at start-up
        return value

    @field_validator("wechat_listen", "telegram_webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        _host, colon, port = value.strip().rpartition(":")
        digits = colon and 0 < len(port) <= 5 and port.isascii() and port.isdigit()
        if not digits or not 1 <= int(port) <= 65535:
            raise ValueError(f"expected host:port with port 1–65535, got {value!r}")
        return value.strip()

    @field_validator(
        "openai_api_key",
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
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings(...)` instead."""
    return Settings()
