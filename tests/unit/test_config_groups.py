"""Settings in groups: each group is a faithful view of its keys, and no key is left out.

A job takes only its group (`core.config_groups`); a key added to `Settings` without a group
would be reachable only through the whole bag, so every key must belong to a group or be one
of the process's own (where the database is, how loud the logs are).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from core.config import Settings
from tests.conftest import make_settings

GROUPS = ("arxiv", "llm", "reader", "editorial", "schedule", "delivery", "telegram", "wechat")
PROCESS_KEYS = {
    "database_url", "demo_database_url", "log_level", "log_format", "http_listen",
    "http_trusted_proxies",
}  # fmt: skip
RETIRED_KEYS = {"telegram_webhook_listen", "wechat_listen"}  # refused when set (HTTP_LISTEN)
# Group field -> the Settings key it shows, where the name differs beyond the group prefix.
RENAMED = {
    ("llm", "api_key"): "openai_api_key",
    ("llm", "base_url"): "openai_base_url",
    ("llm", "model"): "llm_model",
    ("llm", "language"): "digest_language",
    ("editorial", "language"): "digest_language",
    ("editorial", "max_papers"): "issue_max_papers",
    ("editorial", "frequency"): "digest_frequency",
    ("schedule", "frequency"): "digest_frequency",
    ("delivery", "language"): "digest_language",
    ("delivery", "concurrency"): "delivery_concurrency",
    ("delivery", "paid_broadcast"): "telegram_paid_broadcast",
    ("delivery", "paid_max_messages"): "telegram_paid_max_messages",
    ("delivery", "for_you"): "ranking_for_you",
    ("delivery", "for_you_min_feedback"): "ranking_min_feedback",
    ("editorial", "blend"): "ranking_blend",  # RANKING_BLEND=on|off, a bool in the group
    ("telegram", "admin_chat_id"): "admin_chat_id",
    ("telegram", "admin_ids"): "admin_ids",
    ("telegram", "channel_id"): "channel_id",
    ("wechat", "admin_openids"): "wechat_admin_openids",
    ("wechat", "wecom_webhook_urls"): "wecom_webhook_urls",
    ("wechat", "public_base_url"): "public_base_url",
    ("delivery", "public_base_url"): "public_base_url",
    ("arxiv", "proxy"): "proxy",
    ("llm", "proxy"): "proxy",
    ("telegram", "proxy"): "telegram_proxy",  # TELEGRAM_PROXY, else PROXY
    ("wechat", "proxy"): "proxy",
    ("reader", "enabled"): "fulltext",  # FULLTEXT (empty: on with OPENAI_API_KEY)
    ("reader", "html_url"): "arxiv_html_url",
    ("reader", "pdf_url"): "arxiv_pdf_url",
    ("reader", "max_input_tokens"): "llm_max_input_tokens",
    ("reader", "delay_seconds"): "arxiv_delay_seconds",
    ("reader", "timeout_seconds"): "arxiv_timeout_seconds",
    ("reader", "retries"): "arxiv_retries",
    ("reader", "proxy"): "proxy",
}
# Settings keys the operator writes as words and a group holds as a flag.
AS_FLAG = {"ranking_blend": "on"}


def _key(group: str, field: str) -> str:
    if (group, field) in RENAMED:
        return RENAMED[(group, field)]
    if field == "timezone":
        return "timezone"
    for name in (f"{group}_{field}", field):
        if name in Settings.model_fields:
            return name
    raise AssertionError(f"{group}.{field} shows no Settings key")


def _configured() -> Settings:
    return make_settings(
        arxiv_categories="cs.CL,cs.IR", arxiv_delay_seconds=0.5, openai_api_key="sk-real-key-1",
        llm_model="qwen-plus", digest_language="en", timezone="Europe/Berlin",
        issue_max_papers=7, digest_frequency="weekly", require_approval=False,
        auto_publish_after="PT2H", fetch_timezone="UTC", delivery_concurrency=5,
        telegram_bot_token="123456:" + "A" * 35, channel_id="@digest", admin_ids="1,2",
        wechat_app_id="wx123", wechat_app_secret="s3cret-value", wechat_token="tok",
        public_base_url="https://digest.example", proxy="http://127.0.0.1:7890",
        telegram_proxy="socks5://127.0.0.1:1080", fulltext=True,
    )  # fmt: skip


def test_every_group_field_shows_its_key() -> None:
    settings = _configured()
    for group in GROUPS:
        view = getattr(settings, group)
        for field in dataclasses.fields(view):
            shown, key = getattr(view, field.name), _key(group, field.name)
            expected = getattr(settings, key)
            if isinstance(shown, ZoneInfo):
                expected = ZoneInfo(expected)
            if key in AS_FLAG:
                expected = expected == AS_FLAG[key]
            assert shown == expected, f"{group}.{field.name} != {key}"


def test_every_key_belongs_to_a_group_or_the_process() -> None:
    grouped = {
        _key(group, field.name)
        for group in GROUPS
        for field in dataclasses.fields(getattr(Settings, group).fget(_configured()))  # type: ignore[attr-defined]
    }
    assert set(Settings.model_fields) - grouped - PROCESS_KEYS - RETIRED_KEYS == set()


def test_a_group_carries_no_other_platforms_secret() -> None:
    """Handing a job its group leaks nothing else: only the LLM, Telegram and WeChat groups
    hold secrets, and only their own — besides the proxy its services go through."""
    settings = _configured()
    for group in GROUPS:
        view = getattr(settings, group)
        secrets = {
            f.name for f in dataclasses.fields(view) if isinstance(getattr(view, f.name), SecretStr)
        }
        own = {"llm": {"api_key"}, "telegram": {"bot_token"}, "wechat": {"app_secret", "token"}}
        assert secrets - {"proxy"} <= own.get(group, set()), group


def test_groups_are_read_only_and_typed() -> None:
    settings = _configured()
    assert settings.llm.enabled and settings.telegram.enabled and settings.wechat.api_enabled
    assert settings.schedule.auto_publish_after == timedelta(hours=2)
    assert settings.arxiv.timezone == ZoneInfo("Europe/Berlin")
    try:
        settings.arxiv.retries = 9  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        return
    raise AssertionError("a group can be changed")


def test_telegram_proxy_falls_back_to_proxy() -> None:
    settings = make_settings(proxy="http://127.0.0.1:7890")
    assert settings.telegram.proxy == settings.llm.proxy == SecretStr("http://127.0.0.1:7890")
