"""Code links come only from the paper's own metadata, cleaned of the prose around them."""

from __future__ import annotations

import pytest

from jobs.fetch.links import find_code_urls, first_code_url, url_in_texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Code: https://github.com/org/repo.", "https://github.com/org/repo"),
        ("(see https://github.com/org/repo)", "https://github.com/org/repo"),
        ("available at github.com/org/repo, and more", "https://github.com/org/repo"),
        ("https://gitlab.com/group/sub/project;", "https://gitlab.com/group/sub/project"),
        ("Weights: https://huggingface.co/org/model!", "https://huggingface.co/org/model"),
        ("\\url{https://github.com/a/b}", "https://github.com/a/b"),
        ("<https://github.com/a/b>", "https://github.com/a/b"),
        ("https://github.com/a/b_(c)", "https://github.com/a/b_(c)"),
        ('"https://www.github.com/a/b".', "https://www.github.com/a/b"),
    ],
)
def test_finds_and_trims(text: str, expected: str) -> None:
    assert first_code_url([text]) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We will release code on github.com soon.",  # a bare host is no link
        "https://github.com/",
        "https://example.com/org/repo",
        "https://arxiv.org/abs/2402.01399",
        "notgithub.company/org/repo",
        "",
    ],
)
def test_no_code_link(text: str) -> None:
    assert first_code_url([text]) is None


def test_order_and_repeats_across_fields() -> None:
    abstract = "Code at https://github.com/a/one. Data at https://huggingface.co/datasets/x/y."
    comment = "Also https://github.com/a/one and https://gitlab.com/b/two"
    assert find_code_urls([abstract, None, comment]) == [
        "https://github.com/a/one",
        "https://huggingface.co/datasets/x/y",
        "https://gitlab.com/b/two",
    ]


def test_guard_accepts_only_links_in_the_metadata() -> None:
    texts = ["Our code: github.com/Org/Repo."]
    assert url_in_texts("https://github.com/org/repo/", texts)
    assert not url_in_texts("https://github.com/org/other", texts)
    assert not url_in_texts("https://github.com/org/repo", ["no link here"])
