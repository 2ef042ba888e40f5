"""Admins per platform, end to end: WeChat over real HTTP, the console, Telegram on the real PTB
bot, and `digestbot approve/reject` from a shell; audit rows on SQLite and PostgreSQL name the
platform (`wechat:…`, `console:operator`, `cli`)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.commands.context import Deps
from bot.commands.reply import Caller
from bot.console.app import ConsoleBot
from cli.main import build_parser, main
from core.config import get_settings
from core.services.review import review_issue
from domain.issue_ref import IssueRef
from domain.types import IssueKind, IssueStatus
from jobs.demo import run_demo
from storage.db import Database
from storage.models import AuditLog, Chat
from tests.conftest import make_settings
from tests.e2e.admin_harness import ADMIN, running_admin_bot
from tests.e2e.wechat_harness import serve

EDITOR = "777001"  # a WeChat openid that is all digits, like a Telegram id
ADMIN_ONLY = ("/review", "/approve 1", "/reject 1 spam", "/stats", "/edit 1 1 tldr x",
              "/publish 1", "/broadcast hi", "/compose", "/fetch")  # fmt: skip
REFUSED = ("只有本速递的编辑", "only the digest's editors")


async def _audit(db: Database) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(row.actor, row.action) for row in rows]


def _refused(text: str | None) -> bool:
    return text is not None and any(phrase in text for phrase in REFUSED)


async def test_wechat_admins_are_wechat_openids_only(db: Database) -> None:
    async with serve(db, admin_ids=(ADMIN,), wechat_admin_openids=(EDITOR,)) as h:
        impostor = [(await h.wechat.text(str(ADMIN), typed)).reply for typed in ADMIN_ONLY]
        stranger = [(await h.wechat.text("o-reader", typed)).reply for typed in ADMIN_ONLY]
        preview = (await h.wechat.text(EDITOR, "/review")).reply
        approved = (await h.wechat.text(EDITOR, "/approve 1")).reply
        issue = (await review_issue(db, number=1)).issue
    assert all(_refused(reply) for reply in impostor + stranger), impostor + stranger
    assert preview is not None and "第1期" in preview and not _refused(preview)
    assert approved is not None and "1" in approved and not _refused(approved)
    assert issue.status is IssueStatus.APPROVED and issue.approved_by == f"wechat:{EDITOR}"
    assert await _audit(db) == [("compose", "issue.create"), (f"wechat:{EDITOR}", "issue.approve")]


async def test_a_wechat_admin_openid_is_nobody_on_telegram(fake_telegram, sqlite_db) -> None:
    same_digits = fake_telegram.user(int(EDITOR), "Same digits", language_code="en")
    async with running_admin_bot(fake_telegram, sqlite_db, wechat_admin_openids=(EDITOR,)):
        replies = []
        for typed in ("/stats", "/review", "/approve 1"):
            fake_telegram.send_text(same_digits, typed)
            replies += await fake_telegram.wait_for_sent(same_digits)
    assert len(replies) == 3 and all(_refused(reply.text) for reply in replies)
    assert await _audit(sqlite_db) == [("compose", "issue.create")]


MALFORMED_SENDERS = [
    "<FromUserName><![CDATA[o-a]]></FromUserName><FromUserName><![CDATA[o-b]]></FromUserName>",
    "<FromUserName><a>o-a</a></FromUserName>",
    "<FromUserName><a>o-a</a><b>o-b</b></FromUserName>",
    "<FromUserName><![CDATA[o a]]></FromUserName>",
    "<FromUserName><![CDATA[['o-a', 'o-b']]]></FromUserName>",
    f"<FromUserName><![CDATA[{'o' * 49}]]></FromUserName>",
    "<FromUserName><![CDATA[o-a]]></FromUserName><ToUserName><![CDATA[gh_2]]></ToUserName>",
    "<FromUserName><![CDATA[o-a]]></FromUserName><ToUserName><x>gh</x></ToUserName>",
]


@pytest.mark.parametrize("sender", MALFORMED_SENDERS)
async def test_wechat_nested_or_repeated_ids_are_refused(sqlite_db: Database, sender: str) -> None:
    async with serve(sqlite_db) as h:
        body = (
            f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName>{sender}"
            "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType>"
            "<Content><![CDATA[/start]]></Content><MsgId>424242</MsgId></xml>"
        )
        response = await h.wechat.post_raw(body.encode(), h.wechat.query(openid="o-a"))
        async with sqlite_db.session() as session:
            stored = list(await session.scalars(select(Chat.external_id)))
    assert response.status_code in (200, 400)  # answered with no reply, or refused outright
    assert "<xml>" not in response.text and stored == []


async def test_the_console_operator_approves_on_the_console(db: Database) -> None:
    settings = make_settings(database_url=db.url, admin_ids=(ADMIN,))
    await run_demo(settings, db)
    stranger = ConsoleBot(Deps(settings=settings, db=db), Caller("console", "2", str(ADMIN)))
    refusals = [await stranger.answer(typed) for typed in ADMIN_ONLY]
    operator = ConsoleBot(Deps(settings=settings, db=db))
    preview = await operator.answer("/review")
    excluded = await operator.answer("b3")  # the preview's buttons work at the console too
    approved = await operator.answer("/approve 1")
    issue = (await review_issue(db, number=1)).issue
    assert all(_refused(text) for text in refusals)
    assert "第1期" in preview and "第1期" in excluded and "1" in approved
    assert issue.status is IssueStatus.APPROVED and issue.approved_by == "console:operator"
    assert [a for a in await _audit(db) if a[0] != "compose"] == [
        ("console:operator", "issue.exclude"), ("console:operator", "issue.approve")
    ]  # fmt: skip


@pytest.fixture
def cli_db_env(monkeypatch: pytest.MonkeyPatch, db: Database):
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


async def _cli(argv: list[str]) -> int:
    return await asyncio.to_thread(main, argv)


async def test_cli_approve_and_reject(cli_db_env: Database, capsys) -> None:
    db = cli_db_env
    await run_demo(make_settings(database_url=db.url), db)
    outcomes = []
    for argv in (["approve", "99"], ["approve", "1"], ["approve", "1"], ["reject", "99"],
                 ["reject", "1", "--reason", "  off   topic "], ["reject", "1"]):  # fmt: skip
        code = await _cli(argv)
        captured = capsys.readouterr()
        outcomes.append((code, captured.out.strip(), captured.err.strip()))
    issue = (await review_issue(db, number=1)).issue
    assert outcomes[0] == (1, "", "Issue 99 does not exist.")
    assert outcomes[1][0] == 0 and outcomes[1][1].startswith("approved 第1期 (20 papers)")
    assert outcomes[2][0] == 1 and "only draft issues" in outcomes[2][2]
    assert outcomes[3] == (1, "", "Issue 99 does not exist.")
    assert outcomes[4] == (0, "rejected 第1期: off topic", "")
    assert outcomes[5][0] == 1 and "is rejected" in outcomes[5][2]
    assert all(len(line.splitlines()) <= 1 for _, out, err in outcomes for line in (out, err))
    assert issue.status is IssueStatus.REJECTED
    assert [a for a in await _audit(db) if a[0] != "compose"] == [
        ("cli", "issue.approve"), ("cli", "issue.reject")
    ]  # fmt: skip


async def test_cli_reject_without_a_reason_says_so(cli_db_env: Database, capsys) -> None:
    await run_demo(make_settings(database_url=cli_db_env.url), cli_db_env)
    assert await _cli(["reject", "1"]) == 0
    assert "no reason given" in capsys.readouterr().out


def test_cli_issue_numbers_are_ascii(capsys) -> None:
    for typed in ("٣", "²", "１", "0", "-1", "1.5", "9" * 5000, ""):
        for command in ("approve", "reject"):
            with pytest.raises(SystemExit) as exited:
                build_parser().parse_args([command, typed])
            assert exited.value.code == 2
    assert "not an issue number" in capsys.readouterr().err
    assert build_parser().parse_args(["approve", "007"]).ref == IssueRef(7)
    assert build_parser().parse_args(["publish", "w3"]).ref == IssueRef(3, IssueKind.WEEKLY)


async def test_wechat_editors_review_and_decide_in_chinese_words(sqlite_db: Database) -> None:
    """WeChat has no command menu: editors type 审核 / 批准 N / 退回 N 理由, readers who type
    the same words are refused, and 发布会 (a search) stays a search."""
    async with serve(sqlite_db, wechat_admin_openids=(EDITOR,)) as h:
        reader = [(await h.wechat.text("o-reader", typed)).reply for typed in ("审核", "批准 1")]
        search = (await h.wechat.text("o-reader", "发布会")).reply
        preview = (await h.wechat.text(EDITOR, "审核")).reply
        rejected = (await h.wechat.text(EDITOR, "退回1 跑题")).reply
        issue = (await review_issue(sqlite_db, number=1)).issue
    assert all(_refused(reply) for reply in reader), reader
    assert search is not None and not _refused(search)
    assert preview is not None and "第1期" in preview and not _refused(preview)
    assert rejected is not None and not _refused(rejected)
    assert issue.status is IssueStatus.REJECTED
    assert await _audit(sqlite_db) == [
        ("compose", "issue.create"),
        (f"wechat:{EDITOR}", "issue.reject"),
    ]
