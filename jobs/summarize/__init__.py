"""Summarize stored papers into structured digests: LLM when configured, extractive otherwise."""

from jobs.summarize.job import SummarizeReport, run_summarize, summarize_paper

__all__ = ["SummarizeReport", "run_summarize", "summarize_paper"]
