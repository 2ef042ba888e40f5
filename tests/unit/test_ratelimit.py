"""The per-user token bucket, on a clock the test moves by hand."""

from __future__ import annotations

import pytest

from core.ratelimit import RateLimiter
from domain.errors import DigestError, RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_wait_then_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)  # 3 a minute: one every 20 s
    for _ in range(3):
        limiter.check("u1")
    with pytest.raises(RateLimited) as error:
        limiter.check("u1")
    assert error.value.retry_after == 20
    assert "20" in error.value.message_for("en") and "20 秒" in error.value.message_for("zh")
    assert isinstance(error.value, DigestError)
    clock.now += 19.5
    with pytest.raises(RateLimited) as almost:
        limiter.check("u1")
    assert almost.value.retry_after == 1  # 0.5 s rounds up, never "0 seconds"
    clock.now += 0.5
    limiter.check("u1")


def test_keys_are_independent() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 10, clock=clock)
    limiter.check("alice")
    limiter.check("bob")
    with pytest.raises(RateLimited):
        limiter.check("alice")


def test_burst_separate_from_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 5, burst=2, clock=clock)
    assert limiter.wait_seconds("k") == 0 and limiter.wait_seconds("k") == 0
    assert limiter.wait_seconds("k") == pytest.approx(5)
    clock.now += 100  # refills only up to the burst
    assert [limiter.wait_seconds("k") for _ in range(3)][-1] > 0


def test_refused_calls_do_not_consume() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 10, clock=clock)
    limiter.check("k")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.check("k")
    clock.now += 10
    limiter.check("k")


def test_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 1, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.check(f"user{i}")
        clock.now += 0.01
    assert len(limiter) <= 100


@pytest.mark.parametrize("args", [(0, 1), (1, 0), (1, -1)])
def test_bad_configuration(args: tuple[int, float]) -> None:
    with pytest.raises(ValueError):
        RateLimiter(*args)
