"""A real browser for the web pages' tests: Debian's Chromium driven by Playwright for Python.

Playwright's own browser download cannot work here (nothing but package registries is
reachable), so it drives the distribution's `/usr/bin/chromium` (`apt-get install chromium
chromium-driver`; `.ci/run` installs it when missing). Without it the tests skip with the
reason, unless REQUIRE_BROWSER=1 (CI), where they fail instead, as REQUIRE_POSTGRES does for
PostgreSQL. The sync API is used from plain (not async) tests: it runs its own driver process
and must not be called inside a running event loop.

`visit` opens one page and records everything a reader would not see but a broken page shows:
console errors, uncaught exceptions, requests that failed and answers >= 400.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response

CHROMIUM = Path("/usr/bin/chromium")
ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
NARROW, WIDE = 420, 1280  # a phone opening a link from a chat; a laptop


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (make install)"
    return None


def require_browser() -> None:
    """Skip (fail under REQUIRE_BROWSER=1) when the browser cannot run."""
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or CHROMIUM)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=list(ARGS))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """One page load and what went wrong during it."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # the document's answer
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # requests that failed or answered >= 400

    @property
    def problems(self) -> list[str]:
        status = [] if self.status == 200 else [f"status {self.status}"]
        return status + self.console_errors + self.failed


@contextmanager
def page_at(browser: Browser, width: int, *, dark: bool = False) -> Iterator[Page]:
    """A fresh context (no shared cache or cookies) with a viewport `width` px wide."""
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        color_scheme="dark" if dark else "light",
        locale="zh-CN",
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def visit(page: Page, url: str) -> Visit:
    """Load `url` in `page` until the network is idle, recording what went wrong."""
    seen = Visit(url)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.console_errors.append(message.text)

    def response(answer: Response) -> None:
        if answer.status >= 400:
            seen.failed.append(f"{answer.url}: {answer.status}")

    listeners: dict[str, Callable[..., None]] = {
        "console": console,
        "pageerror": lambda error: seen.console_errors.append(f"uncaught: {error}"),
        "requestfailed": lambda r: seen.failed.append(f"{r.url}: {r.failure}"),
        "response": response,
    }
    for event, listener in listeners.items():
        page.on(event, listener)  # type: ignore[call-overload]
    try:
        loaded = page.goto(url, wait_until="networkidle")
        if loaded is not None:
            seen.status, seen.headers = loaded.status, loaded.headers
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
    return seen


def screenshot(page: Page, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
