"""`digestbot site build`: the web archive as static files, for GitHub Pages or any static host.

Every page is requested from the same ASGI app the server runs (in-process, through
`httpx.ASGITransport`), so the static copy cannot drift from the live pages: it starts at the
home pages, the issue lists, the topics and the feeds and follows every internal link it
finds, writing `DIR/<path>/index.html` for a page, the file itself for the feeds and the
stylesheet, and `404.html`. The app is shaped for a static host (`WebConfig`): links under
the site's base path (`/repo/` on `user.github.io/repo/`) in directory style (`/issues/3/`),
list pages as paths (`/issues/page/2/`), and no search — a static host cannot run one, and the
pages then leave the search form and its links out. Only published issues are reachable: the
crawl only follows links of public pages, and drafts are 404 on the app itself.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette

from bot.commands.context import Deps
from bot.web.feeds import FEED_PATHS
from bot.web.links import LANGUAGES, Links
from bot.web.render import CSS_NAME
from bot.web.routes import web_routes
from bot.web.site import WebConfig
from domain.errors import InvalidInput

# Where the crawl starts, in each language (the links from there reach every published page).
START = ("/", "/issues", "/topics")
NOT_FOUND_PROBE = "/404-not-found"
LINK_ATTRIBUTES = frozenset({"href", "src", "action"})


@dataclass
class SiteReport:
    pages: int = 0
    files: int = 0
    written: list[str] = field(default_factory=list)  # relative paths, in crawl order
    broken: list[str] = field(default_factory=list)  # "path (status)" of links that failed


def static_config(base_url: str) -> WebConfig:
    """The app's shape for a static copy served at `base_url` (https://user.github.io/repo/)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            f"--base-url {base_url!r} is not an http(s) address; pass the site's public URL, "
            "e.g. --base-url https://user.github.io/repo/",
            zh=f"--base-url {base_url!r} 不是 http(s) 地址，请填写站点的公开地址。",
        )
    origin = f"{parts.scheme}://{parts.netloc}"
    return WebConfig(parts.path.rstrip("/"), origin, directory=True, search=False)


def output_dir(out: str) -> Path:
    """`--out` as a directory to write into (created if missing); one clear error otherwise."""
    path = Path(out).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".digestbot-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except FileExistsError:
        raise _bad_out(out, "it is a file, not a directory") from None
    except OSError as exc:
        raise _bad_out(out, exc.strerror or type(exc).__name__) from None
    return path


def _bad_out(out: str, why: str) -> InvalidInput:
    return InvalidInput(
        f"--out {out!r}: cannot write there ({why}); pass a directory you may write to.",
        zh=f"--out {out!r}：无法写入（{why}），请指定一个可写的目录。",
    )


async def build_site(deps: Deps, out: Path, config: WebConfig) -> SiteReport:
    """Crawl the app shaped by `config` and write every page and file under `out`."""
    app = Starlette(routes=web_routes(deps, config))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://site.invalid") as http:
        crawler = _Crawler(http, out, config.links())
        await crawler.crawl(_start_paths(config))
        await crawler.not_found_page()
    (out / ".nojekyll").write_bytes(b"")  # GitHub Pages: serve every file as it is
    return crawler.report


def _start_paths(config: WebConfig) -> list[str]:
    paths = [*FEED_PATHS, f"/static/{CSS_NAME}"]
    for lang in LANGUAGES:
        links = config.links(lang)
        paths += [_app_path(links.path(p), config.base_path) or p for p in START]
    return paths


class _Crawler:
    def __init__(self, http: httpx.AsyncClient, out: Path, links: Links) -> None:
        self.http, self.out, self.base_path = http, out, links.base_path
        self.report = SiteReport()
        self.seen: set[str] = set()

    async def crawl(self, start: list[str]) -> None:
        queue = deque(start)
        self.seen.update(start)
        while queue:
            path = queue.popleft()
            response = await self.http.get(path)
            if response.status_code != 200:
                self.report.broken.append(f"{path} ({response.status_code})")
                continue
            await self._write(path, response.content)
            if response.headers.get("content-type", "").startswith("text/html"):
                self.report.pages += 1
                for link in _links_of(response.text):
                    found = _app_path(link, self.base_path)
                    if found is not None and found not in self.seen:
                        self.seen.add(found)
                        queue.append(found)
            else:
                self.report.files += 1

    async def not_found_page(self) -> None:
        response = await self.http.get(NOT_FOUND_PROBE)
        await self._write("/404.html", response.content)

    async def _write(self, path: str, body: bytes) -> None:
        relative = path.strip("/") + "/index.html" if path.endswith("/") else path.strip("/")
        relative = relative.removeprefix("/") or "index.html"
        target = self.out / relative
        await asyncio.to_thread(_write_file, target, body)
        self.report.written.append(relative)


def _write_file(target: Path, body: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def _app_path(link: str, base_path: str) -> str | None:
    """The app's path for an internal link (`/repo/issues/3/?x` → `/issues/3/`); None for an
    outside link, a fragment or a link outside the site's base path."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if base_path and not (parts.path == base_path or parts.path.startswith(base_path + "/")):
        return None
    return parts.path[len(base_path) :] or "/"


def _links_of(html: str) -> list[str]:
    parser = _LinkParser()
    parser.feed(html)
    return parser.links


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in LINK_ATTRIBUTES and value and not (tag == "link" and _is_canonical(attrs)):
                self.links.append(value)


def _is_canonical(attrs: list[tuple[str, str | None]]) -> bool:
    return ("rel", "canonical") in attrs
