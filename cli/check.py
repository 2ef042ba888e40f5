"""`digestbot check`: the checklist an operator runs after editing `.env`.

Valid settings only prove the values are well formed; whether the database is up and migrated,
the bot token accepted, the bot an administrator of the channel, the LLM key and model known to
the provider, arXiv reachable from this machine and the WeChat secret good is only learnt by
asking each of them, once, with short timeouts. Each answer is one line: `✓ …`, or `✗ … — fix:
…` with what to change, or `– …` when that part is not configured. Exit status 0 when nothing
failed, else 1. Nothing is written: migrations are compared, not applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from cli.check_lines import TIMEOUT, Outcome, fail, ok, skip
from core.config import Settings
from core.proxy import httpx_options, route, secret
from core.redact import mask_url

Check = Callable[[Settings], Awaitable[list[Outcome]]]


async def run_check(settings: Settings) -> int:
    """Print each check's lines as it finishes (in order); 0 when none failed."""
    failed = False
    print(ok("settings: valid").line, flush=True)
    for check in CHECKS:
        for outcome in await _guarded(check, settings):
            failed |= outcome.status == "fail"
            print(outcome.line, flush=True)
    return 1 if failed else 0


def bad_settings(lines: list[str]) -> int:
    """`check` with settings that do not validate: each problem as a failed item."""
    for problem in lines:
        print(fail(f"settings: {problem}", "correct this key in .env").line, flush=True)
    return 1


async def _guarded(check: Check, settings: Settings) -> list[Outcome]:
    """A check that crashes is a failed item, not the end of the checklist."""
    name = check.__name__.removeprefix("check_")
    try:
        return await asyncio.wait_for(check(settings), timeout=3 * TIMEOUT)
    except TimeoutError:
        return [fail(f"{name}: no answer within {3 * TIMEOUT:.0f} s", "is it reachable?")]
    except Exception as exc:
        return [fail(f"{name}: {type(exc).__name__}: {exc}", "see the error above")]


async def check_database(settings: Settings) -> list[Outcome]:
    from cli.check_services import migration_state

    shown = mask_url(settings.database_url)
    try:
        current, head = await migration_state(settings.database_url)
    except Exception as exc:
        from cli.startup import startup_problem

        reason = startup_problem(exc, settings) or f"{type(exc).__name__}: {exc}"
        return [fail(f"database: {reason}", "start the server or correct DATABASE_URL")]
    if current != head:
        return [
            fail(
                f"database {shown}: at migration {current or 'none'}, the code needs {head}",
                "run `digestbot db upgrade` (every other command also applies them)",
            )
        ]
    lines = [ok(f"database {shown}: reachable, migrations at head ({head})")]
    if not settings.database_url.startswith("sqlite"):
        from cli.check_services import leader_line

        lines.append(await leader_line(settings.database_url))
    return lines


async def check_telegram(settings: Settings) -> list[Outcome]:
    from cli.check_services import telegram_checks

    if settings.telegram_bot_token is None:
        return [skip("Telegram: TELEGRAM_BOT_TOKEN not set")]
    return await telegram_checks(settings)


async def check_llm(settings: Settings) -> list[Outcome]:
    from cli.check_services import llm_check

    if settings.openai_api_key is None:
        return [skip("LLM: OPENAI_API_KEY not set (extractive summaries)")]
    return [await llm_check(settings)]


async def check_arxiv(settings: Settings) -> list[Outcome]:
    url = settings.arxiv_api_url
    params = {"id_list": "2402.01399", "max_results": "1"}
    try:
        proxy = httpx_options(url, secret(settings.proxy))
        async with httpx.AsyncClient(timeout=TIMEOUT, **proxy) as http:
            response = await http.get(url, params=params)
    except httpx.HTTPError as exc:
        return [fail(f"arXiv {url}: {type(exc).__name__} {exc}", _ARXIV_FIX)]
    if response.status_code != 200 or "<feed" not in response.text:
        return [fail(f"arXiv {url}: HTTP {response.status_code}", _ARXIV_FIX)]
    return [ok(f"arXiv {url}: reachable")]


_ARXIV_FIX = "check ARXIV_API_URL and that this machine can reach it (arXiv may be down: retry)"


async def check_wechat(settings: Settings) -> list[Outcome]:
    from cli.check_services import wechat_check

    if not (settings.wechat_app_id and settings.wechat_app_secret):
        return [skip("WeChat API: WECHAT_APP_ID / WECHAT_APP_SECRET not set")]
    return [await wechat_check(settings)]


async def check_proxy(settings: Settings) -> list[Outcome]:
    """Which proxy each service's requests take (TELEGRAM_PROXY, PROXY, the environment),
    credentials hidden; no line when every service is direct."""
    from jobs.summarize.llm import OPENAI_URL

    telegram_key = "TELEGRAM_PROXY" if settings.telegram_proxy else "PROXY"
    routes = {
        "Telegram": route(settings.telegram_api_base_url, settings.telegram.proxy, telegram_key),
        "arXiv": route(settings.arxiv_api_url, settings.proxy, "PROXY"),
        "LLM": route(settings.openai_base_url or OPENAI_URL, settings.proxy, "PROXY"),
        "WeChat/WeCom": route(settings.wechat_api_base_url, settings.proxy, "PROXY"),
    }
    text = "; ".join(f"{name} {how}" for name, how in routes.items())
    if set(routes.values()) == {"direct"}:
        return []  # nothing to say: no proxy anywhere
    return [ok(f"proxy: {text}")]


CHECKS: tuple[Check, ...] = (
    check_database, check_proxy, check_telegram, check_llm, check_arxiv, check_wechat
)  # fmt: skip
