"""Every setting is validated before anything starts: many bad values per kind of key, each
reported as exactly one line that names the key, shows the value (secrets masked) and says what
is expected. The same settings are read from the environment as `digestbot` reads them; the
subprocess runs in tests/e2e/test_config_errors.py prove the exit status and the stderr."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.config_report import BadSettings, closest_key, load_settings, misspelt_keys

SECRET_KEYS = {
    "TELEGRAM_BOT_TOKEN",
    "OPENAI_API_KEY",
    "TELEGRAM_WEBHOOK_SECRET",
    "WECHAT_TOKEN",
    "WECHAT_AES_KEY",
    "WECHAT_APP_SECRET",
    "WECOM_WEBHOOK_URLS",
    "PROXY",
    "TELEGRAM_PROXY",
}

BAD = {
    # whole numbers
    "LLM_CONCURRENCY": ["lots", "1.5", "", "0", "257", "-3", "8 threads", "0x10"],
    "ISSUE_MAX_PAPERS": ["0", "201", "twenty", "20.0.0"],
    "ARXIV_RETRIES": ["-1", "x", "4.5"],
    "DELIVERY_CONCURRENCY": ["0", "1000", "many"],
    "TELEGRAM_PAID_RATE": ["0", "1001", "fast", "5000"],
    "TELEGRAM_PAID_MAX_MESSAGES": ["-1", "lots", "1e6"],
    "LLM_DAILY_TOKEN_BUDGET": ["-1", "2M", "1,000"],
    # numbers
    "ARXIV_DELAY_SECONDS": ["-1", "fast", "3s", ""],
    "ARXIV_TIMEOUT_SECONDS": ["0", "-5", "abc"],
    "LLM_PRICE_PER_MILLION_INPUT": ["$0.15", "-0.1"],
    "TELEGRAM_POLL_TIMEOUT": ["-1", "thirty"],
    # booleans
    "REQUIRE_APPROVAL": ["maybe", "2", "yess", "", "ja"],
    "TELEGRAM_PAID_BROADCAST": ["paid", "2", "sure"],
    # choices
    "DIGEST_LANGUAGE": ["fr", "ZH", "", "chinese"],
    "DIGEST_FREQUENCY": ["hourly", "Daily", "monthly"],
    "AUTO_PUBLISH_FLAGGED": ["publish", "Drop", "", "ignore"],
    "RANKING_BLEND": ["yes", "On", "", "blend"],
    "EMBEDDINGS_MODEL": ["text embedding", "a\tb", "m" * 201],
    "LOG_LEVEL": ["LOUD", "verbose", "", "5"],
    "LOG_FORMAT": ["xml", "", "jsonl", "logfmt"],
    # time zones
    "TIMEZONE": ["Mars/Base", "", "UTC+8", "../../etc/passwd", "Asia/Shang hai", "Beijing"],
    "FETCH_TIMEZONE": ["America/New York", "EST5EDT/x", "NY"],
    # cron lines, including ones that parse but can never fire
    "FETCH_CRON": ["0 9 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *", "* * *", "every day"],
    "ISSUE_CRON": ["0 25 * * *", "61 * * * *", "0 9 * * funday", "0 9 0 * *", ""],
    "PUBLISH_CRON": ["0 9 * 13 *", "0 10 30 2 mon", "0 10 31 11 *", "0 10 * * 8"],
    # URLs
    "ARXIV_API_URL": ["ftp://export.arxiv.org/api", "export.arxiv.org/api/query", "http://"],
    "ARXIV_RSS_URL": ["rss.arxiv.org", "file:///etc/passwd"],
    "TELEGRAM_API_BASE_URL": ["api.telegram.org", "https//api.telegram.org", ""],
    "OPENAI_BASE_URL": ["localhost:11434/v1", "ws://localhost/v1"],
    "WECHAT_API_BASE_URL": ["api.weixin.qq.com"],
    "PUBLIC_BASE_URL": ["digest.example", "//digest.example"],
    "TELEGRAM_WEBHOOK_URL": ["bot.example/hook", "hook"],
    "DATABASE_URL": ["mysql://u:pw-123@h/db", "postgres//x", "data/digestbot.db", ""],
    # ids and addresses
    "ADMIN_IDS": ["1,abc", "@alice", "12;34", "1.5", "alice,bob"],
    "ADMIN_CHAT_ID": ["chat", "-100abc", "1.5"],
    "CHANNEL_ID": ["my channel", "@ab", "https://t.me/digest", "digest"],
    "ARXIV_CATEGORIES": ["cs CL", "cs.CL;cs.LG", ",", "cs.CL,<script>"],
    "HTTP_LISTEN": ["0.0.0.0", ":70000", "host:http", "8080"],
    # retired keys: one line pointing at HTTP_LISTEN, whatever the value
    "TELEGRAM_WEBHOOK_LISTEN": ["0.0.0.0:8443"],
    "WECHAT_LISTEN": ["0.0.0.0:8080"],
    # durations
    "AUTO_PUBLISH_AFTER": ["soon", "2 hours", "-5", "0", "PT0S", "1h"],
    # secrets: placeholders and malformed values
    "TELEGRAM_BOT_TOKEN": ["changeme", "your-token-here", "xxx", "bot12345:abc", "12345 abc"],
    "OPENAI_API_KEY": ["sk-xxx", "your_api_key", "changeme", "<your key>", "CHANGE_ME"],
    "TELEGRAM_WEBHOOK_SECRET": ["has space", "a" * 257, "xxxx", "ümlaut"],
    "WECHAT_TOKEN": ["x y", "your-token", "ab", "t" * 33],
    "WECHAT_AES_KEY": ["short-key", "a" * 44, "a" * 42 + "!", "xxxxxxxx"],
    "WECHAT_APP_SECRET": ["changeme", "your-app-secret", "..."],
    "WECOM_WEBHOOK_URLS": [
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?id=1",
        "not a url",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=your-key-here",
    ],
    "WECHAT_APP_ID": ["wx app", "a"],
    "LLM_MODEL": ["", "   "],
    # proxies: the value may carry a password, so it is shown masked like a secret
    "PROXY": [
        "10.1.2.3:7890",
        "ftp://proxy:21",
        "socks5://host",
        "http://u:pw-secret@",
        "socks4://h:1",
    ],
    "TELEGRAM_PROXY": ["clash", "http:///x", "http://proxy:port"],
}

CASES = [(key, value) for key, values in BAD.items() for value in values]


def _load(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> list[str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(BadSettings) as bad:
        load_settings(lambda: Settings(_env_file=None))  # type: ignore[call-arg]
    return bad.value.lines


@pytest.mark.parametrize(("key", "value"), CASES, ids=[f"{k}={v[:20]!r}" for k, v in CASES])
def test_bad_value_is_one_line_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    (line,) = _load(monkeypatch, {key: value})
    assert line.startswith(f"{key}=")
    assert "pydantic" not in line and "\n" not in line and len(line) < 300
    if key in SECRET_KEYS:
        assert len(value) < 3 or value not in line, line
        assert "…" in line or "(empty)" in line
    elif "://" not in value:
        assert repr(value) in line or "(empty)" in line


def test_several_bad_keys_give_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {key: values[0] for key, values in BAD.items()}
    lines = _load(monkeypatch, env)
    assert sorted(line.split("=", 1)[0] for line in lines) == sorted(env)


GOOD = {
    "FETCH_CRON": ["0 0 29 2 *", "30 20 * * sun-thu", "*/15 * * * *", "0 9 1-7 * mon"],
    "TIMEZONE": ["UTC", "Asia/Shanghai", "America/New_York"],
    "AUTO_PUBLISH_AFTER": ["7200", "PT2H", "02:00:00", ""],
    "AUTO_PUBLISH_FLAGGED": ["drop", "hold"],
    "RANKING_BLEND": ["off", "on"],
    "EMBEDDINGS_MODEL": ["", "text-embedding-3-small", " nomic-embed-text:latest "],
    "ADMIN_IDS": ["1", "1, 2,3", ""],
    "CHANNEL_ID": ["@digest_channel", "-1001234567890"],
    "LOG_LEVEL": ["debug", "WARNING"],
    "LOG_FORMAT": ["json", "TEXT", " json "],
    "DATABASE_URL": ["sqlite:///x.db", "postgresql://u:p@127.0.0.1:5432/db"],
    "TELEGRAM_BOT_TOKEN": ["123456:TEST-token_for-the-fake"],
    "WECHAT_AES_KEY": ["a" * 43],
    "HTTP_LISTEN": ["127.0.0.1:0", "0.0.0.0:8080", "[::]:9000", ":8080", ""],
    "WECHAT_LISTEN": [""],  # a retired key left empty is no setting at all
    "PROXY": ["http://127.0.0.1:7890", "socks5://u:p@10.0.0.2:1080", "socks5h://p.example:1080"],
    "TELEGRAM_PROXY": ["socks5://127.0.0.1:1080", "https://proxy.example", ""],
}


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, vs in GOOD.items() for v in vs], ids=str)
def test_good_values_pass(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    if key == "WECHAT_AES_KEY":
        monkeypatch.setenv("WECHAT_TOKEN", "callback-token")
    load_settings(lambda: Settings(_env_file=None))  # type: ignore[call-arg]


CROSS = [
    ({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "https://bot.example/hook"},
     ["TELEGRAM_WEBHOOK_SECRET"]),
    ({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "http://bot.example/hook",
      "TELEGRAM_WEBHOOK_SECRET": "s3cret"}, ["TELEGRAM_WEBHOOK_URL"]),
    ({"TELEGRAM_WEBHOOK_URL": "https://bot.example/hook", "TELEGRAM_WEBHOOK_SECRET": "s3cret"},
     ["TELEGRAM_BOT_TOKEN"]),
    ({"WECHAT_APP_SECRET": "real-secret-1234"}, ["WECHAT_APP_ID"]),
    ({"WECHAT_AES_KEY": "a" * 43}, ["WECHAT_TOKEN"]),
    ({"TELEGRAM_WEBHOOK_URL": "http://bot.example/hook", "WECHAT_APP_SECRET": "real-secret-1234",
      "WECHAT_AES_KEY": "b" * 43},
     ["TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "WECHAT_APP_ID",
      "WECHAT_TOKEN"]),
    ({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "https://bot.example/metrics",
      "TELEGRAM_WEBHOOK_SECRET": "s3cret"}, ["TELEGRAM_WEBHOOK_URL"]),
    ({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "https://bot.example/",
      "TELEGRAM_WEBHOOK_SECRET": "s3cret"}, ["TELEGRAM_WEBHOOK_URL"]),
]  # fmt: skip


@pytest.mark.parametrize("key", ["TELEGRAM_WEBHOOK_LISTEN", "WECHAT_LISTEN"])
def test_a_retired_listen_key_names_http_listen(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    (line,) = _load(monkeypatch, {key: "0.0.0.0:8443"})
    assert line.startswith(f"{key}='0.0.0.0:8443': retired")
    assert "set HTTP_LISTEN=0.0.0.0:8443 instead" in line


@pytest.mark.parametrize(("env", "keys"), CROSS)
def test_rules_between_keys_are_one_line_each(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], keys: list[str]
) -> None:
    lines = _load(monkeypatch, env)
    assert [line.split("=", 1)[0] for line in lines] == keys
    assert all("b" * 43 not in line and "real-secret" not in line for line in lines)


def test_http_webhook_is_fine_with_a_self_hosted_bot_api(monkeypatch) -> None:
    for key, value in {
        "TELEGRAM_BOT_TOKEN": "1:abc",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081",
        "TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:8443/hook",
        "TELEGRAM_WEBHOOK_SECRET": "s3cret",
    }.items():
        monkeypatch.setenv(key, value)
    load_settings(lambda: Settings(_env_file=None))  # type: ignore[call-arg]


MISSPELT = {
    "TELEGRAM_BOT_TOKN": "TELEGRAM_BOT_TOKEN",
    "TELEGRM_BOT_TOKEN": "TELEGRAM_BOT_TOKEN",
    "telegram_bot_tokn": "TELEGRAM_BOT_TOKEN",
    "LLM_CONCURENCY": "LLM_CONCURRENCY",
    "WECHAT_APPID": "WECHAT_APP_ID",
    "WECHAT_APPSECRET": "WECHAT_APP_SECRET",
    "WECOM_WEBHOOK_URL": "WECOM_WEBHOOK_URLS",
    "ISSUE_MAX_PAPER": "ISSUE_MAX_PAPERS",
    "DIGEST_LANG": "DIGEST_LANGUAGE",
    "OPENAI_APIKEY": "OPENAI_API_KEY",
    "ARXIV_CATEGORY": "ARXIV_CATEGORIES",
    "TIMEZONES": "TIMEZONE",
    "PUBLISH_CRONE": "PUBLISH_CRON",
}
UNRELATED = [
    "PATH", "HOME", "SHELL", "USER", "LANG", "TERM", "PWD", "LOGNAME", "VIRTUAL_ENV", "TZ",
    "PYTHONPATH", "LC_ALL", "EDITOR", "HOSTNAME", "PTB_TIMEDELTA", "REQUIRE_POSTGRES",
    "TEST_POSTGRES_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "SSH_AUTH_SOCK", "DISPLAY", "CI",
    "XDG_RUNTIME_DIR", "GITHUB_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
    "TELEGRAM_BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL", "PYTEST_CURRENT_TEST", "OLDPWD",
]  # fmt: skip


@pytest.mark.parametrize(("name", "meant"), MISSPELT.items())
def test_misspelt_key_names_the_closest_setting(name: str, meant: str) -> None:
    assert closest_key(name) == meant


@pytest.mark.parametrize("name", UNRELATED)
def test_unrelated_or_real_names_get_no_warning(name: str) -> None:
    assert closest_key(name) is None


def test_warning_names_the_file_and_never_the_value(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKN=7312345678:AAHsecretsecretsecretsecretsecret12\n")
    environ = {"LLM_CONCURENCY": "4", "PATH": "/usr/bin", "HOME": "/root"}
    lines = misspelt_keys(environ, env_file=str(env_file))
    assert len(lines) == 2
    assert any("TELEGRAM_BOT_TOKN" in line and "TELEGRAM_BOT_TOKEN?" in line for line in lines)
    assert any("LLM_CONCURENCY" in line and "LLM_CONCURRENCY?" in line for line in lines)
    assert not any("AAH" in line or "=4" in line for line in lines)


def test_the_env_example_template_loads_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """`cp .env.example .env` is the documented first step: every blank key in the template
    must mean "not set", never a settings error."""
    from pathlib import Path

    template = Path(__file__).resolve().parents[2] / ".env.example"
    keys = [line.split("=", 1)[0] for line in template.read_text().splitlines() if "=" in line]
    for key in keys:
        if not key.startswith("#"):
            monkeypatch.delenv(key, raising=False)
    settings = load_settings(lambda: Settings(_env_file=template))  # type: ignore[call-arg]
    assert settings.openai_base_url is None and settings.telegram_bot_token is None
    assert settings.telegram.paid_broadcast is False and settings.telegram.paid_rate == 1000
