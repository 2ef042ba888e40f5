"""Logging set-up: one line per record, our level from settings, noisy libraries quieted."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL; the Telegram one carries the bot token.
    for noisy in ("httpx", "httpcore", "arxiv", "jieba", "apscheduler", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
