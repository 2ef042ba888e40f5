"""The Official Account callback (`WECHAT_LISTEN`, path `/wechat`) on tornado.

GET is WeChat's URL verification; POST carries a message or event as XML (AES-encrypted in
safe mode) and gets a passive XML reply. Every request's signature is checked; refusals are
logged with the peer's address and the reason only, never the token, key or signature.
tornado is already installed (python-telegram-bot's webhook server), so no new dependency.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler
from wechatpy import parse_message
from wechatpy.replies import TextReply

from bot.commands.context import Deps
from bot.wechat.commands import WeChatBot, sender_openid
from bot.wechat.inflight import Inflight, SendLater
from bot.wechat.security import Refused, Verifier
from bot.wechat.text import hint

log = logging.getLogger(__name__)

PATH = "/wechat"
MAX_BODY = 64 * 1024  # WeChat's messages are a few KB; anything larger is not from WeChat
FOLLOW_EVENTS = frozenset(("subscribe", "subscribe_scan"))


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
        self.verifier = verifier or Verifier.from_settings(deps.settings)
        self.inflight = Inflight(send_later=send_later, answer_within=answer_within)
        app = Application([(PATH, CallbackHandler, {"server": self})])
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

    async def reply_to(self, message: Any) -> str:
        """The reply text for one parsed message ("" for none); a retry gets the first's.
        A sender or receiver that is not one plain id gets no answer and touches nothing."""
        openid = sender_openid(message)
        if openid is None:
            log.warning("wechat: ignored a message whose sender or receiver id is malformed")
            return ""
        key = _message_key(message)
        text = await self.inflight.answer(key, openid, lambda: self._handle(message))
        if text is None:
            return hint(await self._language(openid), "working")
        return text

    async def _handle(self, message: Any) -> str:
        openid = str(message.source)
        try:
            return await self._dispatch(message, openid)
        except Exception:  # our bug or the database: the user gets a sentence, admins the log
            log.exception("wechat: answering a %s failed", message.type)
            return hint(await self._language(openid), "failed")

    async def _dispatch(self, message: Any, openid: str) -> str:
        if message.type == "text":
            return await self.bot.answer(openid, str(message.content or ""))
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


def read_message(xml: str) -> Any:
    """wechatpy's message object; Refused(400) for anything that is not a WeChat message."""
    try:
        message = parse_message(xml)
    except Exception as error:  # expat and xmltodict raise several kinds for bad XML
        raise Refused(400, f"unreadable message ({type(error).__name__})") from error
    if message is None or not getattr(message, "source", None):
        raise Refused(400, "message without sender")
    return message


def _message_key(message: Any) -> str:
    """MsgId for messages; events have none, so WeChat's advice: sender + CreateTime."""
    if getattr(message, "id", None):
        return f"msg:{message.id}"
    return f"event:{message.source}:{message.create_time}:{getattr(message, 'event', '')}"


class CallbackHandler(RequestHandler):
    """GET: URL verification. POST: one message in, one passive reply out."""

    def initialize(self, server: WeChatServer) -> None:
        self.server = server

    def _query(self) -> dict[str, str]:
        return {name: self.get_query_argument(name) for name in self.request.query_arguments}

    def get(self) -> None:
        try:
            echo = self.server.verifier.echo(self._query())
        except Refused as refused:
            return self._refuse(refused)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(echo)

    async def post(self) -> None:
        query = self._query()
        try:
            if len(self.request.body) > MAX_BODY:
                raise Refused(413, "body too large")
            message = read_message(self.server.verifier.open(self.request.body, query))
        except Refused as refused:
            return self._refuse(refused)
        self._send(message, await self.server.reply_to(message), query)

    def _send(self, message: Any, text: str, query: dict[str, str]) -> None:
        if not text:
            self.finish("success")  # WeChat's "no reply" (no "service unavailable" shown)
            return
        reply = TextReply(content=text, message=message).render()
        self.set_header("Content-Type", "application/xml; charset=utf-8")
        self.finish(self.server.verifier.seal(reply, query))

    def _refuse(self, refused: Refused) -> None:
        log.warning("wechat: refused %s %s from %s: %s", self.request.method, PATH,
                    self.request.remote_ip, refused.reason)  # fmt: skip
        self.set_status(refused.status)
        self.finish(refused.reason)

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
