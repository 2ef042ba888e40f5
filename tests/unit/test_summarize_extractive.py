"""The no-key summarizer: a sensible TL;DR from the abstract, never an exception."""

from __future__ import annotations

import pytest

from jobs.summarize.extractive import split_sentences, summarize_extractive
from tests.factories import make_paper


def test_prefers_the_sentence_with_the_result() -> None:
    paper = make_paper(
        title="Fast RL",
        abstract=(
            "Reinforcement learning is widely used. It is often slow. We propose FastRL, which "
            "outperforms PPO by 12.5% on 3 benchmarks. We discuss limitations."
        ),
        code_url=None,
    )
    summary = summarize_extractive(paper)
    assert summary.tldr == "We propose FastRL, which outperforms PPO by 12.5% on 3 benchmarks."
    assert summary.title_translated == "Fast RL"  # untranslated
    assert summary.background == summary.method == summary.results == ""
    assert summary.rating is None
    assert summary.contributions == []


def test_sentences_survive_abbreviations_decimals_and_math() -> None:
    text = "We use e.g. transformers with $p=0.5$ dropout. Accuracy is 12.5 points higher. Done!"
    assert split_sentences(text) == [
        "We use e.g. transformers with $p=0.5$ dropout.",
        "Accuracy is 12.5 points higher.",
        "Done!",
    ]


def test_keywords_by_frequency_and_latex_unwrapped() -> None:
    paper = make_paper(
        title=r"\emph{Sparse} Attention for Long Documents",
        abstract="Sparse attention scales to long documents. Sparse attention is fast. "
        r"We show $\mathcal{O}(n)$ attention on documents.",
    )
    summary = summarize_extractive(paper)
    assert summary.title_translated == "Sparse Attention for Long Documents"
    assert summary.keywords[0] == "attention"  # 3 in the abstract + title counted twice
    assert set(summary.keywords[1:3]) == {"sparse", "documents"}
    assert "mathcal" not in summary.keywords


def test_code_link_only_from_metadata() -> None:
    paper = make_paper(abstract="Code at https://github.com/acme/repo.", code_url=None)
    assert summarize_extractive(paper).code_url == "https://github.com/acme/repo"
    assert summarize_extractive(make_paper(abstract="No code.")).code_url is None


@pytest.mark.parametrize(
    "abstract",
    ["", "   ", "$$", "a", "?!?!", "x" * 5000, "\\emph{", "不是英文的摘要。第二句。", "1. 2. 3."],
)
def test_odd_abstracts_still_get_a_tldr(abstract: str) -> None:
    summary = summarize_extractive(make_paper(abstract=abstract))
    assert summary.tldr
    assert len(summary.tldr) <= 320
