"""The HTTP server `digestbot run` composes (cli.http), served in-process on a free port, and
/metrics read back with prometheus_client's own parser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.commands.context import Deps
from cli.http import http_server
from core.config import Settings
from storage.db import Database

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@asynccontextmanager
async def served(settings: Settings, db: Database) -> AsyncIterator[str]:
    """The process's server (health, metrics, and whatever the settings switch on); its URL."""
    async with http_server(Deps(settings=settings, db=db), "127.0.0.1:0", None) as http:
        yield f"http://127.0.0.1:{http.port}"


async def scrape(base: str) -> Samples:
    """/metrics parsed: {(sample name, labels): value}."""
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{base}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return parse(answer.text)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much one sample grew between two scrapes (absent counts as 0)."""
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)
