"""arXiv ids in every shape users paste them; malformed ones are refused with a clear message."""

from __future__ import annotations

import pytest

from domain.arxiv_ids import ArxivId, parse_arxiv_id, parse_arxiv_ids, split_versioned
from domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2402.01399", ArxivId("2402.01399")),
        ("2402.01399v2", ArxivId("2402.01399", 2)),
        ("  2402.01399v12 ", ArxivId("2402.01399", 12)),
        ("0704.0001", ArxivId("0704.0001")),
        ("https://arxiv.org/abs/2402.01399", ArxivId("2402.01399")),
        ("http://arxiv.org/abs/2402.01399v3/", ArxivId("2402.01399", 3)),
        ("https://arxiv.org/pdf/2402.01399v2.pdf", ArxivId("2402.01399", 2)),
        ("https://export.arxiv.org/abs/2402.01399", ArxivId("2402.01399")),
        ("www.arxiv.org/abs/2402.01399", ArxivId("2402.01399")),
        ("arxiv:2402.01399", ArxivId("2402.01399")),
        ("arXiv:2402.01399v1", ArxivId("2402.01399", 1)),
        ("oai:arXiv.org:2508.13426v1", ArxivId("2508.13426", 1)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v1", ArxivId("hep-th/9901001", 1)),
        ("math.GT/0309136", ArxivId("math.GT/0309136")),
        ("https://arxiv.org/abs/quant-ph/0201082v1", ArxivId("quant-ph/0201082", 1)),
    ],
)
def test_accepted_shapes(raw: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "2402.1399",  # too few digits
        "2402.013999",  # too many
        "2413.01399",  # month 13
        "0000.0000",
        "2402.01399v0",
        "2402.01399v",
        "https://example.com/abs/2402.01399",
        "2402.01399; DROP TABLE papers",
        "HEP-TH/9901001",
        "x" * 500,
    ],
)
def test_malformed_ids_raise_invalid_input(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_arxiv_id(raw)
    assert "is not an arXiv id" in info.value.user_message
    assert len(info.value.user_message) < 200  # long input is shortened in the message


def test_parse_many_dedupes_and_is_all_or_nothing() -> None:
    assert parse_arxiv_ids(["2402.01399", "arxiv:2402.01399", "2402.01399v2"]) == [
        ArxivId("2402.01399"),
        ArxivId("2402.01399", 2),
    ]
    with pytest.raises(InvalidInput):
        parse_arxiv_ids(["2402.01399", "nope"])
    with pytest.raises(InvalidInput):
        parse_arxiv_ids([])


@pytest.mark.parametrize(
    ("short", "expected"),
    [
        ("2402.01399v2", ("2402.01399", 2)),
        ("hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("2402.01399", ("2402.01399", 1)),
        ("cs/0112017v10", ("cs/0112017", 10)),
    ],
)
def test_split_versioned(short: str, expected: tuple[str, int]) -> None:
    assert split_versioned(short) == expected
