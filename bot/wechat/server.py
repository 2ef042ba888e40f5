"""The Official Account callback: the route `/wechat` of the process's HTTP server.

GET is WeChat's URL verification; POST carries a message or event as XML (AES-encrypted in
safe mode) and gets a passive XML reply. Every request's signature is checked, within its time
window, and its nonce spent once (in the database, so a replay is refused after a restart and by
another instance). Refusals are logged with the peer's address and the reason only; the access
log (`bot.server.access`) has method, path and status, never the query string, which carries
the signature, nonce and echostr. Malformed requests are a 400 with a one-line log, never a 500
with a traceback; bodies past 64 KB are a 413 without being read further.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.commands.context import Deps
from bot.server.body import read_limited
from bot.wechat.commands import WeChatBot, sender_openid
from bot.wechat.inflight import Inflight, SendLater
from bot.wechat.security import NONCE_MEMORY, SIGNED_PARAMS, Refused, Signed, Verifier
from bot.wechat.text import hint
from bot.wechat.xml import Incoming, Malformed, parse_incoming, text_reply
from core.services.replay import first_use

log = logging.getLogger(__name__)

PATH = "/wechat"
MAX_BODY = 64 * 1024  # WeChat's messages are a few KB; anything larger is not from WeChat
FOLLOW_EVENTS = frozenset(("subscribe", "subscribe_scan"))
NONCE_SCOPE = "wechat"
# A message's id, remembered across instances: WeChat retries one message three times over
# ~15 s and a balancer may hand each retry to another instance; only the first runs it.
MESSAGE_SCOPE = "wechat_msg"
MESSAGE_MEMORY = timedelta(minutes=10)


class WeChatServer:
    """The callback server: verification, messages in, passive replies out."""

    def __init__(
        self,
        deps: Deps,
        *,
        send_later: SendLater,
        verifier: Verifier | None = None,
        answer_within: float = 4.5,
    ) -> None:
        self.deps = deps
        self.bot = WeChatBot(deps)
        self.verifier = verifier or Verifier.from_settings(deps.settings.wechat)
        self.inflight = Inflight(send_later=send_later, answer_within=answer_within)

    def routes(self) -> list[Route]:
        return [Route(PATH, self.endpoint, methods=["GET", "POST"])]

    async def close(self) -> None:
        """After the HTTP server stopped: let deferred answers go out."""
        await self.inflight.drain()

    async def endpoint(self, request: Request) -> Response:
        """GET (and HEAD): URL verification. POST: one message in, one passive reply out."""
        now = datetime.now(UTC)
        try:
            if request.method == "POST":
                return await self._message(request, now)
            echo, signed = self.verifier.echo(_query(request), now)
            await self.spend(signed, now)
        except Refused as refused:
            return _refuse(request, refused)
        return PlainTextResponse(echo)

    async def _message(self, request: Request, now: datetime) -> Response:
        body = await read_limited(request, MAX_BODY)
        if body is None:
            raise Refused(413, "body too large")
        xml, signed = self.verifier.open(body, _query(request), now)
        await self.spend(signed, now)
        message = read_message(xml)
        return self._reply(message, await self.reply_to(message), signed)

    def _reply(self, message: Incoming, text: str, signed: Signed) -> Response:
        if not text:
            return PlainTextResponse("success")  # WeChat's "no reply" (no "service unavailable")
        now = datetime.now(UTC)
        reply = text_reply(to_user=message.source, from_user=message.target, content=text,
                           create_time=int(now.timestamp()))  # fmt: skip
        sealed = self.verifier.seal(reply, signed, now)
        return Response(sealed, media_type="application/xml; charset=utf-8")

    async def spend(self, signed: Signed, now: datetime) -> None:
        """Refused(403) when this signature's nonce was used before within its window."""
        try:
            fresh = await first_use(
                self.deps.db, scope=NONCE_SCOPE, nonce=signed.nonce, now=now, window=NONCE_MEMORY
            )
        except Exception as error:  # the database is down: WeChat will retry; no SQL in the log
            log.error("wechat: replay check failed (%s)", type(error).__name__)
            raise Refused(503, "try again later") from error
        if not fresh:
            raise Refused(403, "replayed nonce")

    async def reply_to(self, message: Incoming) -> str:
        """The reply text for one parsed message ("" for none); a retry gets the first's.
        A sender or receiver that is not one plain id gets no answer and touches nothing."""
        openid = sender_openid(message)
        if openid is None:
            log.warning("wechat: ignored a message whose sender or receiver id is malformed")
            return ""
        key = _message_key(message)
        if not self.inflight.has(key) and not await self._first_anywhere(key):
            log.info("wechat: a retry of a message another instance is answering; ignored")
            return ""  # that instance answers (in time, or later by customer-service message)
        text = await self.inflight.answer(key, openid, lambda: self._handle(message))
        if text is None:
            return hint(await self._language(openid), "working")
        return text

    async def _first_anywhere(self, key: str) -> bool:
        """The first sight of this message by any instance (the shared nonce table); when the
        database cannot tell, answer here rather than not at all."""
        try:
            return await first_use(
                self.deps.db, scope=MESSAGE_SCOPE, nonce=key, now=datetime.now(UTC),
                window=MESSAGE_MEMORY,
            )  # fmt: skip
        except Exception as error:
            log.warning("wechat: message de-duplication failed (%s)", type(error).__name__)
            return True

    async def _handle(self, message: Incoming) -> str:
        openid = str(message.source)
        try:
            if self.deps.turns is None:
                return await self._dispatch(message, openid)
            async with self.deps.turns.turn("wechat", openid):  # one instance per user at once
                return await self._dispatch(message, openid)
        except Exception:  # our bug or the database: the user gets a sentence, admins the log
            log.exception("wechat: answering a %s failed", message.type)
            return hint(await self._language(openid), "failed")

    async def _dispatch(self, message: Incoming, openid: str) -> str:
        if message.type == "text":
            return await self.bot.answer(openid, message.content)
        if message.type == "event" and message.event in FOLLOW_EVENTS:
            return await self.bot.on_follow(openid)
        if message.type == "event" and message.event == "unsubscribe":
            await self.bot.on_unfollow(openid)
            return ""
        if message.type == "event":
            return ""  # menu clicks, location reports…: nothing to say
        return hint(await self._language(openid), "text_only")

    async def _language(self, openid: str) -> str:
        try:
            return await self.bot.language(openid)
        except Exception:
            return self.deps.settings.digest_language


def read_message(xml: bytes) -> Incoming:
    """The checked message; Refused(400) for anything that is not a WeChat message."""
    try:
        return parse_incoming(xml)
    except Malformed as error:
        raise Refused(400, str(error)) from error


def _message_key(message: Incoming) -> str:
    """MsgId for messages; events have none, so WeChat's advice: sender + CreateTime."""
    if message.id is not None:
        return f"msg:{message.id}"
    return f"event:{message.source}:{message.create_time}:{message.event}"


def _query(request: Request) -> dict[str, str]:
    """The query as text; Refused(400) for bytes that are not UTF-8 or a repeated signed
    parameter (parsed from the raw bytes: Starlette's parser would replace bad bytes)."""
    raw: bytes = request.scope.get("query_string", b"")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise Refused(400, "query is not UTF-8") from error
    query: dict[str, str] = {}
    for name, value in pairs:
        if name in SIGNED_PARAMS and name in query:
            raise Refused(400, f"repeated {name}")
        query[name] = value
    return query


def _refuse(request: Request, refused: Refused) -> Response:
    peer = request.client.host if request.client else "?"
    log.warning("wechat: refused %s %s from %s: %s", request.method, PATH, peer, refused.reason)
    return PlainTextResponse(refused.reason, status_code=refused.status)


async def no_customer_service(openid: str, text: str) -> None:
    """`send_later` without WeChat's API configured: the late answer is logged and dropped."""
    log.warning("wechat: no customer-service sender wired; a late answer was dropped")
