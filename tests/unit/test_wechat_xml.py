"""Message XML: replies keep user text as text whatever it contains; odd bodies are Malformed."""

from __future__ import annotations

import itertools
import random
import xml.etree.ElementTree as ET

import pytest

from bot.wechat.xml import Malformed, cdata, parse_incoming, text_reply, xml_text

REPLY_FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]
PIECES = ["]]>", "]]", "]", ">", "<", "&", "&amp;", "<![CDATA[", "]]]]>>", "<Content>x</Content>",
          "</xml>", "<xml>", "'", '"', "\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\t", "\n",
          "\r\n", "\r", "\ufffe", "\uffff", chr(0xD800), chr(0xDFFF), "😀", "中文", "é",
          "\u200b", "👨‍👩‍👧", "&#x0;", "&lt;", "]]>]]>", "<!--", "-->", "<?xml?>", "%",
          "\\", " "]  # fmt: skip


def hostile_strings() -> list[str]:
    rng = random.Random(8)
    fixed = PIECES + ["".join(pair) for pair in itertools.product(PIECES[:12], repeat=2)]
    mixed = ["".join(rng.choices(PIECES, k=rng.randint(1, 30))) for _ in range(300)]
    near_2048 = [("中" * 682) + tail for tail in ("", "]", "]]", "]]>", "a]]>", "😀")]
    near_2048 += ["]]>" * 682 + "]", "x" * 2045 + "]]>", "x" * 2046 + "]]>x"]
    return fixed + mixed + near_2048


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


MESSAGE = {"ToUserName": "gh_1", "FromUserName": "o-user_1", "CreateTime": "1700000000",
           "MsgType": "text", "Content": "hi", "MsgId": "1234567890123456789"}  # fmt: skip


def body(fields: dict[str, str], root: str = "xml") -> bytes:
    inner = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())
    return f"<{root}>{inner}</{root}>".encode()


def malformed_bodies() -> list[bytes]:
    numbers = ["9" * 5000, "1" * 21, str(2**64), "-1", "-0", "+1", "1.5", "1e9", "0x10", "²",
               "١٢٣", "１２３", " ", "", "12 34", "NaN", "inf"]  # fmt: skip
    bodies = [body({**MESSAGE, "MsgId": n}) for n in numbers]
    bodies += [body({**MESSAGE, "CreateTime": n}) for n in [*numbers, "9" * 11]]
    bodies += [body({k: v for k, v in MESSAGE.items() if k != drop}) for drop in
               ("ToUserName", "FromUserName", "CreateTime", "MsgType")]  # fmt: skip
    bodies += [body({**MESSAGE, name: ""}) for name in ("FromUserName", "MsgType", "ToUserName")]
    bodies += [body({**MESSAGE, "FromUserName": bad}) for bad in
               ("o 1", "o<1", "x" * 65, "用户", "o\t1", "o;1", "a/b")]  # fmt: skip
    bodies += [body({**MESSAGE, "MsgType": "event"})]  # an event without Event
    nested = [f"<xml><FromUserName><a>o</a></FromUserName>{body(MESSAGE).decode()[5:]}",
              body(MESSAGE).replace(b"<Content>hi</Content>", b"<Content><b>hi</b></Content>"),
              body(MESSAGE).replace(b"</xml>", b"<x><y><z/></y></x></xml>")]  # fmt: skip
    bodies += [n.encode() if isinstance(n, str) else n for n in nested]
    for name in MESSAGE:  # each field twice
        bodies.append(body(MESSAGE).replace(b"</xml>", f"<{name}>x</{name}></xml>".encode()))
    bodies += [body(MESSAGE, root) for root in ("XML", "root", "message", "Xml")]
    bodies += [b"", b" ", b"not xml", b"<xml>", b"</xml>", b"<xml/>", b"<xml></xml>", b"\x00",
               b"<xml>text<MsgType>text</MsgType></xml>", b"<?xml version='1.0'?>",
               b'<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>',
               b'<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml/>',
               body(MESSAGE).replace(b"hi", b"&undefined;")]  # fmt: skip
    bodies += [bytes([byte]) + body(MESSAGE) for byte in (0x80, 0xFF, 0xC0, 0xFE)]
    not_utf8 = (b"\xff", b"\xc3\x28", b"\xe4\xb8", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80")
    bodies += [body(MESSAGE).replace(b"hi", bad) for bad in not_utf8]
    bodies += [body(MESSAGE).replace(b"hi", b"x" * 20_000)]
    return bodies


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
