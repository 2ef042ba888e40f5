"""WeChat's message XML, read strictly and written so that user text can never change it.

Reading: expat directly, with no DOCTYPE (so no entities, external or exponential), a root
`<xml>` of flat, unrepeated fields, and each field checked (an openid is a short plain string,
numbers are ASCII digits of sane length). Anything else is `Malformed`, which the server turns
into a 400: a generic parser plus attribute access would hand us stringified lists for repeated
elements and raise deep inside for a 5,000-digit MsgId.

Writing: every text goes into CDATA with `]]>` split across two sections, after dropping what
XML 1.0 cannot carry at all (most control characters), so a search for `]]><Foo>` is echoed as
text instead of adding an element to the passive reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from domain.identity import OPENID_SHAPE

MAX_FIELDS = 64
MAX_FIELD_CHARS = 16 * 1024
_NAME = re.compile(r"[A-Za-z0-9_]{1,64}", re.ASCII)
_MSG_ID = re.compile(r"[0-9]{1,20}", re.ASCII)  # WeChat's MsgId is a 64-bit integer
_CREATE_TIME = re.compile(r"[0-9]{1,10}", re.ASCII)  # Unix seconds
_MAX_MSG_ID = 2**64 - 1
# XML 1.0 Char: tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Malformed(ValueError):
    """The body is not a WeChat message; the text says why (no input echoed back)."""


@dataclass(frozen=True)
class Incoming:
    """One message or event, checked; the names follow wechatpy's message objects."""

    source: str  # FromUserName: the follower's openid
    target: str  # ToUserName: our account
    type: str  # MsgType, lower-case
    create_time: int
    id: int | None = None  # MsgId (events have none)
    content: str = ""  # Content of a text message
    event: str = ""  # Event, lower-case (subscribe_scan for a follow through a QR code)
    fields: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


def parse_incoming(body: bytes) -> Incoming:
    """The message in `body` (UTF-8 XML); Malformed for anything WeChat would not send."""
    return _checked(read_fields(body))


def read_fields(body: bytes) -> dict[str, str]:
    """`<xml><Name>text</Name>…</xml>` as {Name: text}; Malformed for any other shape."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Malformed("body is not UTF-8") from error
    return _Reader().read(body)


def _checked(fields: dict[str, str]) -> Incoming:
    msg_type = _required(fields, "MsgType", _NAME).lower()
    create_time = int(_required(fields, "CreateTime", _CREATE_TIME))
    event = ""
    if msg_type == "event":
        event = _required(fields, "Event", _NAME).lower()
        if event == "subscribe" and fields.get("EventKey", "").startswith("qrscene_"):
            event = "subscribe_scan"
    return Incoming(
        source=_required(fields, "FromUserName", OPENID_SHAPE),
        target=_required(fields, "ToUserName", OPENID_SHAPE),
        type=msg_type,
        create_time=create_time,
        id=_msg_id(fields),
        content=fields.get("Content", "") if msg_type == "text" else "",
        event=event,
        fields=fields,
    )


def _required(fields: dict[str, str], name: str, shape: re.Pattern[str]) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise Malformed(f"missing {name}")
    if shape.fullmatch(value) is None:
        raise Malformed(f"bad {name}")
    return value


def _msg_id(fields: dict[str, str]) -> int | None:
    if "MsgId" not in fields:
        return None
    value = fields["MsgId"].strip()
    if _MSG_ID.fullmatch(value) is None or int(value) > _MAX_MSG_ID:
        raise Malformed("bad MsgId")
    return int(value)


class _Reader:
    """expat callbacks collecting `<xml><Name>text</Name>…</xml>`; refuses any other shape."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self._depth = 0
        self._current: str | None = None
        self._text: list[str] = []

    def read(self, body: bytes) -> dict[str, str]:
        parser = expat.ParserCreate(encoding="utf-8")
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        try:
            parser.Parse(body, True)
        except expat.ExpatError as error:
            raise Malformed(f"not XML ({expat.ErrorString(error.code)})") from error
        return self.fields

    def _doctype(self, *_: object) -> None:
        raise Malformed("DOCTYPE not allowed")

    def _entity(self, *_: object) -> None:
        raise Malformed("entity declarations not allowed")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self._depth += 1
        if self._depth == 1 and name != "xml":
            raise Malformed("root element is not <xml>")
        if self._depth > 2:
            raise Malformed("nested element")
        if self._depth == 2:
            if name in self.fields or _NAME.fullmatch(name) is None:
                raise Malformed("repeated or odd element")
            if len(self.fields) >= MAX_FIELDS:
                raise Malformed("too many elements")
            self._current, self._text = name, []

    def _end(self, name: str) -> None:
        if self._depth == 2 and self._current is not None:
            self.fields[self._current] = "".join(self._text)
            self._current = None
        self._depth -= 1

    def _data(self, text: str) -> None:
        if self._depth == 2:
            self._text.append(text)
            if sum(map(len, self._text)) > MAX_FIELD_CHARS:
                raise Malformed("element too long")
        elif text.strip():
            raise Malformed("text outside the fields")


def xml_text(text: str) -> str:
    """`text` as XML can carry it: newlines as a parser returns them, no forbidden characters."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def cdata(text: str) -> str:
    """A CDATA section (several, when `text` contains `]]>`) that parses back to xml_text(text)."""
    return "<![CDATA[" + xml_text(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(*, to_user: str, from_user: str, content: str, create_time: int) -> str:
    """A passive text reply; only `content` may come from a user, and it stays text."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def encrypted_reply(*, encrypt: str, signature: str, timestamp: str, nonce: str) -> str:
    """Safe mode's envelope around an encrypted reply (every value through cdata too)."""
    return (
        f"<xml><Encrypt>{cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{cdata(timestamp)}</TimeStamp>"
        f"<Nonce>{cdata(nonce)}</Nonce></xml>"
    )
