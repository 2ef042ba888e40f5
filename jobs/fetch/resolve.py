"""Ids → `PaperMeta` through the API, in batches, off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import arxiv
import requests

from core.config_groups import ArxivSettings
from domain.arxiv_ids import ArxivId, parse_arxiv_ids
from domain.types import PaperMeta
from jobs.fetch.api import ArxivClient, fetch_by_ids, wrap_error
from jobs.fetch.convert import UnusableEntry, to_paper_meta

log = logging.getLogger(__name__)

# What the `arxiv` package and requests raise when arXiv fails us after our retries.
UPSTREAM_ERRORS: tuple[type[BaseException], ...] = (arxiv.ArxivError, requests.RequestException)


@dataclass
class Converted:
    papers: list[PaperMeta] = field(default_factory=list)
    unusable: int = 0


def convert_all(results: Sequence[arxiv.Result], **extra: object) -> Converted:
    """Convert API results, counting (not raising on) entries we cannot use."""
    out = Converted()
    for result in results:
        try:
            out.papers.append(to_paper_meta(result, **extra))  # type: ignore[arg-type]
        except (UnusableEntry, ValueError, TypeError, AttributeError) as error:
            log.warning("skipping arXiv entry: %s", error)
            out.unusable += 1
    return out


def match_requested(papers: Sequence[PaperMeta], wanted: Sequence[ArxivId]) -> list[PaperMeta]:
    """The papers in the order asked for; ids arXiv did not return are left out."""
    by_id = {paper.arxiv_id: paper for paper in papers}
    return [by_id[item.arxiv_id] for item in wanted if item.arxiv_id in by_id]


async def resolve_ids(client: ArxivClient, wanted: Sequence[ArxivId]) -> Converted:
    results = await asyncio.to_thread(fetch_by_ids, client, [str(item) for item in wanted])
    converted = convert_all(results)
    converted.papers = match_requested(converted.papers, wanted)
    return converted


async def fetch_papers_by_ids(arxiv: ArxivSettings, ids: Sequence[str]) -> list[PaperMeta]:
    """Look papers up on arXiv (for `/paper` and `fetch --ids`); unknown ids are left out.

    Raises `InvalidInput` for a malformed id and `UpstreamError` when arXiv keeps failing.
    """
    wanted = parse_arxiv_ids(list(ids))
    client = ArxivClient(arxiv)
    try:
        return (await resolve_ids(client, wanted)).papers
    except UPSTREAM_ERRORS as error:
        raise wrap_error(error) from error
    finally:
        client.close()
