"""One small async function per sub-command; each opens the database and calls one job/service.

Jobs (fetch, compose, pipeline, publish N) run through `jobs.runs.run_job` as trigger "cli":
recorded in `job_runs` and never beside a live run of the same job. Migrations are applied on
start, so every command works on a fresh database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import PurePath

from sqlalchemy.engine import make_url

from core.config import Settings
from domain.errors import DigestError
from jobs.context import JobContext, JobName, JobParams
from jobs.platforms import Platforms, joined
from jobs.runs import JobResult
from storage.db import Database

Command = Callable[[argparse.Namespace, Settings, Database], Awaitable[int]]


@asynccontextmanager
async def open_database(settings: Settings, url: str | None = None) -> AsyncIterator[Database]:
    db = Database(url or settings.database_url)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.dispose()


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    handler = COMMANDS[args.command]
    url = demo_url(settings) if args.command == "demo" else None
    async with open_database(settings, url) as db:
        return await handler(args, settings, db)


def demo_url(settings: Settings) -> str:
    """The demo never writes to the real database (its issue would take 第1期 there).

    DEMO_DATABASE_URL, else a file beside a SQLite DATABASE_URL's (`digestbot.db` →
    `digestbot-demo.db`), else `data/demo.db`."""
    if settings.demo_database_url:
        return settings.demo_database_url
    url = make_url(settings.database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:" or "?" in name:
        return "sqlite+aiosqlite:///data/demo.db"
    path = PurePath(name)
    return url.set(database=str(path.with_name(f"{path.stem}-demo{path.suffix}"))).render_as_string(
        hide_password=False
    )


async def cmd_db(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from cli.db_tools import cmd_db as db_tools

    return await db_tools(args, settings, db)


async def cmd_fetch(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Fetch only (summarize is its own command): the fetch job with the CLI's window."""
    from jobs.fetch_summarize import Fetched

    ids = tuple(args.ids or ())
    params = JobParams(since=args.since, until=args.until, ids=ids)
    result = await run_from_cli("fetch_only", settings, db, params)
    if result is None:
        return 1
    fetched = result.value
    assert isinstance(fetched, Fetched)
    if fetched.error is not None:
        raise fetched.error
    assert fetched.report is not None
    print(fetched.report.message)
    return 0 if fetched.report.ok else 1


async def cmd_summarize(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from jobs.summarize.job import run_summarize

    report = await run_summarize(
        settings.llm, db, language=args.language, limit=args.limit, reader=settings.reader
    )
    print(report.message)
    return 0


async def cmd_compose(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from domain.types import IssueView

    result = await run_from_cli("compose", settings, db)
    if result is None:
        return 1
    if isinstance(result.value, DigestError):  # nothing to compose: the one error line
        raise result.value
    issue = result.value
    assert isinstance(issue, IssueView)
    print(f"composed 第{issue.number}期 ({len(issue.items)} papers, draft): {issue.title}")
    return 0


async def cmd_weekly(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """This week's round-up (周报) as a draft, through the runner like every job."""
    from domain.types import IssueView

    result = await run_from_cli("weekly", settings, db)
    if result is None:
        return 1
    if isinstance(result.value, DigestError):  # composed already / nothing published
        raise result.value
    issue = result.value
    assert isinstance(issue, IssueView)
    print(f"composed 周报第{issue.number}期 ({len(issue.items)} papers, draft): {issue.title}")
    return 0


async def cmd_pipeline(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    result = await run_from_cli("pipeline", settings, db)
    if result is None:
        return 1
    print(result.summary)
    return 0


async def run_from_cli(
    name: JobName,
    settings: Settings,
    db: Database,
    params: JobParams | None = None,
    platforms: Platforms | None = None,
) -> JobResult | None:
    """The job as a recorded run (trigger "cli"); its error raised again for `cli.main`'s one
    line. None: a live run of it is in progress elsewhere (said on stderr)."""
    from jobs.runs import answered, run_job

    ctx = JobContext(settings, db, platforms=platforms)
    result = answered(await run_job(name, ctx, trigger="cli", params=params))
    if result.status == "skipped":
        print(result.summary, file=sys.stderr)
        return None
    return result


async def cmd_show(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from bot.render import render_issue
    from core.services.issues import get_issue

    ref, language = args.ref, settings.digest_language
    issue = await get_issue(db, number=ref.number, language=language, kind=ref.kind)
    print("\n\n".join(render_issue(issue, args.format, public_base_url=settings.public_base_url)))
    return 0


async def cmd_export(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """One document (the 公众号 article by default) to stdout or `--out`."""
    import asyncio
    from pathlib import Path

    from bot.render import render_issue
    from core.services.issues import get_issue

    ref, language = args.ref, settings.digest_language
    issue = await get_issue(db, number=ref.number, language=language, kind=ref.kind)
    (document,) = render_issue(issue, args.format, public_base_url=settings.public_base_url)
    if args.out:
        await asyncio.to_thread(Path(args.out).write_text, document, encoding="utf-8")
        print(f"{ref.label('zh')} ({args.format}) written to {args.out}")
    else:
        print(document, end="")
    return 0


async def cmd_issues(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    print(await _console_answer(settings, db, "/issues"))
    return 0


async def cmd_search(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    print(await _console_answer(settings, db, "/search " + " ".join(args.query)))
    return 0


async def _console_answer(settings: Settings, db: Database, line: str) -> str:
    """One console command: the CLI shows lists exactly as the chat front ends do."""
    from bot.console.app import ConsoleBot
    from cli.run import build_deps

    return await ConsoleBot(build_deps(settings, db)).answer(line)


async def cmd_demo(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from bot.render import render_issue
    from jobs.demo import run_demo

    issue, report = await run_demo(settings, db)
    print("\n".join(report))
    print()
    print("\n\n".join(render_issue(issue, "md", public_base_url=settings.public_base_url)))
    return 0


async def cmd_schedule(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from cli.schedule import cmd_schedule as schedule

    return await schedule(args, settings, db)


async def cmd_publish(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Every configured platform (any one is enough); a line per platform; 1 when any failed
    or left targets unfinished (publish again to resume)."""
    from cli.platforms import ConfiguredPlatforms

    async def progress(done: int, total: int) -> None:
        print(f"progress: {done}/{total} targets", flush=True)

    ref = args.ref
    params = JobParams(number=ref.number, actor=args.actor, progress=progress, kind=ref.kind)
    platforms = ConfiguredPlatforms(settings, db)
    result = await run_from_cli("publish_issue", settings, db, params, platforms)
    if result is None:
        return 1
    results = result.value
    assert isinstance(results, list)
    print(joined(results), flush=True)
    return 1 if any(r.report is None or r.report.pending for r in results) else 0


async def cmd_run(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from cli.instance_lock import single_run
    from cli.run import run_app

    with single_run(settings.database_url):  # one `run` per SQLite file (cli.instance_lock)
        return await run_app(settings, db)


async def cmd_approve(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from cli.review import cmd_approve as approve

    return await approve(args, settings, db)


async def cmd_site(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from cli.site import cmd_site as site

    return await site(args, settings, db)


RANK_JOBS: dict[str, JobName] = {"index": "rank_index", "refresh": "rank_refresh"}


async def cmd_rank(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """`digestbot rank index|refresh`: the ranking jobs, recorded like the others."""
    result = await run_from_cli(RANK_JOBS[args.action], settings, db)
    if result is None:
        return 1
    print(result.summary)
    return 0


async def cmd_reject(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from cli.review import cmd_reject as reject

    return await reject(args, settings, db)


COMMANDS: dict[str, Command] = {
    "db": cmd_db,
    "fetch": cmd_fetch,
    "summarize": cmd_summarize,
    "compose": cmd_compose,
    "weekly": cmd_weekly,
    "pipeline": cmd_pipeline,
    "show": cmd_show,
    "export": cmd_export,
    "issues": cmd_issues,
    "search": cmd_search,
    "demo": cmd_demo,
    "schedule": cmd_schedule,
    "publish": cmd_publish,
    "approve": cmd_approve,
    "reject": cmd_reject,
    "run": cmd_run,
    "site": cmd_site,
    "rank": cmd_rank,
}
