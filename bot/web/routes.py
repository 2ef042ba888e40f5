"""The web archive's routes, mounted on the one HTTP server (`cli.http`).

`web_routes(deps)` returns one Mount at the root, placed after every other route, holding:

    /                       the latest published issue (a friendly page while there is none)
    /issues                 every published issue, newest first; ?page=N (or /issues/page/N)
    /issues/{n}             one published issue in the seed layout (ETag, Last-Modified)
    /weekly/{n}             one published weekly round-up (周报) in seed 001's shape
    /papers/{arxiv id}      one paper's card and the published issues it appeared in
                            (old-style ids with a slash: /papers/hep-th/9901001)
    /search?q=&page=        the chat's full-text search, published issues only, rate-limited
    /topics                 popular topics, each linking to its search
    /feed.atom, /feed.json  the newest published issues in full (`bot.web.feeds`)
    /search.atom?q=, .json  a search as a feed: the newest matching papers
    /static/site.css        the stylesheet (cached for a year; links carry ?v=<hash>)
    /figures/{id}.{ext}     a paper's key figure, as stored (`bot.web.figures`; one URL for
                            every language, old-style ids as /figures/hep-th/9901001.png)
    /en/…                   every page above in English (Chinese is the default)

Every page also answers with a trailing slash (`/issues/3/`), so a static copy written as
`DIR/issues/3/index.html` serves the same URLs; `bot.web.links.Links` builds every internal
link (base path, language prefix, directory style). Anything else is the styled 404 page;
methods other than GET and HEAD get 405: nothing on the web changes state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from bot.commands.context import Deps
from bot.web.feeds import Feeds
from bot.web.figures import Figures
from bot.web.headers import ASSET_CACHE, SecurityHeaders, cached, error_page
from bot.web.labels import page_labels
from bot.web.links import LANGUAGES, Links
from bot.web.pages import Meta, Pages
from bot.web.render import CSS_NAME, stylesheet
from bot.web.site import SITE_NAME, WebConfig
from core.ratelimit import RateLimiter
from domain.errors import InvalidInput, NotFound, RateLimited

# /search per client address: bursts of 10, then 30 a minute (a person paging through
# results never meets it; a scraper does). Declared once, here.
SEARCH_RATE, SEARCH_PER_SECONDS, SEARCH_BURST = 30, 60.0, 10
READ_METHODS = frozenset({"GET", "HEAD"})

Handler = Callable[[Request, str], Awaitable[Response]]


def search_limiter() -> RateLimiter:
    return RateLimiter(SEARCH_RATE, SEARCH_PER_SECONDS, burst=SEARCH_BURST, name="web-search")


def web_routes(
    deps: Deps, config: WebConfig | None = None, extra: Sequence[BaseRoute] = ()
) -> list[BaseRoute]:
    """The archive as one Mount (its own 404 page and security headers); `config` defaults
    to the settings' (PUBLIC_BASE_URL); its feeds (`bot.web.feeds`) and
    `extra` routes are served inside it, first."""
    config = config or WebConfig.from_settings(deps.settings)
    limiter = search_limiter()  # the search page and the search feeds share one budget
    pages = Pages(deps.db, config, limiter)
    errors = ErrorPages(pages)
    routes = [*extra, Route("/static/" + CSS_NAME, _stylesheet, methods=["GET"])]
    language = deps.settings.digest_language
    routes += Feeds(deps.db, config, language=language, limiter=limiter).routes()
    figure = errors.endpoint(Figures(deps.db).image, "zh")
    routes.append(Route("/figures/{name:path}", figure, methods=None))
    for lang in LANGUAGES:
        routes += _language_routes(pages, errors, lang)
    router = Router(routes=routes, default=errors.not_found, redirect_slashes=False)
    return [Mount("", app=router, middleware=[Middleware(SecurityHeaders)])]


def _language_routes(pages: Pages, errors: ErrorPages, lang: str) -> list[Route]:
    prefix = "" if lang == "zh" else "/en"
    table: list[tuple[str, Handler]] = [
        ("/issues/page/{page}", pages.issues),
        ("/issues/{number}", pages.issue),
        ("/weekly/{number}", pages.weekly),
        ("/issues", pages.issues),
        ("/search", pages.search),
        ("/topics", pages.topics),
        ("/papers/{arxiv_id:path}", pages.paper),
    ]
    routes = [Route(prefix + "/", errors.endpoint(pages.home, lang), methods=None)]
    if prefix:
        routes.append(Route(prefix, errors.endpoint(pages.home, lang), methods=None))
    for path, handler in table:
        endpoint = errors.endpoint(handler, lang)
        routes.append(Route(prefix + path, endpoint, methods=None))
        if not path.endswith(":path}"):  # the path convertor takes the slash itself
            routes.append(Route(prefix + path + "/", endpoint, methods=None))
    return routes


async def _stylesheet(request: Request) -> Response:
    body, _ = stylesheet()
    return cached(request, body, media_type="text/css; charset=utf-8", cache_control=ASSET_CACHE)


class ErrorPages:
    """Our errors as styled pages in the page's language: 400, 404, 405, 429."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    def endpoint(self, handler: Handler, lang: str) -> Callable[[Request], Awaitable[Response]]:
        async def page(request: Request) -> Response:
            if request.method not in READ_METHODS:
                return self.page(lang, 405, "", {"allow": "GET, HEAD"})
            try:
                return await handler(request, lang)
            except NotFound as error:
                return self.page(lang, 404, error.message_for(lang))
            except InvalidInput as error:
                return self.page(lang, 400, error.message_for(lang))
            except RateLimited as error:
                retry = {"retry-after": str(error.retry_after)}
                return self.page(lang, 429, error.message_for(lang), retry)

        return page

    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        lang = "en" if path == "/en" or path.startswith("/en/") else "zh"
        await self.page(lang, 404, "")(scope, receive, send)

    def page(
        self, lang: str, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        labels = page_labels(lang)
        title = labels[f"error_{status}"]
        meta = Meta(f"{title} · {SITE_NAME[lang]}", message or title)
        html = self.pages.html(
            lang, "error.html", meta, Links.home, status=status, title=title, message=message
        )
        return error_page(html.decode(), status, headers)
