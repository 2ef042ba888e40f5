"""The jobs admins run from chat (`bot.commands.context.AdminOps`), built on `jobs`.

The composition root hands this to the front ends in `Deps.ops`; each front end binds its
platform's sender at start-up, which reports and broadcasts then go through.
"""

from __future__ import annotations

import logging

from bot.commands.context import Progress
from core.config import Settings
from core.sending import Sender
from core.services.broadcast import broadcast
from domain.errors import DigestError, NothingToDo
from storage.db import Database

log = logging.getLogger(__name__)


class JobAdminOps:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.senders: dict[str, Sender] = {}

    def bind_sender(self, sender: Sender) -> None:
        """Each front end's sender: reports, broadcasts and publishing go through it."""
        self.senders[sender.platform] = sender

    async def fetch(self) -> str:
        """Fetch today's papers, then summarize what is new: the pipeline minus compose."""
        from jobs.fetch.job import run_fetch
        from jobs.summarize.job import run_summarize

        try:
            fetched = f"fetch: {(await run_fetch(self.settings.arxiv, self.db)).message}"
        except DigestError as error:  # arXiv down: still summarize what is stored
            fetched = f"fetch: {error.user_message}"
        summarized = await run_summarize(self.settings.llm, self.db)
        return f"{fetched}; summarize: {summarized.message}"

    async def compose(self) -> str:
        from jobs.compose import compose_issue

        try:
            issue = await compose_issue(self.settings.editorial, self.db)
        except NothingToDo as nothing:
            return nothing.message_for(self.settings.digest_language)
        return f"第{issue.number}期 ({len(issue.items)} papers, draft) {issue.title}"

    async def publish(self, number: int, actor: str, progress: Progress | None) -> str:
        """Telegram through the bound sender (when this process runs the bot) and every other
        configured platform; a line per platform."""
        from cli.publishers import joined, publish_everywhere

        results = await publish_everywhere(
            self.settings, self.db, self.senders.get("telegram"),
            number=number, actor=actor, progress=progress,
        )  # fmt: skip
        return joined(results)

    async def approved(self, number: int) -> list[str]:
        """Follow-ups of an approval: the 公众号 draft when WeChat is configured."""
        from cli.wechat_publish import create_draft

        line = await create_draft(self.settings, self.db, number=number)
        return [line] if line else []

    async def broadcast(self, html: str) -> int:
        return await broadcast(self.db, self.senders, html)

    async def tell(self, platform: str, target: str, html: str) -> None:
        sender = self.senders.get(platform)
        if sender is None:
            log.warning("no %s sender bound: report to %s dropped", platform, target)
            return
        try:
            await sender.send(target, html)
        except Exception:  # a report that cannot be delivered must not kill the job's task
            log.warning("could not report to %s:%s", platform, target, exc_info=True)
