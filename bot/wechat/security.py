"""Who may call the callback: WeChat's signatures, and safe mode's AES (wechatpy's crypto).

Every request carries `signature` = sha1(sorted token, timestamp, nonce); safe mode adds
`msg_signature` over the encrypted body too. Comparisons are constant-time; nothing here logs,
so neither the token nor the key can leak through it.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import WeChatSigner

from core.config import Settings


class Refused(Exception):
    """A request we will not serve; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


class Verifier:
    """Checks and opens requests for one account; seals replies in safe mode."""

    def __init__(self, token: str, aes_key: str | None = None, app_id: str | None = None) -> None:
        self._token = token
        self._app_id = app_id or ""
        self._crypto = WeChatCrypto(token, aes_key, self._app_id) if aes_key else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Verifier:
        if settings.wechat_token is None:
            raise ValueError("WECHAT_TOKEN is not set")
        key = settings.wechat_aes_key
        return cls(
            settings.wechat_token.get_secret_value(),
            key.get_secret_value() if key is not None else None,
            settings.wechat_app_id,
        )

    @property
    def safe_mode(self) -> bool:
        return self._crypto is not None

    def check(self, query: Mapping[str, str]) -> None:
        """The plain signature every request carries; Refused(403) when it is wrong."""
        expected = sign(self._token, query.get("timestamp", ""), query.get("nonce", ""))
        if not hmac.compare_digest(expected, query.get("signature", "")):
            raise Refused(403, "bad signature")

    def echo(self, query: Mapping[str, str]) -> str:
        """URL verification: the echostr back (decrypted when it comes with msg_signature)."""
        echostr = query.get("echostr", "")
        if "msg_signature" not in query or self._crypto is None:
            self.check(query)
            return echostr
        parts = (self._token, query.get("timestamp", ""), query.get("nonce", ""), echostr)
        if not hmac.compare_digest(sign(*parts), query["msg_signature"]):
            raise Refused(403, "bad msg_signature")
        return self._decrypt(echostr)

    def open(self, body: bytes, query: Mapping[str, str]) -> str:
        """The message XML of a checked POST, decrypted in safe mode."""
        self.check(query)
        if query.get("encrypt_type", "raw").lower() != "aes":
            return body.decode("utf-8")
        if self._crypto is None:
            raise Refused(400, "encrypted message but no WECHAT_AES_KEY")
        try:
            xml = self._crypto.decrypt_message(
                body, query.get("msg_signature", ""), query["timestamp"], query["nonce"]
            )
        except InvalidSignatureException as error:
            raise Refused(403, "bad msg_signature") from error
        except Exception as error:  # bad base64, padding, app id or XML: not from WeChat
            raise Refused(400, f"undecryptable body ({type(error).__name__})") from error
        return str(xml)

    def seal(self, xml: str, query: Mapping[str, str]) -> str:
        """A reply as the request came: encrypted and signed in safe mode, else as is."""
        if self._crypto is None or query.get("encrypt_type", "raw").lower() != "aes":
            return xml
        return str(self._crypto.encrypt_message(xml, query["nonce"], query.get("timestamp")))

    def _decrypt(self, text: str) -> str:
        assert self._crypto is not None
        try:
            return str(PrpCrypto(self._crypto.key).decrypt(text, self._app_id))
        except Exception as error:
            raise Refused(400, f"undecryptable echostr ({type(error).__name__})") from error
