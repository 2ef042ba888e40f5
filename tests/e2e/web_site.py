"""The public web archive as a reader meets it: a real `digestbot run` process serving a real
SQLite file seeded with published issues of real papers, a draft and a rejected issue that must
never be reachable, and one paper whose title and abstract are hostile markup.

Why a process and not `bot.server.serve` in-process: the browser tests then exercise exactly what
an operator runs (settings from the environment, the composition root's routes, uvicorn, the
access log), and the browser's event loop (Playwright's sync API) never shares a loop with the
server. One site is started per test module (a second or two) and only read from: nothing on
the web changes state.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image
from sqlalchemy import update

from domain.types import IssueStatus, PaperMeta, SummaryContent
from storage.db import Database
from storage.models import Issue
from storage.queries.fulltext import NewFigure, save_figure
from storage.queries.issues import NewItem, create_issue
from storage.queries.papers import get_paper
from tests.e2e.cli_process import DIGESTBOT
from tests.factories import store_paper
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

LISTENING = re.compile(r"HTTP server listening on http://127\.0\.0\.1:(\d+)")
HOSTILE_ID = "2404.00666"
PWN = "window.__pwned=1"
HOSTILE_TITLE = (
    f'<script>{PWN}</script> Attention <img src=x onerror="{PWN}"> & Tom &amp; Jerry'
    r" </title> in $\mathcal{O}(n^2)$ <b>bold</b> <!-- x -->"
)
HOSTILE_ABSTRACT = (
    f'We show <iframe src="javascript:{PWN}"></iframe> that $x < y$ & $a_{{i}} > b$ '
    f'<a href="javascript:{PWN}">click</a> <svg onload="{PWN}"></svg> holds for \\emph{{all}} n.'
)
HOSTILE_TITLE_ZH = f"<script>{PWN}</script>《注意力》&lt;全都要&gt;"
# A never-firing schedule for the test's minutes: nothing composes or publishes under the pages.
QUIET_CRON = "0 0 1 1 *"


def _wide_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 500), "steelblue").save(out, format="PNG")
    return out.getvalue()


# Key figures (`/figures/<id>.png`): wider than any screen, so 420 px must scale them down.
FIGURE = NewFigure("Figure 1", "Overview of the method.", "image/png", 1600, 500,
                   "https://arxiv.org/html/2404.00001v1/x1.png", _wide_png())  # fmt: skip


@dataclass(frozen=True)
class Site:
    base: str  # http://127.0.0.1:PORT
    published: tuple[int, ...]  # issue numbers a reader may see
    hidden: tuple[int, ...]  # draft and rejected: never reachable
    hostile_id: str = HOSTILE_ID
    log: list[str] = field(default_factory=list)  # the process's stderr so far


def hostile_paper() -> tuple[PaperMeta, SummaryContent]:
    """A paper whose every shown field is markup that would run if it were not escaped."""
    seed = load_seed_papers()[0]
    meta = replace(seed_meta(seed), arxiv_id=HOSTILE_ID, title=HOSTILE_TITLE,
                   abstract=HOSTILE_ABSTRACT)  # fmt: skip
    content = seed_summary(seed).model_copy(
        update={
            "title_translated": HOSTILE_TITLE_ZH,
            "tldr": f"<b>{PWN}</b> & 全角标点：“引号”，逗号。",
        }
    )
    return meta, content


async def seed_archive(db: Database) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Issues 1 and 2 published (8 seed papers each, the hostile paper in issue 2; a key figure
    on each one's first paper and on the hostile one, captioned with its title), 3 rejected
    and 4 a draft (2 papers each); returns (published, hidden) numbers."""
    seeds = load_seed_papers()
    papers = [(seed_meta(s), seed_summary(s)) for s in seeds]
    papers.insert(15, hostile_paper())
    batches = (papers[0:8], papers[8:16], papers[16:18], papers[18:20])
    statuses = (IssueStatus.PUBLISHED, IssueStatus.PUBLISHED, IssueStatus.REJECTED,
                IssueStatus.DRAFT)  # fmt: skip
    async with db.session() as session:
        for number, (batch, status) in enumerate(zip(batches, statuses, strict=True), start=1):
            ids = [await store_paper(session, meta, content) for meta, content in batch]
            if status is IssueStatus.PUBLISHED:  # a wide key figure on the first paper
                await save_figure(session, paper_id=ids[0], paper_version=1, figure=FIGURE)
            await create_issue(
                session, number=number, title=f"ML Papers 第{number}期", language="zh",
                period_start=date(2024, 3, 2 * number), period_end=date(2024, 3, 2 * number + 1),
                items=[NewItem(paper_id=i, summary_id=None) for i in ids], status=status,
            )  # fmt: skip
            if status is IssueStatus.PUBLISHED:
                published_at = datetime(2024, 3, 2 * number + 1, 10, tzinfo=UTC)
                await session.execute(
                    update(Issue).where(Issue.number == number).values(published_at=published_at)
                )
        hostile = await get_paper(session, arxiv_id=HOSTILE_ID)
        assert hostile is not None
        await save_figure(session, paper_id=hostile.id, paper_version=1,
                          figure=replace(FIGURE, caption=HOSTILE_TITLE))  # fmt: skip
    return (1, 2), (3, 4)


def site_env(db_path: Path, **extra: str) -> dict[str, str]:
    """`server_env` over the SQLite file `db_path`, at home in its folder."""
    return server_env(f"sqlite+aiosqlite:///{db_path}", db_path.parent, **extra)


def server_env(database_url: str, home: Path | str, **extra: str) -> dict[str, str]:
    """`digestbot run` as a server (WeChat's callback mode: no console, no push platform)
    over `database_url`, arXiv unreachable at once, the schedule quiet (also `bench web`'s)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PTB_TIMEDELTA": "true",
        "DATABASE_URL": database_url,
        "HTTP_LISTEN": "127.0.0.1:0",
        "WECHAT_TOKEN": "browsertoken",
        "ARXIV_API_URL": "http://127.0.0.1:9/api/query",
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
        "ARXIV_RETRIES": "0",
        "FETCH_CRON": QUIET_CRON,
        "ISSUE_CRON": QUIET_CRON,
        "PUBLISH_CRON": QUIET_CRON,
        **extra,
    }


@contextmanager
def running_site(folder: Path) -> Iterator[Site]:
    """Seed a fresh database in `folder`, start `digestbot run` on it, yield where it listens."""
    db_path = folder / "site.db"
    published, hidden = asyncio.run(_seeded(db_path))
    proc = subprocess.Popen(
        [str(DIGESTBOT), "run"], env=site_env(db_path), cwd=folder,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    log: list[str] = []
    drained = threading.Thread(target=_drain, args=(proc, log), daemon=True)
    drained.start()
    try:
        port = _listening_port(proc, log)
        yield Site(f"http://127.0.0.1:{port}", published, hidden, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        drained.join(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()


async def _seeded(db_path: Path) -> tuple[tuple[int, ...], tuple[int, ...]]:
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    try:
        await db.upgrade()
        return await seed_archive(db)
    finally:
        await db.dispose()


def _drain(proc: subprocess.Popen[str], log: list[str]) -> None:
    """Keep reading the server's stderr (a full pipe would block it) into `log`."""
    assert proc.stderr is not None
    for line in proc.stderr:
        log.append(line)


def _listening_port(proc: subprocess.Popen[str], log: list[str]) -> int:
    """The port from the server's log line, once it is there."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        for line in list(log):
            if match := LISTENING.search(line):
                return int(match.group(1))
        time.sleep(0.05)
    raise AssertionError("digestbot run did not start serving:\n" + "".join(log))
