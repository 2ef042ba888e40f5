"""The ASGI app, composed in one place from the routes each part of the process contributes.

`cli.run` gathers them: health and metrics (`bot.server.health`, `bot.server.metrics`) always,
Telegram's webhook (`bot.telegram.webhook`) in webhook mode, WeChat's callback
(`bot.wechat.server`) with WECHAT_TOKEN, and the web archive (`bot.web`), mounted last.
Starlette because that archive is server-rendered pages (Jinja2, already ours) on the same
app; uvicorn because it is the server Starlette documents and it runs inside our event loop
(`bot.server.serve`).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from bot.server.access import AccessLog


def build_app(routes: Sequence[BaseRoute]) -> Starlette:
    """One Starlette app serving `routes`, with our access log (no query strings)."""
    paths = [route.path for route in routes if isinstance(route, Route)]
    duplicates = sorted({path for path in paths if paths.count(path) > 1})
    if duplicates:  # a settings rule keeps the webhook off the others' paths; this is our bug
        raise ValueError(f"two routes at {', '.join(duplicates)}")
    return Starlette(routes=list(routes), middleware=[Middleware(AccessLog)])


def describe(routes: Sequence[BaseRoute]) -> str:
    """ " (/healthz, /readyz, …)": the paths served, for the start-up log line."""
    paths = [route.path for route in routes if isinstance(route, Route)]
    return f" ({', '.join(paths)})" if paths else ""
