"""Real `digestbot run` processes and their one HTTP server: Telegram's webhook through it
(the fake Bot API posting updates; a bad or missing secret is a 403 and nothing is handled),
/readyz and /metrics in webhook mode, a clean SIGTERM, a port already in use (one line naming
HTTP_LISTEN, exit 2), and the console, which opens no port unless HTTP_LISTEN says so."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.cli_process import DIGESTBOT, base_env, digestbot
from tests.e2e.http_helpers import parse
from tests.fakes.telegram_server import FakeTelegram

DEAD_ARXIV = {"ARXIV_API_URL": "http://127.0.0.1:9/api/query",
              "ARXIV_RSS_URL": "http://127.0.0.1:9/rss", "ARXIV_RETRIES": "0"}  # fmt: skip
LISTENING = re.compile(r"HTTP server listening on http://127\.0\.0\.1:(\d+) \(([^)]*)\)")
SECRET = "s3cret-token"


@dataclass
class Running:
    proc: asyncio.subprocess.Process
    port: int
    paths: list[str]
    stderr: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def _running(env: dict[str, str], cwd: Path, ready: str) -> AsyncIterator[Running]:
    """`digestbot run` until its log says `ready`, with its HTTP port from the log line."""
    proc = await asyncio.create_subprocess_exec(
        str(DIGESTBOT), "run", env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not any(ready in line for line in lines) or not _listening(lines):
                line = (await proc.stderr.readline()).decode()
                assert line, "digestbot run ended early:\n" + "".join(lines)
                lines.append(line)
        port, paths = _listening(lines) or (0, [])
        yield Running(proc, port, paths, lines)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()


def _listening(lines: list[str]) -> tuple[int, list[str]] | None:
    for line in lines:
        if found := LISTENING.search(line):
            return int(found.group(1)), found.group(2).split(", ")
    return None


async def _stopped(run: Running) -> str:
    """SIGTERM, then the rest of stderr once the process has ended."""
    run.proc.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(run.proc.communicate(), timeout=30)
    return "".join(run.stderr) + rest.decode()


async def test_webhook_mode_serves_updates_health_and_metrics_on_one_port(tmp_path: Path) -> None:
    port = _free_port()
    with FakeTelegram() as fake:
        env = base_env(
            tmp_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.url,
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg-hook",
            TELEGRAM_WEBHOOK_SECRET=SECRET, HTTP_LISTEN=f"127.0.0.1:{port}", **DEAD_ARXIV,
        )  # fmt: skip
        async with _running(env, tmp_path, "telegram bot @") as run:
            assert run.port == port
            assert run.paths == ["/healthz", "/readyz", "/metrics", "/tg-hook"]
            assert fake.webhook is not None and fake.webhook["secret_token"] == SECRET
            ann = fake.user(language_code="en")
            forged = await fake.apost_webhook_update(fake.send_text(ann, "/help"), secret="wrong")
            missing = await fake.apost_webhook_update(fake.send_text(ann, "/help"), secret=None)
            accepted = await fake.apost_webhook_update(fake.send_text(ann, "/nosuch"))
            (reply,) = await fake.wait_for_sent(ann, timeout=15)
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient() as client:
                ready = await client.get(f"{base}/readyz")
                scraped = parse((await client.get(f"{base}/metrics")).text)
                home = await client.get(f"{base}/")  # the web archive, on the same port
                unpublished = await client.get(f"{base}/issues/1")
            log = await _stopped(run)
    assert (forged, missing, accepted) == (403, 403, 200)
    # Updates of a chat are handled in order: had a refused one been queued, its /help answer
    # would have come before this one.
    assert "There is no command /nosuch" in reply.text
    assert [m.text for m in fake.sent(ann)] == [reply.text]
    assert ready.status_code == 200
    assert home.status_code == 200 and "content-security-policy" in home.headers
    assert unpublished.status_code == 404 and "<h1>" in unpublished.text
    assert ready.json() == {"ready": True, "checks": {"database": "ok", "telegram": "ok"}}
    depth = ("digestbot_delivery_queue_depth", frozenset({("platform", "telegram")}))
    assert scraped[depth] == 0
    assert any(name == "process_resident_memory_bytes" for name, _ in scraped)
    assert run.proc.returncode == 0, log
    assert "Traceback" not in log and SECRET not in log
    assert "refused a request without the right secret token" in log


async def test_a_port_in_use_is_one_line_naming_http_listen(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = base_env(tmp_path, WECHAT_TOKEN="callback-token", HTTP_LISTEN=f"127.0.0.1:{port}")
        ran = await asyncio.to_thread(digestbot, "run", env=env, cwd=tmp_path)
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output
    assert ran.err_lines == [
        f"HTTP_LISTEN='127.0.0.1:{port}': cannot listen there (address already in use) — stop "
        "what uses that port or set HTTP_LISTEN to a free host:port"
    ]


async def test_the_wechat_only_server_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = base_env(tmp_path, WECHAT_TOKEN="callback-token", **DEAD_ARXIV)
    async with _running(env, tmp_path, "scheduler started") as run:
        assert run.paths == ["/healthz", "/readyz", "/metrics", "/wechat"]
        async with httpx.AsyncClient() as client:
            alive = await client.get(f"http://127.0.0.1:{run.port}/healthz")
        log = await _stopped(run)
    assert alive.status_code == 200
    assert run.proc.returncode == 0, log
    assert "Traceback" not in log


async def test_the_console_opens_no_port_unless_http_listen_is_set(tmp_path: Path) -> None:
    quiet = {k: v for k, v in base_env(tmp_path, **DEAD_ARXIV).items() if k != "HTTP_LISTEN"}
    unset = await asyncio.to_thread(digestbot, "run", env=quiet, cwd=tmp_path)
    (tmp_path / "second").mkdir()
    explicit = base_env(tmp_path / "second", **DEAD_ARXIV)  # HTTP_LISTEN=127.0.0.1:0
    served = await asyncio.to_thread(digestbot, "run", env=explicit, cwd=tmp_path / "second")
    assert unset.code == 0 and served.code == 0, unset.output + served.output
    assert "the console front end" in unset.stdout
    assert "HTTP server listening" not in unset.stderr
    assert _listening(served.stderr.splitlines()) is not None
