"""Who may call the callback: WeChat's signatures, their freshness, and safe mode's AES.

Every request carries `signature` = sha1(sorted token, timestamp, nonce); safe mode adds
`msg_signature` over the encrypted body too, and with `WECHAT_AES_KEY` set only encrypted bodies
are accepted (a plain body would be authenticated by the query alone, not by its content). A
signature is only good within WINDOW of its timestamp, and its nonce only once (the server asks
the database, see `core.services.replay`), so a captured request cannot be played again.
Every parameter is checked for shape before use; comparisons are constant-time; nothing here
logs, so neither the token, the key nor a signature can leak through it.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.wechat.xml import Malformed, encrypted_reply, read_fields
from core.config_groups import WeChatSettings

WINDOW = timedelta(minutes=5)  # how far a signature's timestamp may be from our clock
NONCE_MEMORY = 2 * WINDOW  # a timestamp WINDOW ahead stays acceptable until WINDOW after it
SIGNED_PARAMS = ("signature", "msg_signature", "timestamp", "nonce", "echostr", "encrypt_type")
_SIGNATURE = re.compile(r"[0-9a-f]{40}", re.ASCII)
_TIMESTAMP = re.compile(r"[0-9]{1,10}", re.ASCII)
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


class Refused(Exception):
    """A request we will not serve; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Signed:
    """The checked signature parameters of one request (the nonce still to be spent)."""

    timestamp: str
    nonce: str
    encrypted: bool


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def _signature(query: Mapping[str, str], name: str) -> str:
    value = query.get(name)
    if value is None or _SIGNATURE.fullmatch(value) is None:
        raise Refused(403, f"missing or malformed {name}")
    return value


def _fresh(query: Mapping[str, str], now: datetime) -> tuple[str, str]:
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if _TIMESTAMP.fullmatch(timestamp) is None:
        raise Refused(403, "missing or malformed timestamp")
    if _NONCE.fullmatch(nonce) is None:
        raise Refused(403, "missing or malformed nonce")
    if abs(now - datetime.fromtimestamp(int(timestamp), UTC)) > WINDOW:
        raise Refused(403, "timestamp outside the window")
    return timestamp, nonce


class Verifier:
    """Checks and opens requests for one account; seals replies in safe mode."""

    def __init__(self, token: str, aes_key: str | None = None, app_id: str | None = None) -> None:
        self._token = token
        self._app_id = app_id or ""
        self._crypto = WeChatCrypto(token, aes_key, self._app_id) if aes_key else None

    @classmethod
    def from_settings(cls, wechat: WeChatSettings) -> Verifier:
        if wechat.token is None:
            raise ValueError("WECHAT_TOKEN is not set")
        key = wechat.aes_key
        return cls(
            wechat.token.get_secret_value(),
            key.get_secret_value() if key is not None else None,
            wechat.app_id,
        )

    @property
    def safe_mode(self) -> bool:
        return self._crypto is not None

    def check(self, query: Mapping[str, str], now: datetime) -> Signed:
        """The plain signature every request carries, in its window; Refused(403) otherwise."""
        signature = _signature(query, "signature")
        timestamp, nonce = _fresh(query, now)
        if not hmac.compare_digest(sign(self._token, timestamp, nonce), signature):
            raise Refused(403, "bad signature")
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        return Signed(timestamp, nonce, encrypted)

    def echo(self, query: Mapping[str, str], now: datetime) -> tuple[str, Signed]:
        """URL verification: the echostr back (decrypted when it comes with msg_signature)."""
        signed = self.check(query, now)
        echostr = query.get("echostr", "")
        if "msg_signature" not in query or self._crypto is None:
            return echostr, signed
        self._check_msg_signature(query, signed, echostr)
        return self._decrypt(echostr, "echostr"), signed

    def open(self, body: bytes, query: Mapping[str, str], now: datetime) -> tuple[bytes, Signed]:
        """The message XML of a checked POST, decrypted in safe mode."""
        signed = self.check(query, now)
        if self._crypto is None:
            if signed.encrypted:
                raise Refused(400, "encrypted message but no WECHAT_AES_KEY")
            return body, signed
        if not signed.encrypted:
            raise Refused(403, "plain body in safe mode")
        try:
            encrypt = read_fields(body).get("Encrypt", "")
        except Malformed as error:
            raise Refused(400, f"unreadable envelope ({error})") from error
        self._check_msg_signature(query, signed, encrypt)
        return self._decrypt(encrypt, "body").encode("utf-8"), signed

    def seal(self, xml: str, signed: Signed, now: datetime) -> str:
        """A reply as the request came: encrypted and signed in safe mode, else as is."""
        if self._crypto is None or not signed.encrypted:
            return xml
        encrypt = PrpCrypto(self._crypto.key).encrypt(xml, self._app_id).decode("ascii")
        timestamp = str(int(now.timestamp()))
        signature = sign(self._token, timestamp, signed.nonce, encrypt)
        return encrypted_reply(
            encrypt=encrypt, signature=signature, timestamp=timestamp, nonce=signed.nonce
        )

    def _check_msg_signature(self, query: Mapping[str, str], signed: Signed, data: str) -> None:
        given = _signature(query, "msg_signature")
        expected = sign(self._token, signed.timestamp, signed.nonce, data)
        if not hmac.compare_digest(expected, given):
            raise Refused(403, "bad msg_signature")

    def _decrypt(self, text: str, what: str) -> str:
        assert self._crypto is not None
        try:
            return str(PrpCrypto(self._crypto.key).decrypt(text, self._app_id))
        except Exception as error:  # bad base64, padding, app id or UTF-8: not from WeChat
            raise Refused(400, f"undecryptable {what} ({type(error).__name__})") from error
