"""Every internal link of the web archive comes from `Links`: base path, language, directories."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.web.links import Links, base_path_of
from bot.web.site import WebConfig
from tests.conftest import make_settings


def test_live_links_are_plain_paths() -> None:
    links = Links()
    assert links.home() == "/"
    assert links.issue(3) == "/issues/3"
    assert links.issues(1) == "/issues" and links.issues(2) == "/issues?page=2"
    assert links.paper("hep-th/9901001") == "/papers/hep-th/9901001"
    assert (
        links.search("强化 学习&x", 2)
        == "/search?q=%E5%BC%BA%E5%8C%96+%E5%AD%A6%E4%B9%A0%26x&page=2"
    )
    assert links.search() == "/search"
    assert links.static("site.css", "abc") == "/static/site.css?v=abc"


def test_english_links_carry_the_prefix_and_switch_back() -> None:
    english = Links("en")
    assert english.home() == "/en/" and english.issue(3) == "/en/issues/3"
    assert english.in_language("zh").issue(3) == "/issues/3"


def test_a_static_copy_links_directories_under_its_base_path() -> None:
    links = WebConfig(base_path="/repo", directory=True).links()
    assert links.home() == "/repo/"
    assert links.issue(3) == "/repo/issues/3/"
    assert links.issues(2) == "/repo/issues/page/2/"
    assert links.paper("2402.01399") == "/repo/papers/2402.01399/"  # a dot is not a file
    assert links.static("site.css", "v1") == "/repo/static/site.css?v=v1"
    assert links.in_language("en").topics() == "/repo/en/topics/"


def test_public_base_url_gives_the_origin_and_base_path() -> None:
    config = WebConfig.from_settings(make_settings(public_base_url="https://x.org/digest/"))
    assert config.base_path == "/digest" and config.origin == "https://x.org"
    assert config.links().absolute(config.links().issue(2)) == "https://x.org/digest/issues/2"
    assert base_path_of(None) == "" and base_path_of("https://x.org") == ""


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = make_settings(http_trusted_proxies="127.0.0.1, 10.0.0.0/8,::1")
    assert settings.http_trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1")
    assert make_settings().http_trusted_proxies == ()
    with pytest.raises(ValidationError, match="not an IP address or network"):
        make_settings(http_trusted_proxies="proxy.local")


def test_the_webhook_cannot_take_an_archive_path() -> None:
    with pytest.raises(ValidationError, match="path of its own"):
        make_settings(
            telegram_bot_token="123456:" + "A" * 35,
            telegram_webhook_url="https://bot.example/issues/hook",
            telegram_webhook_secret="s" * 32,
        )
