"""Which proxy a request takes (`core.proxy`), and that a proxy's credentials never show."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from core.proxy import check_proxy_url, proxy_for, requests_proxies, route, shown
from core.redact import Redactor
from tests.conftest import make_settings

SETTING = "http://10.0.0.5:3128"
ENV = {"HTTPS_PROXY": "http://10.0.0.9:8080", "http_proxy": "http://10.0.0.8:8080"}


@pytest.mark.parametrize(
    ("url", "configured", "environ", "expected"),
    [
        ("https://api.telegram.org", SETTING, ENV, SETTING),  # the setting beats the environment
        ("https://api.telegram.org", None, ENV, "http://10.0.0.9:8080"),  # by scheme
        ("http://export.arxiv.org/api", None, ENV, "http://10.0.0.8:8080"),  # lower case too
        ("https://api.openai.com/v1", None, {"ALL_PROXY": "socks5://h:1080"}, "socks5://h:1080"),
        ("https://api.openai.com/v1", None, {}, None),
        # loopback is direct when the proxy would come from the environment...
        ("http://127.0.0.1:8081/bot", None, ENV, None),
        ("http://localhost:11434/v1", None, ENV, None),
        ("http://[::1]:8000", None, ENV, None),
        # ...but a setting is meant: only NO_PROXY exempts a host from it
        ("http://127.0.0.1:8081/bot", SETTING, {}, SETTING),
        ("http://127.0.0.1:8081/bot", SETTING, {"NO_PROXY": "127.0.0.1"}, None),
        ("https://api.weixin.qq.com", SETTING, {"no_proxy": ".qq.com"}, None),
        ("https://qq.com", SETTING, {"no_proxy": "qq.com"}, None),
        ("https://notqq.com", SETTING, {"no_proxy": "qq.com"}, SETTING),
        ("http://10.1.2.3:80", SETTING, {"NO_PROXY": "10.0.0.0/8"}, None),
        ("https://api.telegram.org", SETTING, {"NO_PROXY": "*"}, None),
        ("https://api.telegram.org:443", None, {**ENV, "NO_PROXY": "api.telegram.org:443"}, None),
    ],
)
def test_proxy_for(
    url: str, configured: str | None, environ: dict[str, str], expected: str | None
) -> None:
    assert proxy_for(url, configured, environ) == expected


@pytest.mark.parametrize(
    "value", ["http://h:1", "https://h", "socks5://u:p@h:1080", "socks5h://h:1080", " http://h:1 "]
)
def test_proxy_urls_accepted(value: str) -> None:
    assert check_proxy_url(value) == value.strip()


@pytest.mark.parametrize("value", ["h:3128", "ftp://h:21", "socks5://h", "http://", "http://h:x"])
def test_proxy_urls_refused_with_an_example(value: str) -> None:
    with pytest.raises(ValueError, match=r"proxy URL|SOCKS proxy needs a port"):
        check_proxy_url(value)


def test_requests_direct_skips_the_environment_only() -> None:
    assert requests_proxies("http://127.0.0.1:9/api", None) == {"no_proxy": "*"}
    assert requests_proxies("https://export.arxiv.org", SETTING) == {
        "http": SETTING,
        "https": SETTING,
    }


def test_credentials_never_shown_or_logged() -> None:
    url = "socks5://alice:s3cr%40t-pw@10.0.0.5:1080"
    assert shown(url) == "socks5://***@10.0.0.5:1080"
    assert route("https://api.telegram.org", SecretStr(url), "TELEGRAM_PROXY") == (
        "socks5://***@10.0.0.5:1080 (TELEGRAM_PROXY)"
    )
    settings = make_settings(telegram_proxy=url, proxy="http://bob:hunter2-pw@10.0.0.6:3128")
    redact = Redactor.from_settings(settings)
    line = redact(f"ProxyError: {url} refused; via http://bob:hunter2-pw@10.0.0.6:3128 s3cr@t-pw")
    for secret in ("alice", "s3cr%40t-pw", "s3cr@t-pw", "bob", "hunter2-pw"):
        assert secret not in line, line
    assert "10.0.0.5:1080" in line  # the proxy itself stays visible
