"""FULLTEXT and the reader's settings: on by default with an LLM key, bad values named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.conftest import make_settings


def test_fulltext_defaults_to_on_with_an_llm_key_and_off_without() -> None:
    assert make_settings().reader.enabled is False
    assert make_settings(openai_api_key="sk-real-key-1").reader.enabled is True
    assert make_settings(openai_api_key="sk-real-key-1", fulltext="false").reader.enabled is False
    assert make_settings(fulltext="true").reader.enabled is True  # extractive, from full text
    assert make_settings(fulltext="").reader.enabled is False


def test_the_bases_are_settings_without_a_trailing_slash() -> None:
    reader = make_settings(arxiv_html_url="http://mirror.example/html/").reader
    assert reader.html_url == "http://mirror.example/html"
    assert reader.pdf_url == "https://arxiv.org/pdf"


@pytest.mark.parametrize(
    "key, value",
    [("arxiv_html_url", "ftp://x"), ("llm_max_input_tokens", "10"), ("fulltext", "maybe")],
)
def test_bad_values_name_their_key(key: str, value: str) -> None:
    with pytest.raises(ValidationError, match=key):
        make_settings(**{key: value})
