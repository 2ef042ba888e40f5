"""The callback under attack, over real HTTP: missing and malformed signatures, stale or
non-numeric timestamps, replays (also after a restart, on SQLite and PostgreSQL), plain bodies
in safe mode, malformed messages (400, never a traceback), hostile reply text, and logs that
never carry a signature, nonce, echostr or timestamp."""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from bot.commands.context import Deps
from bot.wechat.security import sign
from bot.wechat.server import PATH, WeChatServer
from bot.wechat.xml import xml_text
from storage.db import Database
from tests.e2e.wechat_harness import TOKEN, Harness, listening, new_aes_key, serve
from tests.fakes.wechat_client import message_xml
from tests.wechat_inputs import MESSAGE, body, hostile_strings, malformed_bodies

REPLY_FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]
CLIENT_LOGGERS = ("httpx", "httpcore")  # the test's own client logs its URLs; not the server


def text_xml(openid: str, content: str = "帮助", msg_id: int = 1) -> str:
    return message_xml(openid, {"MsgType": "text", "Content": content, "MsgId": str(msg_id)})


async def post(h: Harness, body: bytes, query: dict[str, str]) -> httpx.Response:
    return await h.wechat.post_raw(body, query)


async def get(h: Harness, query: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(h.wechat.base_url, params=query)


def bad_signatures(good: str) -> list[str | None]:
    lengths = [n for n in range(0, 81, 3) if n != 40] + [39, 41, 64, 128, 4000]
    wrong_length = [("0123456789abcdef" * 300)[:n] for n in lengths]
    same_length = ["g" * 40, good.upper(), good[:-1] + " ", "０" * 40, "0" * 40, good[::-1]]
    return [None, "", *wrong_length, *same_length, good + "0", " " + good]


@pytest.mark.parametrize("safe", [False, True])
async def test_requests_without_a_valid_signature_are_refused(
    sqlite_db: Database, safe: bool
) -> None:
    async with serve(sqlite_db, aes_key=new_aes_key() if safe else None) as h:
        for signature in bad_signatures(h.wechat.query()["signature"]):
            get_query = h.wechat.query(echostr="echo-secret-1")
            body_, post_query = h.wechat.signed("o-sig", text_xml("o-sig"))
            for query in (get_query, post_query):
                query.pop("signature")
                if signature is not None:
                    query["signature"] = signature
            answer = await get(h, get_query)
            assert answer.status_code == 403 and "echo-secret-1" not in answer.text, signature
            assert (await post(h, body_, post_query)).status_code == 403, signature
        assert (await h.wechat.text("o-sig", "帮助")).reply  # a good one still works


async def test_timestamps_outside_the_window_or_not_digits_are_refused(
    sqlite_db: Database,
) -> None:
    now = int(time.time())
    outside = [now + d for d in (-330, 330, -900, 900, -86_400, 86_400, -(10**9), 10**9)]
    outside = [t for t in outside if t >= 0] + [0, 1, 9_999_999_999]
    not_digits = ["", " ", "-5", "+5", f"{now}.0", "1e9", "0x10", "²", "١٧٠٠٠٠٠٠٠٠", "１７００",
                  f" {now}", f"{now} ", f"-{now}", "9" * 11, "9" * 5000, "NaN",
                  str(now)[:5] + "a"]  # fmt: skip
    async with serve(sqlite_db) as h:
        for timestamp in [str(t) for t in outside] + not_digits:
            body_, query = h.wechat.signed("o-ts", text_xml("o-ts"), timestamp=timestamp)
            assert (await post(h, body_, query)).status_code in (400, 403), timestamp
            answer = await get(h, h.wechat.query(timestamp=timestamp, echostr="echo-ts"))
            assert answer.status_code in (400, 403) and "echo-ts" not in answer.text, timestamp
        for offset in (-270, -60, -1, 0, 1, 60, 270):  # inside the window: served
            answer = await get(h, h.wechat.query(timestamp=str(now + offset), echostr="ok"))
            assert answer.status_code == 200 and answer.text == "ok", offset


@pytest.mark.parametrize("safe", [False, True])
async def test_a_replayed_request_is_refused_even_after_a_restart(db: Database, safe: bool) -> None:
    async with serve(db, aes_key=new_aes_key() if safe else None) as h:
        captured = []
        for index in range(12):  # every first use is served
            openid = f"o-replay{index}"
            body_, query = h.wechat.signed(openid, text_xml(openid, msg_id=900 + index))
            first = await post(h, body_, query)
            assert first.status_code == 200 and h.wechat.reply_xml(first), index
            captured.append((body_, query))
        echo_query = h.wechat.query(echostr="echo-once")
        assert (await get(h, echo_query)).text == "echo-once"
        for body_, query in captured:  # the same requests again: refused
            assert (await post(h, body_, query)).status_code == 403
        assert (await get(h, echo_query)).status_code == 403
        # A restarted process or another instance: its own engine on the same database.
        other_db = Database(db.url)
        other = WeChatServer(
            Deps(settings=h.server.deps.settings, db=other_db), send_later=h.outbox.send_later
        )
        try:
            async with listening(other) as port, httpx.AsyncClient() as client:
                url = f"http://127.0.0.1:{port}{PATH}"
                for body_, query in captured:
                    answer = await client.post(url, params=query, content=body_)
                    assert answer.status_code == 403
                assert (await client.get(url, params=echo_query)).status_code == 403
                fresh_body, fresh = h.wechat.signed("o-new", text_xml("o-new", msg_id=999))
                assert (await client.post(url, params=fresh, content=fresh_body)).status_code == 200
        finally:
            await other.close()
            await other_db.dispose()


async def test_safe_mode_accepts_only_encrypted_bodies(sqlite_db: Database) -> None:
    async with serve(sqlite_db, aes_key=new_aes_key()) as h:
        for index in range(10):
            openid = f"o-plain{index}"
            xml = text_xml(openid, "最新", msg_id=500 + index).encode()
            for extra in ({}, {"encrypt_type": "raw"}, {"encrypt_type": ""}):
                answer = await post(h, xml, h.wechat.query(openid=openid, **extra))
                assert answer.status_code == 403 and "<xml>" not in answer.text
            # claiming aes while sending the plain message: no Encrypt, no msg_signature
            plain_as_aes = h.wechat.query(openid=openid, encrypt_type="aes")
            assert (await post(h, xml, plain_as_aes)).status_code == 403
            signed_empty = {**h.wechat.query(openid=openid, encrypt_type="aes")}
            signed_empty["msg_signature"] = sign(
                TOKEN, signed_empty["timestamp"], signed_empty["nonce"], ""
            )
            assert (await post(h, xml, signed_empty)).status_code in (400, 403)
        assert (await h.wechat.text("o-plain0", "帮助")).reply  # the encrypted form works


@contextmanager
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Every record the server side emits at DEBUG and above during the block."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        records: list[logging.LogRecord] = []
        yield records
        records.extend(r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS))


@pytest.mark.parametrize("safe", [False, True])
async def test_malformed_messages_are_400_without_a_traceback(
    sqlite_db: Database, safe: bool, caplog: pytest.LogCaptureFixture
) -> None:
    bodies = malformed_bodies()
    async with serve(sqlite_db, aes_key=new_aes_key() if safe else None) as h:
        with server_log(caplog) as records:
            for raw in bodies:
                body_, query = h.wechat.signed("o-bad", raw)
                answer = await post(h, body_, query)
                assert answer.status_code == 400, raw[:80]
                assert "Traceback" not in answer.text and len(answer.text) < 200
            if safe:  # broken envelopes around the encryption
                for envelope in _bad_envelopes():
                    query = h.wechat.query(openid="o-bad", encrypt_type="aes")
                    query["msg_signature"] = sign(TOKEN, query["timestamp"], query["nonce"], "QUJD")
                    assert (await post(h, envelope, query)).status_code in (400, 403)
            for query in _bad_queries(h):
                body_, _ = h.wechat.signed("o-bad", text_xml("o-bad"))
                async with httpx.AsyncClient() as client:
                    url = f"{h.wechat.base_url}?{query}"
                    answer = await client.post(url, content=body_)
                assert answer.status_code in (400, 403), query
        assert (await h.wechat.text("o-bad", "帮助")).reply  # still serving
    assert records, "the server logged nothing: the capture is broken"
    assert not [r for r in records if r.exc_info], "a traceback was logged"
    assert not [r for r in records if r.levelno >= logging.ERROR]
    assert any(r.name == "bot.server.access" for r in records)


def _bad_envelopes() -> list[bytes]:
    return [
        b"",
        b"<xml><Encrypt>QUJD</Encrypt><Encrypt>QUJD</Encrypt></xml>",
        b"<xml><Encrypt><a>QUJD</a></Encrypt></xml>",
        b"<xml><Encrypt>QUJD</Encrypt></xml>",  # signed, but not AES of anything
        b"<xml><Encrypt>\xff\xfe</Encrypt></xml>",
        b"<root><Encrypt>QUJD</Encrypt></root>",
    ]


def _bad_queries(h: Harness) -> list[str]:
    good = h.wechat.query(openid="o-bad")
    pairs = "&".join(f"{k}={v}" for k, v in good.items())
    return [
        f"{pairs}&signature={good['signature']}",  # a repeated signature
        f"{pairs}&nonce=other",
        f"{pairs}&timestamp=1",
        pairs.replace(f"nonce={good['nonce']}", "nonce=%ff%fe"),
        pairs.replace(f"signature={good['signature']}", "signature=%ff"),
        pairs.replace(f"nonce={good['nonce']}", "nonce=" + "a" * 300),
        pairs.replace(f"nonce={good['nonce']}", "nonce=%3Cx%3E"),
        pairs.replace(f"nonce={good['nonce']}", "nonce="),
    ]


@pytest.mark.parametrize("safe", [False, True])
async def test_user_text_never_changes_the_reply_xml(sqlite_db: Database, safe: bool) -> None:
    hostile = [t for t in hostile_strings() if t.strip() and xml_text(t) == t]
    chosen = hostile[:: max(1, len(hostile) // 40)][:40]
    chosen += ["]]><Content>injected</Content><![CDATA[", "x]]></Content><MsgType>news</MsgType>"]
    async with serve(sqlite_db, aes_key=new_aes_key() if safe else None) as h:
        for index, text in enumerate(chosen):
            openid = f"o-inject{index}"  # one user each: /search is flood-limited per user
            body_, query = h.wechat.signed(openid, text_xml(openid, text, msg_id=7000 + index))
            answer = await post(h, body_, query)
            assert answer.status_code == 200, text
            xml = h.wechat.reply_xml(answer)
            assert xml is not None
            root = ET.fromstring(xml.encode())
            assert [child.tag for child in root] == REPLY_FIELDS, text
            assert all(len(child) == 0 for child in root)
            assert root.findtext("ToUserName") == openid and root.findtext("MsgType") == "text"
            content = root.findtext("Content") or ""
            if "]]>" in text:  # the search echoes the query: the terminator came back as text
                assert "]]>" in content, text


async def test_no_log_line_carries_query_values(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    secrets_seen: set[str] = set()

    def remember(query: dict[str, str]) -> dict[str, str]:
        for name in ("signature", "msg_signature", "nonce", "echostr", "timestamp"):
            if query.get(name):
                secrets_seen.add(query[name])
        return query

    with server_log(caplog) as records:
        for aes_key in (None, new_aes_key()):
            async with serve(sqlite_db, aes_key=aes_key) as h:
                for index in range(6):
                    openid = f"o-log{index}"
                    body_, query = h.wechat.signed(openid, text_xml(openid, msg_id=8000 + index))
                    remember(query)
                    assert (await post(h, body_, query)).status_code == 200
                    assert (await post(h, body_, query)).status_code == 403  # replay
                    forged_body, forged = h.wechat.signed(openid, b"<xml/>", forged=True)
                    assert (await post(h, forged_body, remember(forged))).status_code == 403
                    stale_body, stale = h.wechat.signed(openid, text_xml(openid), timestamp="1")
                    assert (await post(h, stale_body, remember(stale))).status_code == 403
                    bad_body, bad = h.wechat.signed(openid, MESSAGE["Content"].encode())
                    assert (await post(h, bad_body, remember(bad))).status_code == 400
                    echo = remember(h.wechat.query(echostr=f"echo-{index}-zq"))
                    assert (await get(h, echo)).status_code == 200
                    await get(h, echo)  # replayed echo
                    missing = await post(h, body(MESSAGE), {"echostr": f"echo-missing-{index}"})
                    assert missing.status_code == 403
                    secrets_seen.add(f"echo-missing-{index}")
                    async with httpx.AsyncClient() as client:  # a path we do not serve
                        await client.get(h.wechat.base_url + "x", params=echo)
    secrets_seen.discard("1")
    assert any(r.name == "bot.server.access" for r in records)
    for record in records:
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info)
                                      if record.exc_info else "")  # fmt: skip
        leaked = [value for value in secrets_seen if value in text]
        assert not leaked, (record.name, text)
