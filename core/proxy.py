"""Which proxy an outbound HTTP call goes through, decided once here for every client.

Many operators (mainland China above all) reach Telegram, arXiv and LLM providers only
through a proxy. The rule, per service:

- the Telegram Bot API: `TELEGRAM_PROXY`, else `PROXY`, else the environment;
- arXiv (RSS and API), the LLM, the WeChat API and WeCom robots: `PROXY`, else the environment;
- the environment is the standard `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (by the URL's
  scheme; lower- or upper-case, as curl, requests and httpx read them), and there a loopback
  host (localhost, 127.0.0.0/8, ::1) is always direct: a local LLM, a self-hosted Bot API
  server or a test fake keeps working whatever the operator's shell exports;
- a host `NO_PROXY` lists (`*`, `example.com`, `.example.com`, an IP) is always direct.

A proxy is `http://`, `https://`, `socks5://` or `socks5h://` (resolve names at the proxy),
optionally with `user:password@`, which never appears in any output (`core.redact`).
Each client is handed the result explicitly, and the environment's proxies are switched off in
it, so the libraries (httpx, openai's httpx2, python-telegram-bot, requests) all follow this
one rule instead of each its own.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

SCHEMES = ("http", "https", "socks5", "socks5h")
EXAMPLE = "http://127.0.0.1:7890 or socks5://user:password@host:1080"
# httpx mounts that route every URL straight to the target, overriding the environment's proxies
DIRECT_MOUNTS: Mapping[str, None] = {"all://": None, "http://": None, "https://": None}


def check_proxy_url(value: str) -> str:
    """The proxy URL as given, or ValueError saying what a proxy URL looks like."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValueError(f"expected a proxy URL such as {EXAMPLE}") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ValueError(f"expected a proxy URL such as {EXAMPLE} (scheme http, https or socks5)")
    if port is None and parts.scheme.lower().startswith("socks"):
        raise ValueError(f"a SOCKS proxy needs a port, e.g. {EXAMPLE}")
    return value.strip()


def proxy_for(
    url: str, configured: str | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The proxy for a request to `url`: `configured` (a setting), else the environment's;
    None (direct) for a host NO_PROXY lists, or a loopback host when the proxy would come
    from the environment."""
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if _no_proxy(host, _env(env, "no_proxy")):
        return None
    if configured:
        return configured
    if _loopback(host):
        return None
    scheme = parts.scheme.lower()
    return _env(env, f"{scheme}_proxy") or _env(env, "all_proxy") or None


def httpx_options(url: str, configured: str | None) -> dict[str, Any]:
    """Keyword arguments for an httpx (or httpx2) client talking to `url`'s host."""
    proxy = proxy_for(url, configured)
    return {"proxy": proxy} if proxy else {"mounts": dict(DIRECT_MOUNTS)}


def requests_proxies(url: str, configured: str | None) -> dict[str, str]:
    """A request's `proxies=` for requests talking to `url`'s host. Direct is spelt
    `no_proxy: *`, which makes requests skip the environment's proxies (and nothing else)."""
    proxy = proxy_for(url, configured)
    return {"http": proxy, "https": proxy} if proxy else {"no_proxy": "*"}


def _env(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or environ.get(name.upper()) or "").strip()


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _no_proxy(host: str, listed: str) -> bool:
    for entry in (item.strip().lower() for item in listed.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name = entry.split(":")[0] if entry.count(":") == 1 else entry.strip("[]")
        if (
            _in_network(host, name)
            or host == name.lstrip(".")
            or host.endswith("." + name.lstrip("."))
        ):
            return True
    return False


def _in_network(host: str, entry: str) -> bool:
    try:
        return "/" in entry and ipaddress.ip_address(host) in ipaddress.ip_network(
            entry, strict=False
        )
    except ValueError:
        return False


def secret(value: SecretStr | None) -> str | None:
    """A proxy setting's URL (settings hold it as a secret: it may carry a password)."""
    return value.get_secret_value() if value is not None else None


def shown(url: str | None) -> str:
    """A proxy URL as output shows it: user and password replaced by ***; "direct" for None."""
    if not url:
        return "direct"
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    userinfo = "***@" if "@" in parts.netloc else ""
    return f"{parts.scheme}://{userinfo}{host}"


def route(url: str, configured: SecretStr | None, key: str) -> str:
    """How a request to `url` leaves this machine, for `digestbot check`: the proxy (shown
    without credentials) and where it comes from (`key`, or the environment), or "direct"."""
    proxy = proxy_for(url, secret(configured))
    if proxy is None:
        return "direct"
    return f"{shown(proxy)} ({key if configured is not None else 'environment'})"
