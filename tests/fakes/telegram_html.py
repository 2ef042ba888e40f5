"""Telegram's HTML parse mode, re-implemented to check what we send (and for a fake Bot API).

Follows the Bot API "HTML style" rules (formatting options, Bot API 10.1): only the listed tags
and attributes, tags closed in order, the named entities `&lt; &gt; &amp; &quot;` plus numeric
ones, and at most 4096 UTF-16 code units of text after parsing. Errors read like Telegram's
`Bad Request: can't parse entities: …` descriptions.

Two deliberate differences make it stricter than the real server, which silently tolerates
them: a bare `&` or an unknown entity such as `&nbsp;` is an error (the docs say it must be
escaped), and entities nested against the documented rules (anything inside `code`/`pre` but
`<pre><code>`, a blockquote in a blockquote, a link in a link) are errors instead of being
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_MESSAGE_UTF16 = 4096
PREFIX = "Bad Request: can't parse entities: "

ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")
_NAME = re.compile(r"[A-Za-z0-9-]*")


class TelegramHTMLError(ValueError):
    """The message Telegram would refuse; `str(exc)` is the API's error description."""


@dataclass(frozen=True)
class Entity:
    type: str
    offset: int  # UTF-16 code units, like the Bot API
    length: int
    url: str | None = None
    language: str | None = None


@dataclass
class ParsedMessage:
    text: str
    entities: list[Entity] = field(default_factory=list)

    @property
    def utf16_length(self) -> int:
        return utf16_len(self.text)


@dataclass
class _Open:
    name: str
    start: int  # UTF-16 offset in the parsed text
    attrs: dict[str, str]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser:
    def __init__(self, html: str) -> None:
        self.html = html
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []

    def byte_offset(self, index: int) -> int:
        return len(self.html[:index].encode("utf-8"))

    def fail(self, message: str) -> TelegramHTMLError:
        return TelegramHTMLError(PREFIX + message)

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += utf16_len(text)

    def run(self) -> ParsedMessage:
        while self.pos < len(self.html):
            char = self.html[self.pos]
            if char == "<":
                self.tag()
            elif char == "&":
                self.entity()
            elif char == ">":
                raise self.fail(f'Character ">" must be escaped at byte offset {self._here()}')
            else:
                end = _next_special(self.html, self.pos)
                self.emit(self.html[self.pos : end])
                self.pos = end
        if self.stack:
            name = self.stack[-1].name
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"')
        return ParsedMessage("".join(self.out), sorted(self.entities, key=lambda e: e.offset))

    def _here(self) -> int:
        return self.byte_offset(self.pos)

    def entity(self) -> None:
        match = _ENTITY.match(self.html, self.pos)
        decoded = _decode_entity(match.group(1)) if match else None
        if match is None or decoded is None:
            raise self.fail(
                f'Character "&" must be escaped as "&amp;" or start a supported entity '
                f"at byte offset {self._here()}"
            )
        self.emit(decoded)
        self.pos = match.end()

    def tag(self) -> None:
        begin = self.pos
        if self.html.startswith("</", begin):
            self.end_tag(begin)
        else:
            self.start_tag(begin)

    def end_tag(self, begin: int) -> None:
        close = self.html.find(">", begin)
        if close == -1:
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        name = self.html[begin + 2 : close].strip().lower()
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        top = self.stack[-1]
        if name != top.name:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.entities.append(_make_entity(top, self.out_len))
        self.pos = close + 1

    def start_tag(self, begin: int) -> None:
        match = _NAME.match(self.html, begin + 1)
        assert match is not None  # the pattern accepts the empty string
        name = match.group(0).lower()
        self.pos = match.end()
        if self.pos >= len(self.html):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        if name not in ENTITY_TYPE:
            raise self.fail(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attrs = self.attributes(name, begin)
        _check_attributes(name, attrs, self, begin)
        self.check_nesting(name, begin)
        self.stack.append(_Open(name, self.out_len, attrs))

    def attributes(self, name: str, begin: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while True:
            while self.pos < len(self.html) and self.html[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(self.html):
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if self.html[self.pos] == ">":
                self.pos += 1
                return attrs
            key, value = self.attribute(name, begin)
            attrs[key] = value

    def attribute(self, name: str, begin: int) -> tuple[str, str]:
        match = _NAME.match(self.html, self.pos)
        assert match is not None
        key = match.group(0).lower()
        if not key:
            raise self.fail(
                f'Empty attribute name in the tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        self.pos = match.end()
        if self.pos < len(self.html) and self.html[self.pos] == "=":
            self.pos += 1
            return key, self.attribute_value(name, begin)
        if self.pos < len(self.html) and (
            self.html[self.pos].isspace() or self.html[self.pos] == ">"
        ):
            return key, ""
        raise self.fail(
            f'Expected equal sign in declaration of an attribute of the tag "{name}" '
            f"at byte offset {self.byte_offset(begin)}"
        )

    def attribute_value(self, name: str, begin: int) -> str:
        if self.pos >= len(self.html):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        quote = self.html[self.pos]
        if quote in "\"'":
            close = self.html.find(quote, self.pos + 1)
            if close == -1:
                raise self.fail(
                    f'Unclosed end of an attribute value in the tag "{name}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            raw, self.pos = self.html[self.pos + 1 : close], close + 1
        else:
            end = self.pos
            while end < len(self.html) and not self.html[end].isspace() and self.html[end] != ">":
                end += 1
            raw, self.pos = self.html[self.pos : end], end
        if "<" in raw:
            raise self.fail(f'Character "<" in an attribute of the tag "{name}" must be escaped')
        return _decode_attribute(raw, self)

    def check_nesting(self, name: str, begin: int) -> None:
        where = f"at byte offset {self.byte_offset(begin)}"
        open_names = [item.name for item in self.stack]
        inner = open_names[-1] if open_names else ""
        if inner in ("code", "pre") and not (name == "code" and inner == "pre"):
            raise self.fail(f'Tag "{name}" can\'t be nested inside "{open_names[-1]}" {where}')
        if name == "blockquote" and "blockquote" in open_names:
            raise self.fail(f"Blockquotes can't be nested {where}")
        if name in ("a", "tg-emoji", "tg-time") and {"a", "tg-emoji", "tg-time"} & set(open_names):
            raise self.fail(f'Tag "{name}" can\'t be nested inside another link or emoji {where}')


def _next_special(html: str, start: int) -> int:
    end = start
    while end < len(html) and html[end] not in "<&>":
        end += 1
    return end


def _decode_entity(body: str) -> str | None:
    if body.startswith("#"):
        digits = body[1:]
        code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code)
    return NAMED_ENTITIES.get(body)


def _decode_attribute(raw: str, parser: _Parser) -> str:
    parts: list[str] = []
    index = 0
    while index < len(raw):
        if raw[index] != "&":
            parts.append(raw[index])
            index += 1
            continue
        match = _ENTITY.match(raw, index)
        decoded = _decode_entity(match.group(1)) if match else None
        if match is None or decoded is None:
            raise parser.fail('Character "&" in an attribute value must be escaped as "&amp;"')
        parts.append(decoded)
        index = match.end()
    return "".join(parts)


def _check_attributes(name: str, attrs: dict[str, str], parser: _Parser, begin: int) -> None:
    where = f"at byte offset {parser.byte_offset(begin)}"
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise parser.fail(f'Tag "span" must have class "tg-spoiler" {where}')
    if name == "a" and not attrs.get("href", "").strip():
        raise parser.fail(f'Tag "a" must have a non-empty "href" attribute {where}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise parser.fail(f"Custom emoji identifier must be non-empty {where}")
    if name == "tg-time":
        if not attrs.get("unix", "").isdigit():
            raise parser.fail(f'Tag "tg-time" must have a valid "unix" attribute {where}')
        if not TIME_FORMAT.fullmatch(attrs.get("format", "")):
            raise parser.fail(f'Invalid date-time format in the tag "tg-time" {where}')
    language = attrs.get("class", "")
    if name == "code" and language and not language.startswith("language-"):
        raise parser.fail(f'Tag "code" class must start with "language-" {where}')


def _make_entity(tag: _Open, end: int) -> Entity:
    kind = ENTITY_TYPE[tag.name]
    if tag.name == "blockquote" and "expandable" in tag.attrs:
        kind = "expandable_blockquote"
    url = tag.attrs.get("href") if tag.name == "a" else None
    language = tag.attrs.get("class", "").removeprefix("language-") or None
    return Entity(kind, tag.start, end - tag.start, url, language if tag.name == "code" else None)


def parse_html(html: str) -> ParsedMessage:
    """Parse like Telegram's `parse_mode=HTML`; raises TelegramHTMLError with its description."""
    return _Parser(html).run()


def check_message(html: str, *, limit: int = MAX_MESSAGE_UTF16) -> str | None:
    """None when Telegram would accept this message text, else the error it would return."""
    try:
        parsed = parse_html(html)
    except TelegramHTMLError as exc:
        return str(exc)
    text = parsed.text.strip()
    if not text:
        return "Bad Request: message text is empty"
    if utf16_len(text) > limit:
        return "Bad Request: message is too long"
    return None
