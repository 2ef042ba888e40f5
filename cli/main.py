"""`digestbot <command>`: every job and front end as a sub-command (`digestbot --help`).

Start-up is where configuration mistakes surface, so it turns them into one line each and exit
status 2 (`EXIT_CONFIG`): bad settings (`core.config_report`), then a database, Telegram token or
Telegram server that cannot be used (`cli.startup`). Everything printed goes through the same
secret redaction as the logs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from cli import commands
from cli.logs import configure_logging
from cli.startup import startup_problem
from core.config import Settings, get_settings
from core.config_report import BadSettings, load_settings, misspelt_keys
from core.redact import Redactor, redact
from domain.errors import DigestError
from domain.issue_ref import IssueRef, parse_issue_ref
from domain.numbers import bounded_int
from jobs.context import JOB_NAMES

EXIT_CONFIG = 2


def _date(text: str) -> object:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _number(text: str) -> int:
    """An issue number: ASCII digits, 1 to 999,999 (argparse's `int` takes `٣` and `-1`)."""
    number = bounded_int(text.strip(), 999_999)
    if not number:
        raise argparse.ArgumentTypeError(f"not an issue number: {text!r}")
    return number


def _ref(text: str) -> IssueRef:
    """`12` (daily) or `w3` (weekly round-up), numbers 1 to 999,999."""
    ref = parse_issue_ref(text)
    if ref is None or ref.number > 999_999:
        raise argparse.ArgumentTypeError(f"not an issue number (12, or w3 for a weekly): {text!r}")
    return ref


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestbot", description="Daily arXiv ML-paper digests: fetch, summarize, compose."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run the bot (console front end when no Telegram token is set)")
    sub.add_parser("demo", help="run the whole pipeline offline on bundled papers, print issue 1")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument(
        "action",
        choices=["upgrade", "backup", "copy"],
        help="upgrade: apply migrations; backup: online copy of a SQLite file (--out);"
        " copy: every row to another, empty database (--to URL)",
    )
    db.add_argument("--out", help="backup: the file to write")
    db.add_argument("--to", metavar="URL", help="copy: the target database URL")
    db.add_argument("--force", action="store_true", help="backup: overwrite an existing file")
    fetch = sub.add_parser("fetch", help="fetch today's announced papers (or a backfill window)")
    fetch.add_argument("--since", type=_date, help="backfill from this date (YYYY-MM-DD)")
    fetch.add_argument("--until", type=_date, help="end of the backfill window (default: now)")
    fetch.add_argument("--ids", nargs="+", default=(), help="fetch these arXiv ids")
    summ = sub.add_parser("summarize", help="summarize papers that have no summary yet")
    summ.add_argument("--language", choices=["zh", "en"], help="default: DIGEST_LANGUAGE")
    summ.add_argument("--limit", type=int, help="at most this many papers")
    sub.add_parser("compose", help="compose the next numbered issue (draft)")
    sub.add_parser("weekly", help="compose this week's round-up (周报, numbered wN; a draft)")
    sub.add_parser("pipeline", help="fetch, summarize and compose in one go")
    show = sub.add_parser("show", help="print an issue")
    show.add_argument("ref", type=_ref, metavar="number", help="12, or w3 for weekly 3")
    show.add_argument("--format", choices=["md", "cards", "toc", "telegram", "text"], default="md")
    export = sub.add_parser("export", help="write an issue as a document (wechat: 公众号 HTML)")
    export.add_argument("ref", type=_ref, metavar="number", help="12, or w3 for weekly 3")
    export.add_argument("--format", choices=["wechat", "md", "cards", "toc"], default="wechat")
    export.add_argument("--out", help="write to this file (default: stdout)")
    publish = sub.add_parser(
        "publish", help="publish an issue to the channel and every subscriber (resumable)"
    )
    publish.add_argument("ref", type=_ref, metavar="number", help="12, or w3 for weekly 3")
    publish.add_argument("--actor", default="cli", help="who, for the audit log")
    approve = sub.add_parser("approve", help="approve draft issue N (audit actor: cli)")
    approve.add_argument("ref", type=_ref, metavar="number", help="12, or w3 for weekly 3")
    reject = sub.add_parser("reject", help="reject issue N (a draft, or approved and unpublished)")
    reject.add_argument("ref", type=_ref, metavar="number", help="12, or w3 for weekly 3")
    reject.add_argument("--reason", help="why, for the record (default: none given)")
    sub.add_parser("issues", help="list issues, newest first")
    schedule = sub.add_parser("schedule", help="the bot's schedule: list jobs, or run one now")
    action = schedule.add_mutually_exclusive_group()
    action.add_argument("--list", action="store_true", help="each job and its next run (default)")
    action.add_argument(
        "--run", choices=JOB_NAMES, help="run this job now, recorded like a scheduled run"
    )
    schedule.add_argument(
        "--force",
        action="store_true",
        help="with --run: take over a run of the job still marked running, alive or not",
    )
    search = sub.add_parser("search", help="full-text search over every stored paper")
    search.add_argument("query", nargs="+")
    rank = sub.add_parser("rank", help="personal relevance: paper vectors and readers' models")
    rank.add_argument(
        "action",
        choices=["index", "refresh"],
        help="index: vectors for papers that have none (a backfill at first);"
        " refresh: that, then retrain the models behind their readers' feedback",
    )
    sub.add_parser("check", help="check .env: settings, database, Telegram, LLM, arXiv, WeChat")
    site = sub.add_parser("site", help="the web archive as static files (GitHub Pages, any host)")
    site.add_argument("action", choices=["build"], help="build: write every page and feed")
    site.add_argument("--out", required=True, metavar="DIR", help="the directory to write")
    site.add_argument(
        "--base-url", metavar="URL", help="where it will be served (default: PUBLIC_BASE_URL)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for warning in misspelt_keys():
        _error(warning)
    try:
        settings = load_settings(get_settings)
    except BadSettings as bad:
        return _bad_settings(args, bad)
    configure_logging(settings.log_level, Redactor.from_settings(settings), settings.log_format)
    return _run(args, settings)


def _bad_settings(args: argparse.Namespace, bad: BadSettings) -> int:
    if args.command == "check":
        from cli.check import bad_settings

        return bad_settings(bad.lines)
    for line in bad.lines:
        _error(line)
    return EXIT_CONFIG


async def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "check":  # reports the database instead of opening (and migrating) it
        from cli.check import run_check

        return await run_check(settings)
    return await commands.dispatch(args, settings)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return asyncio.run(_command(args, settings))
    except DigestError as exc:
        _error(exc.user_message)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = startup_problem(exc, settings)
        if line is None:
            raise
        _error(line)
        return EXIT_CONFIG


def _error(line: str) -> None:
    print(redact(line), file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
