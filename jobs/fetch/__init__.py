"""Fetch: today's arXiv announcement (RSS, resolved through the API), backfill, or ids."""

from jobs.fetch.job import backfill_window, run_fetch
from jobs.fetch.report import FetchReport
from jobs.fetch.resolve import fetch_papers_by_ids

__all__ = ["FetchReport", "backfill_window", "fetch_papers_by_ids", "run_fetch"]
