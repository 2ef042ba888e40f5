"""The /subscribe topic language: every form, normalization, limits and hostile input."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.topics import MAX_TERMS, MAX_TOPIC_CHARS, TopicQuery, describe, parse_topic
from domain.types import TopicKind


def test_bare_words_all_must_appear() -> None:
    topic = parse_topic("RLHF reward model")
    assert topic.terms == ("RLHF", "reward", "model")
    assert topic.kind is TopicKind.KEYWORDS
    assert topic.text == "RLHF reward model"


def test_quoted_phrase_and_excludes() -> None:
    topic = parse_topic('"reward  model" -survey -"position paper"')
    assert topic.phrases == ("reward model",)
    assert topic.excludes == ("survey", "position paper")
    assert topic.text == '"reward model" -survey -"position paper"'


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("cat:cs.CL", "cs.CL"),
        ("cat:CS.cl", "cs.CL"),
        ("category:stat.ml", "stat.ML"),
        ("cat:hep-th", "hep-th"),
        ("cat:cond-mat.Stat-Mech", "cond-mat.stat-mech"),
        ("cat:cs", "cs"),
    ],
)
def test_category_is_validated_and_case_normalized(text: str, category: str) -> None:
    topic = parse_topic(text)
    assert topic.category == category and topic.kind is TopicKind.CATEGORY
    assert topic.text == f"cat:{category}"


@pytest.mark.parametrize("text", ["cat:cl", "cat:cs.", "cat:cs.C_L", "cat:cs.CL.x", "cat:.CL"])
def test_bad_categories_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_topic(text)
    assert "cat:cs.CL" in error.value.user_message


def test_author_quoted_or_single_word() -> None:
    quoted = parse_topic('author:"Yejin  Choi"')
    assert quoted.author == "Yejin Choi" and quoted.kind is TopicKind.AUTHOR
    assert quoted.text == 'author:"Yejin Choi"'
    single = parse_topic("AUTHOR:Choi")
    assert single.author == "Choi" and single.text == "author:Choi"


def test_forms_combine_and_keep_a_canonical_order() -> None:
    topic = parse_topic('-survey cat:cs.LG "reward model" RLHF')
    assert topic.text == 'RLHF "reward model" cat:cs.LG -survey'
    assert topic.kind is TopicKind.KEYWORDS  # words narrowed to a category
    assert parse_topic("author:Choi alignment").kind is TopicKind.AUTHOR


def test_key_ignores_order_case_and_plurals() -> None:
    assert parse_topic("reward models RLHF").key == parse_topic("rlhf Reward model").key
    assert parse_topic("RLHF").key != parse_topic("RLHF -survey").key
    assert parse_topic('"reward model"').key != parse_topic("model reward -x").key


def test_full_width_and_curly_quotes_are_folded() -> None:
    topic = parse_topic("ＲＬＨＦ “reward model” cat：cs.CL")
    assert topic.terms == ("RLHF",)
    assert topic.phrases == ("reward model",)
    assert topic.category == "cs.CL"


def test_chinese_terms() -> None:
    topic = parse_topic("强化学习 -综述")
    assert topic.terms == ("强化学习",) and topic.excludes == ("综述",)
    with pytest.raises(InvalidInput) as error:
        parse_topic("的")
    assert "两个字" in error.value.message_for("zh")


def test_regex_metacharacters_are_just_punctuation() -> None:
    topic = parse_topic(r"(.*)+ [a-z]+ \d{3} ^$ | foo.*bar")
    # each is a word sequence to find, never a pattern: "d{3" looks for the words "d 3"
    assert topic.terms == ("a-z", "d{3", "foo.*bar")
    assert topic.text == "a-z d{3 foo.*bar"


def test_search_engine_words() -> None:
    assert parse_topic("NEAR transformer").terms == ("NEAR", "transformer")
    assert parse_topic("RLHF AND DPO").terms == ("RLHF", "DPO")
    assert parse_topic('"OR"').phrases == ("OR",)
    for operator in ("RLHF OR DPO", "NOT survey"):
        with pytest.raises(InvalidInput, match="OR/NOT"):
            parse_topic(operator)


def test_unbalanced_quote_runs_to_the_end() -> None:
    assert parse_topic('"reward model').phrases == ("reward model",)
    assert parse_topic('author:"Yejin Choi').author == "Yejin Choi"


def test_emoji_and_punctuation_alone_match_nothing() -> None:
    assert parse_topic("🤖 agents!!").terms == ("agents",)
    for text in ("🤖🔥", "!!! ...", '""', "-", "-survey", "\x00\x07"):
        with pytest.raises(InvalidInput):
            parse_topic(text)


def test_limits() -> None:
    with pytest.raises(InvalidInput, match=f"{MAX_TOPIC_CHARS}"):
        parse_topic("x" * 4000)
    parse_topic(" ".join(f"w{i}" for i in range(MAX_TERMS)))
    with pytest.raises(InvalidInput, match=f"{MAX_TERMS}"):
        parse_topic(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
    with pytest.raises(InvalidInput, match="64"):
        parse_topic("a" * 65)


def test_duplicate_words_count_once() -> None:
    assert parse_topic("model model Models").terms == ("model",)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "cat:",
        "author:",
        'author:"  "',
        "cat:cs.CL cat:cs.LG",
        "author:a author:b",
        "-cat:cs.CV x",
        "-author:x y",
    ],
)
def test_errors_are_bilingual(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_topic(text)
    zh, en = error.value.message_for("zh"), error.value.message_for("en")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert any(ch.isascii() and ch.isalpha() for ch in en)


def test_json_round_trip_and_bad_json() -> None:
    topic = parse_topic('RLHF "reward model" cat:cs.CL author:Choi -survey')
    assert TopicQuery.from_json(topic.to_json()) == topic
    for bad in ({"terms": "RLHF"}, {"terms": [1]}, {"category": 3}, {}):
        with pytest.raises(ValueError):
            TopicQuery.from_json(bad)


def test_describe_in_both_languages() -> None:
    topic = parse_topic('RLHF "reward model" cat:cs.CL -survey -"position paper"')
    assert describe(topic, "en") == (
        'RLHF + "reward model"; category cs.CL; excluding survey, "position paper"'
    )
    assert (
        describe(topic, "zh") == "RLHF + “reward model”；分类 cs.CL；排除 survey、“position paper”"
    )
    assert describe(parse_topic('author:"Yejin Choi"'), "zh") == "作者 Yejin Choi"
