"""The real `arxiv` package over HTTP against the fake arXiv: every recorded fixture parses,
ids resolve in batches, requests are sequential and spaced, failures are retried or reported."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import arxiv
import pytest

from domain.errors import InvalidInput, UpstreamError
from jobs.fetch import fetch_papers_by_ids
from jobs.fetch.api import ArxivClient
from jobs.fetch.resolve import convert_all
from tests.conftest import FIXTURES, make_settings
from tests.fakes.arxiv_feeds import make_papers
from tests.fakes.arxiv_server import FakeArxiv, utc

API_FIXTURES = sorted((FIXTURES / "arxiv-api").glob("*.json"))
_ENTRY_ID = re.compile(r"<id>http://arxiv\.org/abs/(.+?)v(\d+)</id>")


def _search_for(fixture: Path) -> tuple[arxiv.Search, int, int]:
    params = dict(parse_qsl(urlsplit(json.loads(fixture.read_text())["url"]).query))
    start, per_page = int(params["start"]), int(params["max_results"])
    search = arxiv.Search(
        query=params.get("search_query", ""),
        id_list=[i for i in params.get("id_list", "").split(",") if i],
        max_results=start + per_page,
        sort_by=arxiv.SortCriterion(params["sortBy"]),
        sort_order=arxiv.SortOrder(params["sortOrder"]),
    )
    return search, start, per_page


@pytest.mark.parametrize("fixture", API_FIXTURES, ids=lambda p: p.stem)
def test_every_recorded_fixture_parses(fake_arxiv: FakeArxiv, fixture: Path) -> None:
    recorded = json.loads(fixture.read_text())
    search, start, per_page = _search_for(fixture)
    client = ArxivClient(make_settings(**fake_arxiv.settings_overrides()).arxiv, page_size=per_page)
    if recorded["status_code"] != 200:
        with pytest.raises(arxiv.HTTPError) as info:
            list(client.results(search, offset=start))
        assert info.value.status == recorded["status_code"]
        return
    results = list(itertools.islice(client.results(search, offset=start), per_page))
    converted = convert_all(results)
    expected = [(i, int(v)) for i, v in _ENTRY_ID.findall(recorded["body"])]
    assert [(p.arxiv_id, p.version) for p in converted.papers] == expected
    assert converted.unusable == 0
    for paper in converted.papers:
        assert paper.title and paper.title == " ".join(paper.title.split())
        assert paper.abstract and "\n" not in paper.abstract
        assert paper.authors and not any("Ã" in name for name in paper.authors)
        assert paper.published_at.tzinfo is not None and paper.updated_at.tzinfo is not None
        assert paper.primary_category in paper.categories


async def test_fixture_papers_by_id_with_repaired_names(fake_arxiv: FakeArxiv) -> None:
    settings = make_settings(**fake_arxiv.settings_overrides())
    papers = await fetch_papers_by_ids(
        settings.arxiv, ["arXiv:1707.08567", "astro-ph/0601001", "quant-ph/0201082v1", "2611.99999"]
    )
    by_id = {p.arxiv_id: p for p in papers}
    assert list(by_id) == [
        "1707.08567",
        "astro-ph/0601001",
        "quant-ph/0201082",
    ]  # the unknown id is left out
    assert "Dirk Wübben" in by_id["1707.08567"].authors
    assert by_id["quant-ph/0201082"].version == 1


async def test_malformed_ids_never_reach_arxiv(fake_arxiv: FakeArxiv) -> None:
    settings = make_settings(**fake_arxiv.settings_overrides())
    with pytest.raises(InvalidInput, match="abc"):
        await fetch_papers_by_ids(settings.arxiv, ["2402.01399", "abc"])
    assert fake_arxiv.requests == []


async def test_ids_resolve_in_batches_of_at_most_100(fake_arxiv: FakeArxiv) -> None:
    papers = make_papers(230, start=utc(2026, 11, 1))
    fake_arxiv.add_papers(*papers)
    settings = make_settings(**fake_arxiv.settings_overrides())
    found = await fetch_papers_by_ids(settings.arxiv, [p.arxiv_id for p in papers])
    assert [p.arxiv_id for p in found] == [p.arxiv_id for p in papers]
    sizes = [len(r.params["id_list"].split(",")) for r in fake_arxiv.api_requests]
    assert sizes == [100, 100, 30]


async def test_requests_are_sequential_and_spaced(fake_arxiv: FakeArxiv) -> None:
    papers = make_papers(250, start=utc(2026, 11, 1))
    fake_arxiv.add_papers(*papers)
    settings = make_settings(**fake_arxiv.settings_overrides(arxiv_delay_seconds=0.2))
    fake_arxiv.fail(503, times=1)
    await fetch_papers_by_ids(settings.arxiv, [p.arxiv_id for p in papers])
    calls = fake_arxiv.api_requests
    assert len(calls) == 4  # one 503, then three batches
    for before, after in itertools.pairwise(calls):
        assert after.started >= before.finished  # never two at once
        assert after.started - before.started >= 0.2  # at least ARXIV_DELAY_SECONDS apart


@pytest.mark.parametrize("status", [429, 503])
async def test_throttling_is_retried_then_succeeds(fake_arxiv: FakeArxiv, status: int) -> None:
    fake_arxiv.add_papers(*make_papers(3, start=utc(2026, 11, 1)))
    fake_arxiv.fail(status, times=2)
    settings = make_settings(**fake_arxiv.settings_overrides())
    found = await fetch_papers_by_ids(settings.arxiv, ["2611.00001", "2611.00003"])
    assert [p.arxiv_id for p in found] == ["2611.00001", "2611.00003"]
    assert [r.status for r in fake_arxiv.api_requests] == [status, status, 200]


async def test_persistent_failure_is_an_upstream_error(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.fail(503, times=None)
    settings = make_settings(**fake_arxiv.settings_overrides(arxiv_retries=2))
    with pytest.raises(UpstreamError) as info:
        await fetch_papers_by_ids(settings.arxiv, ["2611.00001"])
    assert "HTTP 503" in str(info.value)
    assert len(fake_arxiv.api_requests) == 3  # first try + 2 retries


async def test_a_slow_reply_times_out_and_is_retried(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.add_papers(*make_papers(1, start=utc(2026, 11, 1)))
    fake_arxiv.slow(5.0, times=1)
    settings = make_settings(**fake_arxiv.settings_overrides(arxiv_timeout_seconds=0.3))
    found = await fetch_papers_by_ids(settings.arxiv, ["2611.00001"])
    assert [p.arxiv_id for p in found] == ["2611.00001"]
    assert fake_arxiv.api_requests[-1].status == 200


async def test_a_server_that_never_answers_in_time_fails_cleanly(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.slow(5.0, times=None)
    settings = make_settings(
        **fake_arxiv.settings_overrides(arxiv_timeout_seconds=0.2, arxiv_retries=1)
    )
    with pytest.raises(UpstreamError) as info:
        await fetch_papers_by_ids(settings.arxiv, ["2611.00001"])
    assert "timed out" in str(info.value)
