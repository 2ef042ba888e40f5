"""Kept for imports: the cron parsing lives in `core.cron`, where settings validation uses it."""

from core.cron import CRON_DAYS, cron_trigger, cron_weekdays

__all__ = ["CRON_DAYS", "cron_trigger", "cron_weekdays"]
