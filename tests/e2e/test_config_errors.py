"""Bad configuration, as `digestbot` shows it: one line per problem on stderr, exit status 2,
no traceback — for bad values of every kind of key (the table in
tests/unit/test_config_validation.py, several values per key across the runs), rules between
keys (refused before any network call), a database that is not there, and a Telegram that
refuses the token, cannot be reached or answers 5xx at start. Misspelt keys are warned about."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, _postgres_available
from tests.e2e.cli_process import base_env, closed_port, digestbot
from tests.fakes.telegram_server import FakeTelegram
from tests.unit.test_config_validation import BAD

INFO_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO ")
REAL_LOOKING_TOKEN = "7312345678:AAHk3xPq9vWmZt2LrYs8NcBd4FgJh6KuE0i"
DB_PASSWORD = "pa55-w0rd-xyz"


def _assert_one_line_each(ran, keys: list[str]) -> None:
    """One line per key; INFO log records of the start-up (`run`'s HTTP server is already
    listening when Telegram is asked) are not part of the answer."""
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output
    assert ran.stdout == ""
    lines = [line for line in ran.err_lines if not INFO_RECORD.match(line)]
    assert [line.split("=", 1)[0].split(":", 1)[0] for line in lines] == keys


@pytest.mark.parametrize("round_", range(3))
def test_every_kind_of_bad_value_is_one_line_and_exit_2(tmp_path: Path, round_: int) -> None:
    """All keys bad at once, a different bad value per key each round."""
    env = {key: values[round_ % len(values)] for key, values in BAD.items()}
    ran = digestbot("fetch", env=base_env(tmp_path, **env), cwd=tmp_path)
    _assert_one_line_each(ran, [line.split("=", 1)[0] for line in ran.err_lines])
    assert sorted(line.split("=", 1)[0] for line in ran.err_lines) == sorted(env)
    for key in ("TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "WECHAT_APP_SECRET"):
        assert env[key] not in ran.stderr or len(env[key]) < 3


@pytest.mark.parametrize(
    ("key", "value"),
    [("TIMEZONE", "Mars/Olympus"), ("FETCH_CRON", "0 9 31 2 *"), ("LLM_CONCURRENCY", "lots")],
)
def test_one_bad_key_is_exactly_one_line(tmp_path: Path, key: str, value: str) -> None:
    ran = digestbot("run", env=base_env(tmp_path, **{key: value}), cwd=tmp_path)
    _assert_one_line_each(ran, [key])
    assert repr(value) in ran.stderr and "expected" in ran.stderr


def test_rules_between_keys_are_checked_before_any_network_call(tmp_path: Path) -> None:
    with FakeTelegram(token=REAL_LOOKING_TOKEN) as fake:
        env = base_env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=REAL_LOOKING_TOKEN,
            TELEGRAM_API_BASE_URL=fake.url,
            TELEGRAM_WEBHOOK_URL="https://bot.example/hook",
            WECHAT_APP_SECRET="real-looking-app-secret-0123456789",
        )
        ran = digestbot("run", env=env, cwd=tmp_path)
        assert fake.calls("getMe") == [] and fake.calls("setWebhook") == []
    _assert_one_line_each(ran, ["TELEGRAM_WEBHOOK_SECRET", "WECHAT_APP_ID"])
    assert REAL_LOOKING_TOKEN not in ran.output and "0123456789" not in ran.output


def test_misspelt_keys_are_warned_with_the_closest_real_key(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKN={REAL_LOOKING_TOKEN}\nLOG_LEVEL=INFO\n")
    env = base_env(tmp_path, LLM_CONCURENCY="4", WECHAT_APPID="wx0123456789abcdef")
    ran = digestbot("issues", env=env, cwd=tmp_path)
    assert ran.code == 0, ran.output
    warnings = [line for line in ran.err_lines if line.startswith("warning:")]
    assert len(warnings) == 3, ran.stderr
    for wrong, right in (
        ("TELEGRAM_BOT_TOKN", "TELEGRAM_BOT_TOKEN"),
        ("LLM_CONCURENCY", "LLM_CONCURRENCY"),
        ("WECHAT_APPID", "WECHAT_APP_ID"),
    ):
        assert any(wrong in line and f"{right}?" in line for line in warnings)
    assert REAL_LOOKING_TOKEN not in ran.output and "AAH" not in ran.output
    assert "PATH" not in ran.stderr and "HOME" not in ran.stderr


def _unreachable_database(case: str) -> tuple[str, str]:
    """The URL and the reason expected: a closed port, or a real server without the database."""
    if case == "closed-port":
        return (
            f"postgresql+psycopg://digest:{DB_PASSWORD}@127.0.0.1:{closed_port()}/test",
            "running",
        )
    if reason := _postgres_available():
        pytest.skip(reason)
    url = POSTGRES_URL.replace("postgresql+psycopg://", f"postgresql+psycopg://x:{DB_PASSWORD}@")
    base, _, _ = url.rpartition("/")
    return f"{base}/no_such_database_xyz", "does not exist"


@pytest.mark.parametrize("case", ["closed-port", "missing-database"])
def test_unreachable_database_is_one_line(tmp_path: Path, case: str) -> None:
    url, reason = _unreachable_database(case)
    ran = digestbot("issues", env=base_env(tmp_path, DATABASE_URL=url), cwd=tmp_path)
    _assert_one_line_each(ran, ["DATABASE_URL"])
    assert ran.stderr.startswith("DATABASE_URL: cannot connect to postgresql+psycopg://")
    assert reason in ran.stderr or "is the server running?" in ran.stderr
    assert DB_PASSWORD not in ran.stderr and "***" in ran.stderr


def test_unwritable_sqlite_path_is_one_line(tmp_path: Path) -> None:
    """A file where the database's folder should be: unwritable even for root."""
    (tmp_path / "not-a-folder").write_text("")
    url = f"sqlite+aiosqlite:///{tmp_path / 'not-a-folder' / 'sub' / 'digestbot.db'}"
    ran = digestbot("issues", env=base_env(tmp_path, DATABASE_URL=url), cwd=tmp_path)
    _assert_one_line_each(ran, ["DATABASE_URL"])


@pytest.mark.parametrize("fault", ["401", "unreachable", "500"])
def test_telegram_failing_at_start_is_one_line(tmp_path: Path, fault: str) -> None:
    with FakeTelegram() as fake:
        token = REAL_LOOKING_TOKEN if fault == "401" else fake.token
        url = f"http://127.0.0.1:{closed_port()}" if fault == "unreachable" else fake.url
        if fault == "500":
            fake.fail_next(times=10, status=500)
        env = base_env(tmp_path, TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=url)
        ran = digestbot("run", env=env, cwd=tmp_path)
    key = "TELEGRAM_BOT_TOKEN" if fault == "401" else "TELEGRAM_API_BASE_URL"
    _assert_one_line_each(ran, [key])
    assert token not in ran.output
