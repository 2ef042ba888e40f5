"""Code links, taken only from what the paper itself says (abstract, comment, links).

The same rule guards LLM output later: a code link we did not find here is invented and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CODE_HOSTS = (
    "github.com",
    "gitlab.com",
    "huggingface.co",
    "bitbucket.org",
    "codeberg.org",
)
_HOSTS = "|".join(re.escape(host) for host in CODE_HOSTS)
# Scheme optional: authors often write "github.com/org/repo". A path is required: a bare host
# is no code link. LaTeX-ish `\url{...}` and `<...>` wrappers end at the brace/bracket.
_URL_RE = re.compile(
    rf"(?:https?://)?(?:www\.)?(?:{_HOSTS})/[^\s<>\"'{{}}\\|^`]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*"
_CLOSERS = {")": "(", "]": "["}


def _trim(url: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets that belong to the prose."""
    while url and (url[-1] in _TRAILING or _unbalanced_closer(url)):
        url = url[:-1]
    return url


def _unbalanced_closer(url: str) -> bool:
    last = url[-1]
    return last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])


def _normalize(url: str) -> str:
    url = _trim(url)
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url
    return url


def find_code_urls(texts: Iterable[str | None]) -> list[str]:
    """Every code-host URL in `texts`, normalized, in order of appearance, without repeats."""
    found: list[str] = []
    for text in texts:
        for match in _URL_RE.finditer(text or ""):
            url = _normalize(match.group(0))
            _host, _, path = url.split("://", 1)[1].partition("/")
            if path.strip("/") and url not in found:
                found.append(url)
    return found


def first_code_url(texts: Iterable[str | None]) -> str | None:
    urls = find_code_urls(texts)
    return urls[0] if urls else None


def url_in_texts(url: str, texts: Iterable[str | None]) -> bool:
    """True when `url` (ignoring scheme, `www.`, case and a trailing slash) is in `texts`."""
    wanted = _key(url)
    return any(_key(found) == wanted for found in find_code_urls(texts))


def _key(url: str) -> str:
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", _trim(url.strip()), flags=re.IGNORECASE)
    return bare.rstrip("/").lower()
