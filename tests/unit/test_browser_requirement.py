"""The browser tests skip with the reason where Chromium is missing, and fail instead under
REQUIRE_BROWSER=1 (CI), so a CI machine without the browser cannot pass by skipping them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import browser


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)


@pytest.mark.usefixtures("no_chromium")
def test_a_missing_browser_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser.require_browser()


@pytest.mark.usefixtures("no_chromium")
def test_a_missing_browser_fails_under_require_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but Debian's chromium"):
        browser.require_browser()
