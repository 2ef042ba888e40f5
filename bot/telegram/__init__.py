"""The Telegram front end on python-telegram-bot: thin handlers over `bot.commands`."""

import os

# Opt in to PTB's coming behaviour (durations as timedelta); without it PTB 22 warns on every
# RetryAfter it builds. We only log retry_after, and the rate limiter reads the timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
