"""Message XML: replies keep user text as text whatever it contains; odd bodies are Malformed."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from bot.wechat.xml import Malformed, cdata, parse_incoming, text_reply, xml_text
from tests.wechat_inputs import MESSAGE, PIECES, body, hostile_strings, malformed_bodies

REPLY_FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]


def parse_reply(xml: str) -> ET.Element:
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "xml"
    assert [child.tag for child in root] == REPLY_FIELDS  # nothing added, nothing nested
    assert all(len(child) == 0 for child in root)
    return root


def test_reply_content_is_exactly_the_text_for_hostile_strings() -> None:
    for text in hostile_strings():
        root = parse_reply(text_reply(to_user="o-1", from_user="gh_1", content=text, create_time=1))
        assert len(root.findall("Content")) == 1
        assert (root.findtext("Content") or "") == xml_text(text), repr(text)
        assert root.findtext("MsgType") == "text" and root.findtext("ToUserName") == "o-1"


def test_text_without_forbidden_characters_is_unchanged() -> None:
    forbidden = {"\x00", "\x01", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff", "\r\n", "\r"}
    forbidden |= {chr(0xD800), chr(0xDFFF)}
    legal = [piece for piece in PIECES if piece not in forbidden]
    rng = random.Random(5)
    for _ in range(500):
        text = "".join(rng.choices(legal, k=rng.randint(1, 40)))
        assert xml_text(text) == text, repr(text)
        root = parse_reply(text_reply(to_user="o", from_user="g", content=text, create_time=0))
        assert root.findtext("Content") == text


def test_only_what_xml_cannot_carry_is_dropped() -> None:
    assert xml_text("a\x00b\x01c\x1fd\x7fe") == "abcd\x7fe"  # DEL is a legal XML character
    assert xml_text("a\r\nb\rc\n") == "a\nb\nc\n"  # what any XML parser would return
    assert xml_text("\ud800x\ufffe\uffff😀") == "x😀"


def test_cdata_splits_every_terminator() -> None:
    for count in range(1, 40):
        text = "]]>" * count
        section = cdata(text)
        assert section.count("<![CDATA[") == count + 1
        assert ET.fromstring(f"<a>{section}</a>").text == text


def test_malformed_messages_are_refused() -> None:
    for raw in malformed_bodies():
        with pytest.raises(Malformed):
            parse_incoming(raw)


def test_well_formed_messages_are_read() -> None:
    message = parse_incoming(body(MESSAGE))
    assert (message.source, message.target, message.type) == ("o-user_1", "gh_1", "text")
    assert (message.id, message.create_time, message.content) == (
        1234567890123456789,
        1700000000,
        "hi",
    )
    plain = {k: v for k, v in MESSAGE.items() if k not in ("Content", "MsgId")}
    follow = {**plain, "MsgType": "event", "Event": "subscribe", "EventKey": "qrscene_1"}
    event = parse_incoming(body(follow))
    assert (event.type, event.event, event.id) == ("event", "subscribe_scan", None)
    cdata_body = (
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]>"
        "</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[a]]]]><![CDATA[>b <&>]]></Content>"
        "<MsgId>18446744073709551615</MsgId></xml>"
    )
    message = parse_incoming(cdata_body.encode())
    assert message.content == "a]]>b <&>" and message.id == 2**64 - 1
