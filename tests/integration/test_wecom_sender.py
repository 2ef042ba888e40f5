"""The WeComSender against the fake robot over real HTTP: pacing per robot, errcode mapping."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.wecom.sender import WeComSender
from bot.wecom.targets import robot_id
from core.sending import SendFailed, SendRetryLater
from tests.fakes.wecom_robot import FakeWeComRobot

KEY = "integration-secret-key"


@pytest.fixture
def robot() -> Iterator[FakeWeComRobot]:
    with FakeWeComRobot(keys=(KEY, "other-key"), limit=3, period=0.4) as fake:
        yield fake


async def test_pacing_keeps_each_robot_under_its_limit(robot: FakeWeComRobot) -> None:
    urls = [robot.url(KEY), robot.url("other-key")]
    async with httpx.AsyncClient() as http:
        sender = WeComSender(urls, http, per_minute=3, period=0.4)
        for n in range(7):
            for target in sender.targets:
                await sender.send(target, f"**message {n}**")
    assert [code for _, code in robot.answers] == [0] * 14  # never a 45009
    assert robot.messages[KEY] == [f"**message {n}**" for n in range(7)]


async def test_errcodes_become_the_sending_errors(robot: FakeWeComRobot) -> None:
    bad = robot.url("no-such-key")
    async with httpx.AsyncClient() as http:
        sender = WeComSender([robot.url(KEY), bad], http, flood_retry=7.0)
        good_target, bad_target = sender.targets
        assert bad_target == robot_id(bad)
        with pytest.raises(SendFailed, match="errcode 93000") as failed:
            await sender.send(bad_target, "hi")
        assert "no-such-key" not in str(failed.value)
        with pytest.raises(SendFailed, match="errcode 40058"):
            await sender.send(good_target, "长" * 1366)  # 4098 bytes
        robot.flood_next()
        with pytest.raises(SendRetryLater) as flood:
            await sender.send(good_target, "hi")
        assert flood.value.retry_after == 7.0
        robot.fail_next(status=503)
        with pytest.raises(SendRetryLater, match="HTTP 503"):
            await sender.send(good_target, "hi")
        with pytest.raises(SendFailed, match="no such robot"):
            await sender.send("robot-0000000000", "hi")
        assert await sender.send(good_target, "长" * 1365)  # 4095 bytes: accepted
    assert robot.messages[KEY] == ["长" * 1365]


async def test_a_robot_that_is_down_is_retryable() -> None:
    with FakeWeComRobot(keys=(KEY,)) as gone:
        url = gone.url(KEY)
    async with httpx.AsyncClient() as http:
        sender = WeComSender([url], http, network_retry=0.1)
        with pytest.raises(SendRetryLater, match="network error") as error:
            await sender.send(sender.targets[0], "hi")
    assert KEY not in str(error.value) and error.value.retry_after == 0.1
