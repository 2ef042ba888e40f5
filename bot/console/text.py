"""Telegram HTML (what commands return) as terminal text: links spelled out, tags dropped."""

from __future__ import annotations

import re
from html import unescape

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def html_to_text(html: str) -> str:
    def link(match: re.Match[str]) -> str:
        url, label = unescape(match[1]), _TAG.sub("", match[2])
        return f"{label} ({url})" if unescape(label) != url else url

    return unescape(_TAG.sub("", _LINK.sub(link, html)))
