"""Generated hostile inputs for the WeChat callback: reply texts and message bodies.

Shared by the unit tests of the XML module and the end-to-end tests over HTTP, so both try
the same classes of input (seeded, so a failure reproduces).
"""

from __future__ import annotations

import itertools
import random

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
