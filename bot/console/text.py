"""Telegram HTML as terminal text, for HTML that is not `domain.content` (the jobs' admin
notices printed by `cli/schedule.py`); command replies render as text directly
(`bot.render.content.plain_text`)."""

from __future__ import annotations

from bot.render.content import html_to_text

__all__ = ["html_to_text"]
