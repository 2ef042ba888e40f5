"""A fake WeChat platform: posts signed (and, in safe mode, AES-encrypted) XML to our callback.

It behaves as WeChat's servers do: `signature`/`timestamp`/`nonce`/`openid` on the query,
`encrypt_type=aes` + `msg_signature` in safe mode, a timeout per attempt after which the same
message is sent again (three retries), and it decrypts and parses the passive reply.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

import httpx
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot.wechat.security import sign

ACCOUNT = "gh_digestbot"
_ids = count(10_000_000_000)


@dataclass
class Exchange:
    """One message's fate: how many attempts it took and the reply that finally came."""

    attempts: int
    status: int
    body: str
    reply: str | None  # the reply's Content, or None ("success" / refused)


@dataclass
class FakeWeChat:
    base_url: str  # http://127.0.0.1:port/wechat
    token: str
    aes_key: str | None = None
    app_id: str = "wx0123456789abcdef"
    timeout: float = 5.0  # WeChat waits 5 s per attempt
    retries: int = 3
    before_attempt: Callable[[int], None] | None = None  # hook: attempt number (1-based)
    attempts_seen: list[int] = field(default_factory=list)

    @property
    def crypto(self) -> WeChatCrypto | None:
        return WeChatCrypto(self.token, self.aes_key, self.app_id) if self.aes_key else None

    def query(
        self,
        *,
        forged: bool = False,
        timestamp: str | None = None,
        nonce: str | None = None,
        **extra: str,
    ) -> dict[str, str]:
        """Signed query parameters; a fresh timestamp and nonce unless given (replays, skew)."""
        timestamp = str(int(time.time())) if timestamp is None else timestamp
        nonce = secrets.token_hex(5) if nonce is None else nonce
        signature = sign(self.token, timestamp, nonce)
        if forged:
            signature = sign("not-the-token", timestamp, nonce)
        return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}

    async def verify_url(self, echostr: str = "echo-42", *, forged: bool = False) -> httpx.Response:
        """WeChat's GET when the URL is saved (safe mode: encrypted echostr + msg_signature)."""
        query = self.query(forged=forged, echostr=echostr)
        if self.crypto is not None:
            sealed = self._encrypt(echostr)
            token = "not-the-token" if forged else self.token
            query["echostr"] = sealed
            query["msg_signature"] = sign(token, query["timestamp"], query["nonce"], sealed)
        async with httpx.AsyncClient() as client:
            return await client.get(self.base_url, params=query)

    async def text(self, openid: str, content: str, **kwargs: object) -> Exchange:
        fields = {"MsgType": "text", "Content": content, "MsgId": str(next(_ids))}
        return await self.send(openid, fields, **kwargs)  # type: ignore[arg-type]

    async def event(self, openid: str, event: str) -> Exchange:
        return await self.send(openid, {"MsgType": "event", "Event": event, "EventKey": ""})

    async def send(self, openid: str, fields: dict[str, str], *, forged: bool = False) -> Exchange:
        xml = message_xml(openid, fields)
        attempt = 0
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            while True:
                attempt += 1
                if self.before_attempt is not None:
                    self.before_attempt(attempt)
                try:
                    response = await self._post(client, openid, xml, forged)
                except httpx.TimeoutException:
                    if attempt > self.retries:
                        raise
                    continue
                return Exchange(
                    attempt, response.status_code, response.text, self._content(response)
                )

    async def post_raw(self, body: bytes, query: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.post(self.base_url, params=query, content=body)

    def signed(
        self, openid: str, xml: str | bytes, *, forged: bool = False, **query: str
    ) -> tuple[bytes, dict[str, str]]:
        """(body, query) as WeChat would post `xml`: encrypted and msg-signed in safe mode.
        `query` may fix the timestamp or nonce, or add parameters."""
        params = self.query(forged=forged, openid=openid, **query)
        body = xml.encode() if isinstance(xml, str) else xml
        if self.crypto is None:
            return body, params
        params["encrypt_type"] = "aes"
        encrypted = self._encrypt_bytes(body)
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        ).encode()
        params["msg_signature"] = sign(self.token, params["timestamp"], params["nonce"], encrypted)
        return body, params

    async def _post(
        self, client: httpx.AsyncClient, openid: str, xml: str, forged: bool
    ) -> httpx.Response:
        body, query = self.signed(openid, xml, forged=forged)
        return await client.post(self.base_url, params=query, content=body)

    def _encrypt_bytes(self, body: bytes) -> str:
        """AES as WeChat does it, for any bytes (also ones that are not UTF-8)."""
        from wechatpy.crypto import PrpCrypto

        assert self.crypto is not None
        return str(PrpCrypto(self.crypto.key).encrypt(body, self.app_id).decode())

    def _content(self, response: httpx.Response) -> str | None:
        xml = self.reply_xml(response)
        if xml is None:
            return None
        reply = parse_message(xml)
        assert reply.type == "text" and reply.target and reply.source == ACCOUNT
        return str(reply.content)

    def reply_xml(self, response: httpx.Response) -> str | None:
        """The passive reply's XML as sent (decrypted in safe mode); None for none."""
        if response.status_code != 200 or response.text == "success":
            return None
        xml = response.text
        if self.crypto is not None:
            signature = _field(xml, "MsgSignature")
            xml = self.crypto.decrypt_message(
                xml, signature, _field(xml, "TimeStamp"), _field(xml, "Nonce")
            )
        return str(xml)

    def _encrypt(self, text: str) -> str:
        from wechatpy.crypto import PrpCrypto

        assert self.crypto is not None
        return str(PrpCrypto(self.crypto.key).encrypt(text, self.app_id).decode())


def message_xml(openid: str, fields: dict[str, str]) -> str:
    nodes = "".join(f"<{name}>{_cdata(value)}</{name}>" for name, value in fields.items())
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>{nodes}</xml>"
    )


def _cdata(value: str) -> str:
    """As WeChat writes user text: CDATA, a `]]>` inside split across two sections."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _field(xml: str, name: str) -> str:
    import xmltodict

    return str(xmltodict.parse(xml)["xml"][name])
