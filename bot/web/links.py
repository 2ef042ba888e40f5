"""Every internal URL of the web archive, built in one place.

A page never writes a path by hand: `Links` prepends the base path (the site may live under
`https://user.github.io/repo/`, or behind a proxy at `/digest`) and the language prefix (`/en`
for English, nothing for Chinese), and in `directory` mode (the static copy of `site build`)
writes every page as a directory (`/repo/issues/3/`) and pages of the issue list as paths
(`/issues/page/2/`) instead of `?page=2`, since a static host ignores query strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from domain.fulltext import FigureView
from domain.types import IssueKind
from domain.web_paths import figure_path, figure_query

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def base_path_of(public_base_url: str | None) -> str:
    """The path part of PUBLIC_BASE_URL ("https://x.org/digest/" → "/digest"), or ""."""
    if not public_base_url:
        return ""
    return urlsplit(public_base_url).path.rstrip("/")


def public_issue_url(
    public_base_url: str,
    number: int,
    language: str = DEFAULT_LANGUAGE,
    *,
    kind: IssueKind = IssueKind.DAILY,
) -> str:
    """Issue `number`'s page under PUBLIC_BASE_URL, in `language`: the link chat messages,
    WeChat replies and the 公众号's 阅读原文 give (the same URL the web serves)."""
    parts = urlsplit(public_base_url)
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    links = Links(language, base_path_of(public_base_url), f"{parts.scheme}://{parts.netloc}")
    return links.absolute(links.issue(number, kind))


@dataclass(frozen=True)
class Links:
    """URLs for one language; `origin` (scheme://host, from PUBLIC_BASE_URL) makes them
    absolute for canonical and Open Graph links."""

    language: str = DEFAULT_LANGUAGE
    base_path: str = ""
    origin: str = ""
    directory: bool = False

    def path(
        self, path: str = "/", query: dict[str, str | int] | None = None, *, page: bool = True
    ) -> str:
        """THE helper: `path` (absolute, within the site) as a link from any page; `page`
        False for a file (the stylesheet), which never takes a directory slash."""
        prefix = self.base_path + ("" if self.language == DEFAULT_LANGUAGE else "/en")
        full = prefix + path if path != "/" else prefix + "/"
        if self.directory and page and not full.endswith("/"):
            full += "/"
        pairs = {k: v for k, v in (query or {}).items() if v not in ("", None)}
        return f"{full}?{urlencode(pairs)}" if pairs else full

    def absolute(self, url: str) -> str:
        """`url` (from `path`) with the public origin, when one is configured."""
        return self.origin + url

    def in_language(self, language: str) -> Links:
        return Links(language, self.base_path, self.origin, self.directory)

    def home(self) -> str:
        return self.path("/")

    def issues(self, page: int = 1) -> str:
        if page <= 1:
            return self.path("/issues")
        if self.directory:
            return self.path(f"/issues/page/{page}")
        return self.path("/issues", {"page": page})

    def issue(self, number: int, kind: IssueKind = IssueKind.DAILY) -> str:
        """A daily's page, `/issues/N`, or a weekly round-up's, `/weekly/N`."""
        return self.path(f"/weekly/{number}" if kind is IssueKind.WEEKLY else f"/issues/{number}")

    def paper(self, arxiv_id: str) -> str:
        return self.path(f"/papers/{quote(arxiv_id, safe='/.')}")

    def search(self, query: str = "", page: int = 1) -> str:
        return self.path("/search", {"q": query, "page": page if page > 1 else ""})

    def topics(self) -> str:
        return self.path("/topics")

    def figure(self, arxiv_id: str, figure: FigureView) -> str:
        """The paper's key figure: one file for every language (`domain.web_paths`)."""
        files = self.in_language(DEFAULT_LANGUAGE)
        return files.path(figure_path(arxiv_id, figure), figure_query(figure), page=False)

    def static(self, name: str, version: str) -> str:
        """A file served once for every language (no `/en` prefix)."""
        files = self.in_language(DEFAULT_LANGUAGE)
        return files.path(f"/static/{name}", {"v": version}, page=False)
