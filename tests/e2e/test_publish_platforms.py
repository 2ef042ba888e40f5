"""`digestbot publish N` with each platform alone and all together: every configured platform
gets the issue exactly once, the report has a line per platform, and one platform's outage
(its fake answering 5xx) never stops the others. Real senders against the local fakes, the real
ledger on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from cli.admin_ops import build_admin_ops
from cli.platforms import ConfiguredPlatforms
from core.config import get_settings
from core.services.review import approve
from domain.types import IssueStatus
from jobs.platforms import PlatformReport
from jobs.publish_everywhere import publish_everywhere
from storage.db import Database
from tests.e2e.platforms import (
    AWAY,
    NEAR,
    ROBOT_KEY,
    digestbot,
    telegram_env,
    telegram_expected,
    use_env,
    wechat_env,
    wechat_expected,
    wecom_env,
    wecom_expected,
    world,
)
from tests.e2e.publish_helpers import make_issue, received
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.wechat_api import FakeWeChatApi
from tests.fakes.wecom_robot import FakeWeComRobot


@pytest.fixture
def robot() -> Iterator[FakeWeComRobot]:
    with FakeWeComRobot(keys=(ROBOT_KEY,)) as fake:
        yield fake


@pytest.fixture
def wechat() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as fake:
        yield fake


async def test_telegram_alone(
    fake_telegram: FakeTelegram, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    readers = await world(sqlite_db, fake_telegram, None)
    use_env(monkeypatch, sqlite_db, telegram_env(fake_telegram))

    assert await digestbot("publish", "1") == 0

    assert received(fake_telegram, readers.reader) == await telegram_expected(sqlite_db)
    (line,) = _report(capsys)
    assert line.startswith("第1期 published: 1/1 delivered")


async def test_wecom_alone_without_a_telegram_token(
    robot: FakeWeComRobot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await world(sqlite_db, None, None)
    use_env(monkeypatch, sqlite_db, wecom_env(robot))

    assert await digestbot("publish", "1") == 0
    assert await digestbot("publish", "1") == 0  # a second run resumes and sends nothing

    assert robot.messages == {ROBOT_KEY: await wecom_expected(sqlite_db)}
    first, again = _report(capsys, runs=2)
    assert first.startswith("wecom: 第1期 published: 1/1 delivered")
    assert again.startswith("wecom: 第1期 resumed: 1/1 delivered") and " 0 messages" in again


async def test_wechat_alone_digests_in_the_window_and_a_draft_on_approval(
    wechat: FakeWeChatApi, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await world(sqlite_db, None, wechat, status=IssueStatus.DRAFT)
    use_env(monkeypatch, sqlite_db, wechat_env(wechat))
    settings = get_settings()

    await approve(sqlite_db, number=1, admin_id="editor")
    (draft_line,) = await build_admin_ops(settings, sqlite_db).approved(1)
    assert await digestbot("publish", "1") == 0

    assert "WeChat draft created" in draft_line and len(wechat.state.drafts) == 1
    assert "ML Papers第1期" in wechat.state.drafts[0]["content"]
    assert wechat.messages_to(NEAR) == await wechat_expected(sqlite_db)
    assert wechat.messages_to(AWAY) == []  # outside the 48-hour window: 最新 and the article
    (line,) = _report(capsys)
    assert line.startswith("wechat: 第1期 published: 1/2 delivered") and "1 skipped" in line


async def test_all_three_get_it_exactly_once_with_a_line_each(
    fake_telegram: FakeTelegram, robot: FakeWeComRobot, wechat: FakeWeChatApi, db: Database,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    readers = await world(db, fake_telegram, wechat)
    env = telegram_env(fake_telegram) | wecom_env(robot) | wechat_env(wechat)
    use_env(monkeypatch, db, env)

    assert await digestbot("publish", "1") == 0
    assert await digestbot("publish", "1") == 0

    assert received(fake_telegram, readers.reader) == await telegram_expected(db)
    assert robot.messages == {ROBOT_KEY: await wecom_expected(db)}
    assert wechat.messages_to(NEAR) == await wechat_expected(db)
    first, second = _report(capsys, runs=2, per_run=3)
    assert [line.split(" ")[0] for line in first] == ["第1期", "wecom:", "wechat:"]
    assert all("published" in line and " 0 failed" in line for line in first)
    assert all("resumed" in line and " 0 messages" in line for line in second)


async def test_telegram_answering_5xx_does_not_stop_wecom_or_wechat(
    fake_telegram: FakeTelegram, robot: FakeWeComRobot, wechat: FakeWeChatApi,
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    readers = await world(sqlite_db, fake_telegram, wechat)
    use_env(monkeypatch, sqlite_db, telegram_env(fake_telegram) | wecom_env(robot)
            | wechat_env(wechat))  # fmt: skip
    fake_telegram.fail_next(times=10**6, status=502)  # every call, getMe at start included

    assert await digestbot("publish", "1") == 1  # something failed: the exit status says so

    assert robot.messages == {ROBOT_KEY: await wecom_expected(sqlite_db)}
    assert wechat.messages_to(NEAR) == await wechat_expected(sqlite_db)
    assert received(fake_telegram, readers.reader) == []
    (lines,) = _report(capsys, per_run=3)
    assert lines[0].startswith("telegram: failed: unavailable (")
    assert lines[1].startswith("wecom: 第1期 published") and lines[2].startswith("wechat: 第1期")
    assert fake_telegram.token not in capsys.readouterr().err


async def test_a_wecom_outage_holds_up_neither_telegram_nor_wechat(
    fake_telegram: FakeTelegram, robot: FakeWeComRobot, wechat: FakeWeChatApi,
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """WeCom answers 503 to everything: it keeps retrying (minutes, by design) while the
    other platforms finish; platforms deliver side by side, not one after the other."""
    readers = await world(sqlite_db, fake_telegram, wechat)
    use_env(monkeypatch, sqlite_db, telegram_env(fake_telegram) | wecom_env(robot)
            | wechat_env(wechat))  # fmt: skip
    robot.fail_next(times=10**6, status=503)
    expected = await telegram_expected(sqlite_db), await wechat_expected(sqlite_db)

    publishing = asyncio.create_task(_publish_configured(sqlite_db))
    try:
        # Done when the others have everything and WeCom has been tried (it may start last).
        # Polled: the Telegram fake's own waits wake only on Telegram's events, and the last
        # change here may be WeChat's or the robot's.
        def settled() -> bool:
            others = received(fake_telegram, readers.reader), wechat.messages_to(NEAR)
            return others == expected and robot.requests >= 1

        async with asyncio.timeout(30):
            while not settled():  # noqa: ASYNC110 - three fakes share no event to wait on
                await asyncio.sleep(0.05)
        assert robot.messages == {}
        assert not publishing.done()  # WeCom is still retrying: the others did not wait for it
    finally:
        publishing.cancel()
        await asyncio.gather(publishing, return_exceptions=True)


async def test_no_platform_at_all_says_what_to_set(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_issue(sqlite_db, status=IssueStatus.APPROVED)
    use_env(monkeypatch, sqlite_db, {})
    assert await digestbot("publish", "1") == 1
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN, WECOM_WEBHOOK_URLS, or WECHAT_APP_ID" in err


async def test_an_unpublishable_issue_is_refused_before_any_platform(
    robot: FakeWeComRobot, wechat: FakeWeChatApi, sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await make_issue(sqlite_db, status=IssueStatus.DRAFT)
    use_env(monkeypatch, sqlite_db, wecom_env(robot) | wechat_env(wechat))
    assert await digestbot("publish", "1") == 1
    assert await digestbot("publish", "7") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Issue 1 is a draft: approve it first (/approve 1)."
    assert err[1] == "Issue 7 does not exist."
    assert robot.requests == 0 and wechat.state.calls == []


async def _publish_configured(db: Database) -> list[PlatformReport]:
    """The publishing job as `digestbot publish` runs it: every configured platform."""
    settings = get_settings()
    platforms = ConfiguredPlatforms(settings, db)
    return await publish_everywhere(settings.delivery, db, platforms, number=1, actor="test")


def _report(capsys: pytest.CaptureFixture[str], *, runs: int = 1, per_run: int = 1) -> list:
    """The report lines each run printed (progress lines dropped)."""
    lines = [
        line for line in capsys.readouterr().out.splitlines() if not line.startswith("progress:")
    ]
    assert len(lines) == runs * per_run, lines
    if per_run == 1:
        return lines
    return [lines[i * per_run : (i + 1) * per_run] for i in range(runs)]


async def test_schedule_run_publish_and_admin_publish_work_without_telegram(
    robot: FakeWeComRobot, wechat: FakeWeChatApi, sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`digestbot schedule --run publish` (the job, recorded) and an admin's publish (the
    console's or a WeChat admin's `JobAdminOps`, no Telegram sender bound) reach every platform."""
    await world(sqlite_db, None, wechat)
    await make_issue(sqlite_db, number=2, status=IssueStatus.APPROVED)
    use_env(monkeypatch, sqlite_db, wecom_env(robot) | wechat_env(wechat))

    assert await digestbot("schedule", "--run", "publish") == 0
    out = capsys.readouterr().out
    assert out.startswith("publish: ok\npublished 第1期: wecom: 第1期 published: 1/1 delivered")
    assert "published 第2期: wecom: 第2期 published" in out and "wechat: 第2期 published" in out

    await make_issue(sqlite_db, number=3, status=IssueStatus.APPROVED)
    report = await build_admin_ops(get_settings(), sqlite_db).publish(3, "console", None)
    assert report.splitlines()[0].startswith("wecom: 第3期 published: 1/1 delivered")
    assert report.splitlines()[1].startswith("wechat: 第3期 published: 1/2 delivered")
    assert len(robot.messages[ROBOT_KEY]) == 3 * len(await wecom_expected(sqlite_db))


async def test_a_scheduled_publish_with_telegram_down_delivers_elsewhere_and_fails_the_run(
    fake_telegram: FakeTelegram, robot: FakeWeComRobot, sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The run is recorded failed (the admins hear of it) with every platform's line, WeCom's
    delivery included; publishing again resumes only what is missing."""
    await world(sqlite_db, fake_telegram, None)
    use_env(monkeypatch, sqlite_db, telegram_env(fake_telegram) | wecom_env(robot))
    fake_telegram.fail_next(times=10**6, status=503)

    assert await digestbot("schedule", "--run", "publish") == 1

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "publish: failed"
    assert out[1].startswith("failed 第1期: telegram: failed: unavailable (")
    assert out[2].startswith("wecom: 第1期 published: 1/1 delivered")
    assert out[3] == "— run `digestbot publish 1` again"
    assert robot.messages == {ROBOT_KEY: await wecom_expected(sqlite_db)}
