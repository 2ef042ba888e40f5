"""Batch jobs: fetch, summarize, compose and the scheduler; each is also a CLI command."""
