"""Guards: unbacked code links are dropped, invented TL;DR numbers flagged, ratings clamped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.types import SummaryContent
from jobs.summarize.guards import (
    FLAG_NUMBER,
    apply_guards,
    clamp_rating,
    coerce_raw,
    guard_code_url,
    invented_numbers,
    numbers_in,
)
from tests.factories import make_paper

ABSTRACT = (
    "We train on 1,000 tasks and improve accuracy by 12.5% while running 3x faster than "
    "the baseline. Code: https://github.com/acme/fast-rl."
)


def test_numbers_are_normalized() -> None:
    found = numbers_in("准确率提升12.5%，速度快3×，使用1,000个任务，12.50 分")
    assert found == {Decimal("12.5"), Decimal("3"), Decimal("1000")}


@pytest.mark.parametrize(
    "tldr",
    [
        "本文在1000个任务上将准确率提升了12.5%，速度快3倍。",
        "Accuracy improves by 12.50 % on 1,000 tasks, 3× faster.",
        "Three benchmarks, one model.",  # number words in the abstract back digits elsewhere
    ],
)
def test_numbers_backed_by_the_abstract_are_not_flagged(tldr: str) -> None:
    paper = make_paper(abstract=ABSTRACT + " We use three benchmarks.")
    assert invented_numbers(paper, tldr) == set()


@pytest.mark.parametrize(
    ("tldr", "invented"),
    [("准确率提升15%。", {"15"}), ("Improves accuracy by 12.5% with 2,048 GPUs.", {"2048"})],
)
def test_invented_numbers_flag_the_summary(tldr: str, invented: set[str]) -> None:
    # A fixed title: the factory's "Paper number 15" would back the 15 whenever the counter hit it
    paper = make_paper(abstract=ABSTRACT, title="Fast RL")
    assert invented_numbers(paper, tldr) == {Decimal(n) for n in invented}
    _, flags = apply_guards(paper, SummaryContent(title_translated="t", tldr=tldr))
    assert flags == [FLAG_NUMBER]


@pytest.mark.parametrize(
    "link",
    [
        "https://github.com/acme/fast-rl",
        "http://www.github.com/acme/fast-rl.git/",
        "github.com/acme/fast-rl",
    ],
)
def test_code_link_from_the_abstract_is_kept(link: str) -> None:
    paper = make_paper(abstract=ABSTRACT)
    assert guard_code_url(paper, link) == "https://github.com/acme/fast-rl"  # the paper's spelling


def test_invented_code_link_is_dropped_and_arxivs_own_used() -> None:
    paper = make_paper(abstract="No link here.", comment="Project: https://acme.ai/proj")
    assert guard_code_url(paper, "https://github.com/someone/else") is None
    assert guard_code_url(paper, "https://acme.ai/proj/") == "https://acme.ai/proj"
    with_own = make_paper(abstract="No link.", code_url="https://github.com/own/repo")
    assert guard_code_url(with_own, "https://github.com/fake/repo") == "https://github.com/own/repo"
    content, flags = apply_guards(
        paper, SummaryContent(title_translated="t", tldr="x", code_url="https://github.com/a/b")
    )
    assert content.code_url is None
    assert flags == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (4, 4), (0, 1), (9, 5), (3.6, 3.5), (3.75, 4), (3.5, 3.5), ("4/5", 4), ("3.5/5", 3.5),
        ("excellent", None), (None, None), (True, None), (float("nan"), None),
    ],
)  # fmt: skip
def test_rating_is_clamped_to_half_points(raw: object, expected: float | None) -> None:
    assert clamp_rating(raw) == expected


def test_coerce_raw_fixes_lists_given_as_strings() -> None:
    fixed = coerce_raw({"keywords": "RL, alignment；reward", "rating": 7, "code_url": ""})
    assert fixed == {"keywords": ["RL", "alignment", "reward"], "rating": 5, "code_url": None}
