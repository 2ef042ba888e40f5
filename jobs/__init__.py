"""The pipeline: fetch, summarize, compose, publish; each job is also a CLI command."""
