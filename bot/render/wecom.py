"""Escaping for WeCom robot markdown: titles and abstracts must not turn into its markup.

WeCom's markdown subset has no backslash escapes, so the characters that would start markup are
swapped for look-alikes instead: `*`, `` ` ``, `[`, `]` everywhere, `<` wherever an HTML parser
could read a tag (before a letter, `/`, `!` or `?`: `$x<y$` becomes `$x＜y$`, `a < b` stays),
and `#`/`>`/`|` at the start of a line (headings, quotes, tables). A reader sees the same
text; the robot sees no bold, code, link, tag, heading or quote that we did not write.

These filters belong to the `wecom` format (`templates/wecom.j2`), so they live with the
renderer, which imports no platform; `bot/wecom` (the robots and their sender) uses the format
through `render_issue`.
"""

from __future__ import annotations

import re

_LOOK_ALIKES = str.maketrans({"*": "∗", "`": "ˋ", "[": "［", "]": "］"})
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START = re.compile(r"^(\s*)([#>|])", re.MULTILINE)
_LINE_LOOK_ALIKES = {"#": "＃", ">": "＞", "|": "｜"}
_PARAGRAPHS = re.compile(r"\n\s*\n")
_URL_CHARS = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "[": "%5B", "]": "%5D"}


def _neutralize(text: str) -> str:
    text = _TAG_START.sub("＜", text.translate(_LOOK_ALIKES))
    return _LINE_START.sub(lambda m: m.group(1) + _LINE_LOOK_ALIKES[m.group(2)], text)


def wc_inline(text: str) -> str:
    """One line of text: newlines become spaces, markup neutralized."""
    return _neutralize(re.sub(r"\s+", " ", text or "").strip())


def wc_block(text: str) -> str:
    """Paragraphs kept (blank lines), hard-wrapped lines joined, markup neutralized."""
    paragraphs = [re.sub(r"\s+", " ", part).strip() for part in _PARAGRAPHS.split(text or "")]
    return "\n\n".join(_neutralize(part) for part in paragraphs if part)


def wc_url(url: str) -> str:
    """Inside `(...)`: characters that would end the link are percent-encoded."""
    return "".join(_URL_CHARS.get(char, char) for char in (url or "").strip())
