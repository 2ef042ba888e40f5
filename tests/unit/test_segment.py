"""Segmentation and query-term building: Chinese is cut into words, syntax becomes plain words."""

from __future__ import annotations

import pytest

from storage.search_postgres import tsquery_expression
from storage.search_sqlite import match_expression
from storage.search_terms import MAX_TERMS, query_terms
from storage.textseg import segment, segment_for_index


def test_chinese_runs_are_cut_into_words() -> None:
    words = segment("基于人类反馈的强化学习用于大模型对齐")
    assert {"强化", "学习", "对齐", "模型"} <= set(words)
    assert "基于人类反馈的强化学习用于大模型对齐" not in words


def test_mixed_text_keeps_latin_words_as_written() -> None:
    assert segment("RLHF 对齐 Transformers") == ["RLHF", "对齐", "Transformers"]


def test_full_width_letters_are_folded() -> None:
    assert segment("ＲＬＨＦ") == ["RLHF"]


def test_index_text_is_space_separated() -> None:
    assert segment_for_index("大模型对齐方法") == " ".join(segment("大模型对齐方法"))
    assert segment_for_index("") == ""


@pytest.mark.parametrize(
    "hostile",
    ['"', "*", "NEAR", "-", ":", "AND", "OR", "(", "'", "\\", "😀", "a\"b'c(d)*e:f-g\\h"],
)
def test_terms_hold_only_letters_digits_and_han(hostile: str) -> None:
    for term in query_terms(hostile + " transformer 对齐"):
        assert term.word.isalnum(), term


def test_syntax_words_are_just_words() -> None:
    words = [term.word for term in query_terms('NEAR(a b) OR "c" AND -d title:e*')]
    assert words == ["near", "a", "b", "or", "c", "and", "d", "title", "e"]


def test_prefix_only_for_latin_words_of_three_letters() -> None:
    terms = {term.word: term.prefix for term in query_terms("optim ai 2024 对齐 RLHF")}
    assert terms == {"optim": True, "ai": False, "2024": False, "对齐": False, "rlhf": True}


def test_terms_are_distinct_and_bounded() -> None:
    assert [t.word for t in query_terms("Model model MODEL")] == ["model"]
    many = " ".join(f"word{i}" for i in range(100))
    assert len(query_terms(many)) == MAX_TERMS


def test_no_words_no_terms() -> None:
    assert query_terms("") == []
    assert query_terms("?!… —— 😀 ***") == []


def test_engine_expressions_quote_every_word() -> None:
    terms = query_terms("optim 对齐")
    assert match_expression(terms) == '"optim"* "对齐"'
    assert tsquery_expression(terms) == "'optim':* & '对齐'"
