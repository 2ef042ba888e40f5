"""The callback over real HTTP: URL verification, signatures, safe mode, retries, late answers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from domain.types import PaperMeta
from storage.db import Database
from storage.queries.papers import upsert_papers
from tests.e2e.wechat_harness import new_aes_key, serve
from tests.factories import make_paper
from tests.fakes.wechat_client import message_xml


@pytest.mark.parametrize("safe", [False, True])
async def test_url_verification_plain_and_safe(sqlite_db: Database, safe: bool) -> None:
    async with serve(sqlite_db, aes_key=new_aes_key() if safe else None) as h:
        response = await h.wechat.verify_url("echo-12345")
        assert response.status_code == 200 and response.text == "echo-12345"
        forged = await h.wechat.verify_url("echo-12345", forged=True)
        assert forged.status_code == 403 and "echo-12345" not in forged.text


@pytest.mark.parametrize("safe", [False, True])
async def test_messages_plain_and_safe_mode(sqlite_db: Database, safe: bool) -> None:
    async with serve(sqlite_db, aes_key=new_aes_key() if safe else None) as h:
        exchange = await h.wechat.text("o-user-1", "帮助")
        assert exchange.status == 200 and exchange.reply is not None
        assert "/subscribe" in exchange.reply and "<code>" not in exchange.reply
        if safe:  # the reply itself travelled encrypted
            assert "<Encrypt>" in exchange.body and "/subscribe" not in exchange.body


async def test_forged_signature_refused_and_logged(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve(sqlite_db) as h:
        exchange = await h.wechat.send(
            "o-x", {"MsgType": "text", "Content": "最新", "MsgId": "7"}, forged=True
        )
        assert exchange.status == 403 and exchange.reply is None
    assert "refused POST" in caplog.text and "bad signature" in caplog.text
    assert "wx-callback-token" not in caplog.text  # the token never reaches the log


async def test_forged_msg_signature_in_safe_mode_refused(sqlite_db: Database) -> None:
    async with serve(sqlite_db, aes_key=new_aes_key()) as h:
        query = h.wechat.query(openid="o-x", encrypt_type="aes", msg_signature="0" * 40)
        body = b"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[AAAA]]></Encrypt></xml>"
        response = await h.wechat.post_raw(body, query)
        assert response.status_code == 403


@pytest.mark.parametrize(
    "body", [b"", b"not xml", b"<xml><Foo>1</Foo></xml>", b"<xml>" + b"x" * 70_000 + b"</xml>"]
)
async def test_bad_bodies_refused_without_crashing(sqlite_db: Database, body: bytes) -> None:
    async with serve(sqlite_db) as h:
        response = await h.wechat.post_raw(body, h.wechat.query(openid="o-x"))
        assert response.status_code in (400, 413)
        assert (await h.wechat.text("o-x", "help")).reply  # still serving


async def test_retries_get_the_same_answer_from_one_execution(sqlite_db: Database) -> None:
    gate = asyncio.Event()
    calls: list[str] = []

    async def slow_fetch(arxiv_id: str, language: str) -> int | None:
        calls.append(arxiv_id)
        await gate.wait()
        return await _store(sqlite_db, make_paper(arxiv_id=arxiv_id, title="Gated Paper"))

    def release_on_third(attempt: int) -> None:
        if attempt == 3:
            gate.set()

    async with serve(sqlite_db, fetch_paper=slow_fetch) as h:
        h.wechat.timeout, h.wechat.before_attempt = 0.3, release_on_third
        exchange = await h.wechat.text("o-retry", "论文 2501.00042")
        assert exchange.attempts >= 3  # WeChat gave up on the first two and re-sent
        assert exchange.reply is not None and "Gated Paper" in exchange.reply
        assert calls == ["2501.00042"]  # executed once for all the retries
        assert h.outbox.sent == []  # answered in time: nothing sent later


async def test_slow_command_answers_now_and_sends_the_result_later(sqlite_db: Database) -> None:
    gate = asyncio.Event()

    async def slow_fetch(arxiv_id: str, language: str) -> int | None:
        await gate.wait()
        return await _store(sqlite_db, make_paper(arxiv_id=arxiv_id, title="Late Paper"))

    async with serve(sqlite_db, fetch_paper=slow_fetch, answer_within=0.2) as h:
        exchange = await h.wechat.text("o-slow", "paper 2501.00077")
        assert exchange.attempts == 1 and exchange.reply is not None
        assert "正在处理" in exchange.reply
        gate.set()
        await asyncio.wait_for(h.outbox.arrived.wait(), 10)
        [(openid, text)] = h.outbox.sent
        assert openid == "o-slow" and "Late Paper" in text and len(text.encode()) <= 2048


async def _store(db: Database, meta: PaperMeta) -> int:
    async with db.session() as session:
        (paper_id,) = (await upsert_papers(session, papers=[meta])).paper_ids
    return paper_id


@pytest.mark.parametrize("safe", [False, True])
async def test_a_request_with_no_signature_at_all_is_refused(
    sqlite_db: Database, safe: bool
) -> None:
    """The rule guard: drop `signature` from an otherwise perfect request, GET and POST."""
    async with serve(sqlite_db, aes_key=new_aes_key() if safe else None) as h:
        query = h.wechat.query(echostr="echo-unsigned")
        del query["signature"]
        async with httpx.AsyncClient() as client:
            answer = await client.get(h.wechat.base_url, params=query)
        assert answer.status_code == 403 and "echo-unsigned" not in answer.text
        message = message_xml("o-unsigned", {"MsgType": "text", "Content": "帮助", "MsgId": "1"})
        body, signed = h.wechat.signed("o-unsigned", message)
        del signed["signature"]
        assert (await h.wechat.post_raw(body, signed)).status_code == 403
