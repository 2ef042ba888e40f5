"""WeChat's five-second rule: one execution per message, an answer in time, the rest later.

WeChat drops a request it has no answer to within 5 s and sends the same message again (three
times). Each message runs once, keyed by MsgId; a retry waits for that same run. When the run
takes longer than `answer_within`, the request is answered at once ("working on it") and the
result goes out later through the customer-service API (`send_later`), exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

SendLater = Callable[[str, str], Awaitable[None]]  # (openid, text)


@dataclass
class _Run:
    openid: str
    task: asyncio.Task[str]
    started: float
    deferred: bool = False  # a request gave up waiting: the result goes through send_later


@dataclass
class Inflight:
    """Runs keyed by message; kept `ttl` seconds so late retries still find theirs."""

    send_later: SendLater
    answer_within: float = 4.5
    ttl: float = 120.0
    max_runs: int = 10_000
    _runs: OrderedDict[str, _Run] = field(default_factory=OrderedDict)
    _sends: set[asyncio.Task[None]] = field(default_factory=set)

    async def answer(self, key: str, openid: str, work: Callable[[], Awaitable[str]]) -> str | None:
        """The answer text ("" once it went out later); None: not ready, say "working on it"."""
        self._forget_old()
        run = self._runs.get(key)
        if run is None:
            run = self._start(key, openid, work)
        elif run.task.done() and run.deferred:
            return ""  # the result was (or is being) sent by send_later; don't repeat it
        try:
            text = await asyncio.wait_for(asyncio.shield(run.task), self.answer_within)
        except TimeoutError:
            run.deferred = True
            return None
        return "" if run.deferred else text

    def has(self, key: str) -> bool:
        """Whether this process runs (or recently ran) the message `key`."""
        return key in self._runs

    async def drain(self) -> None:
        """Until every deferred result has been handed to send_later (tests, shutdown)."""
        pending = [run.task for run in self._runs.values() if not run.task.done()]
        await asyncio.gather(*pending, return_exceptions=True)
        while self._sends:
            await asyncio.gather(*list(self._sends), return_exceptions=True)

    def _start(self, key: str, openid: str, work: Callable[[], Awaitable[str]]) -> _Run:
        run = _Run(openid, asyncio.ensure_future(work()), time.monotonic())
        run.task.add_done_callback(lambda _: self._finished(run))
        self._runs[key] = run
        return run

    def _finished(self, run: _Run) -> None:
        if not run.deferred or run.task.cancelled():
            return
        error = run.task.exception()
        if error is not None:
            log.error("wechat: deferred answer failed", exc_info=error)
            return
        text = run.task.result()
        if text:
            send = asyncio.ensure_future(self._send(run.openid, text))
            self._sends.add(send)
            send.add_done_callback(self._sends.discard)

    async def _send(self, openid: str, text: str) -> None:
        try:
            await self.send_later(openid, text)
        except Exception:  # the platform refused or is down: logged, the user can ask again
            log.exception("wechat: customer-service message failed")

    def _forget_old(self) -> None:
        now = time.monotonic()
        while self._runs:
            key, oldest = next(iter(self._runs.items()))
            expired = now - oldest.started > self.ttl and oldest.task.done()
            if not expired and len(self._runs) <= self.max_runs:
                return
            del self._runs[key]
