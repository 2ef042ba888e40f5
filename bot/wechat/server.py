"""The Official Account callback (`WECHAT_LISTEN`, path `/wechat`) on tornado.

GET is WeChat's URL verification; POST carries a message or event as XML (AES-encrypted in
safe mode) and gets a passive XML reply. Every request's signature is checked, within its time
window, and its nonce spent once (in the database, so a replay is refused after a restart and by
another instance). Refusals are logged with the peer's address and the reason only; the access
log has method, path and status, never the query string, which carries the signature, nonce
and echostr. Malformed requests are a 400 with a one-line log, never a 500 with a traceback.
tornado is already installed (python-telegram-bot's webhook server), so no new dependency.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, HTTPError, RequestHandler

from bot.commands.context import Deps
from bot.wechat.commands import WeChatBot, sender_openid
from bot.wechat.inflight import Inflight, SendLater
from bot.wechat.security import NONCE_MEMORY, SIGNED_PARAMS, Refused, Signed, Verifier
from bot.wechat.text import hint
from bot.wechat.xml import Incoming, Malformed, parse_incoming, text_reply
from core.services.replay import first_use

log = logging.getLogger(__name__)
access_log = logging.getLogger("tornado.access")

PATH = "/wechat"
MAX_BODY = 64 * 1024  # WeChat's messages are a few KB; anything larger is not from WeChat
FOLLOW_EVENTS = frozenset(("subscribe", "subscribe_scan"))
NONCE_SCOPE = "wechat"
# A message's id, remembered across instances: WeChat retries one message three times over
# ~15 s and a balancer may hand each retry to another instance; only the first runs it.
MESSAGE_SCOPE = "wechat_msg"
MESSAGE_MEMORY = timedelta(minutes=10)


def _log_request(handler: RequestHandler) -> None:
    """tornado's access log without the query string: method, path, status and time only."""
    status = handler.get_status()
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    request = handler.request
    access_log.log(level, "%d %s %s %.1fms", status, request.method, request.path,
                   1000 * request.request_time())  # fmt: skip


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
        app = Application([(PATH, CallbackHandler, {"server": self})], log_function=_log_request)
        # tornado drops the connection past its limit; up to 4× ours, we answer 413 ourselves.
        self._http = HTTPServer(app, max_body_size=4 * MAX_BODY, xheaders=False)
        self.port = 0

    def listen(self, host: str, port: int) -> int:
        """Start serving on host:port (0 picks a free port); the bound port."""
        sockets = bind_sockets(port, host or None)
        self._http.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        """Stop accepting, then let deferred answers go out."""
        self._http.stop()
        await self._http.close_all_connections()
        await self.inflight.drain()

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


class CallbackHandler(RequestHandler):
    """GET: URL verification. POST: one message in, one passive reply out."""

    def initialize(self, server: WeChatServer) -> None:
        self.server = server

    def _query(self) -> dict[str, str]:
        """The query as text; Refused(400) for bytes that are not UTF-8 or a repeated parameter."""
        query: dict[str, str] = {}
        for name, values in self.request.query_arguments.items():
            if name in SIGNED_PARAMS and len(values) != 1:
                raise Refused(400, f"repeated {name}")
            try:
                query[name] = values[-1].decode("utf-8")
            except UnicodeDecodeError as error:
                raise Refused(400, "query is not UTF-8") from error
        return query

    async def get(self) -> None:
        now = datetime.now(UTC)
        try:
            echo, signed = self.server.verifier.echo(self._query(), now)
            await self.server.spend(signed, now)
        except Refused as refused:
            return self._refuse(refused)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(echo)

    async def post(self) -> None:
        now = datetime.now(UTC)
        try:
            if len(self.request.body) > MAX_BODY:
                raise Refused(413, "body too large")
            xml, signed = self.server.verifier.open(self.request.body, self._query(), now)
            await self.server.spend(signed, now)
            message = read_message(xml)
        except Refused as refused:
            return self._refuse(refused)
        self._send(message, await self.server.reply_to(message), signed)

    def _send(self, message: Incoming, text: str, signed: Signed) -> None:
        if not text:
            self.finish("success")  # WeChat's "no reply" (no "service unavailable" shown)
            return
        now = datetime.now(UTC)
        reply = text_reply(to_user=message.source, from_user=message.target, content=text,
                           create_time=int(now.timestamp()))  # fmt: skip
        self.set_header("Content-Type", "application/xml; charset=utf-8")
        self.finish(self.server.verifier.seal(reply, signed, now))

    def _refuse(self, refused: Refused) -> None:
        log.warning("wechat: refused %s %s from %s: %s", self.request.method, PATH,
                    self.request.remote_ip, refused.reason)  # fmt: skip
        self.set_status(refused.status)
        self.finish(refused.reason)

    def _request_summary(self) -> str:
        return f"{self.request.method} {self.request.path} ({self.request.remote_ip})"

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """tornado's version logs the request's repr (its query string) and HTTPError texts
        (which quote query values); ours logs the summary, and a traceback for our bugs only."""
        if isinstance(value, HTTPError):
            log.warning("wechat: %d for %s", value.status_code, self._request_summary())
            return
        log.error("wechat: unexpected error on %s", self._request_summary(),
                  exc_info=(typ, value, tb) if typ and value else None)  # fmt: skip

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish(str(status_code))  # no traceback or settings in the page


async def run_wechat(
    deps: Deps, *, stop: asyncio.Event, send_later: SendLater | None = None
) -> None:
    """Serve the callback at WECHAT_LISTEN until `stop`; deferred answers via `send_later`."""
    host, _, port = deps.settings.wechat_listen.rpartition(":")
    server = WeChatServer(deps, send_later=send_later or _no_customer_service)
    bound = server.listen(host or "0.0.0.0", int(port))
    log.info("wechat callback listening on %s:%s%s", host or "0.0.0.0", bound, PATH)
    try:
        await stop.wait()
    finally:
        await server.close()


async def _no_customer_service(openid: str, text: str) -> None:
    log.warning("wechat: no customer-service sender wired; a late answer was dropped")
