"""Matching topics against real papers (seed 003): words, phrases, plurals, Chinese, excludes,
categories and authors."""

from __future__ import annotations

import gc
from dataclasses import replace

from domain.topics import matches, matches_any, parse_topic
from domain.topictext import _cache, paper_text, stem
from domain.types import PaperView, StoredSummary, SummarySource
from tests.factories import make_paper
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

SEED = load_seed_papers()


def _view(ref: int, *, summary: bool = True, **meta: object) -> PaperView:
    paper = SEED[ref - 1]
    stored = StoredSummary(
        id=ref,
        paper_id=ref,
        language="zh",
        source=SummarySource.LLM,
        model="m",
        prompt_version="p",
        content=seed_summary(paper),
    )
    return PaperView(
        id=ref,
        meta=replace(seed_meta(paper), **meta),  # type: ignore[arg-type]
        summary=stored if summary else None,
    )


VIEWS = [_view(p.ref) for p in SEED]


def _matching(text: str) -> list[int]:
    topic = parse_topic(text)
    return [view.id for view in VIEWS if matches(topic, view)]


def test_all_words_must_appear_anywhere() -> None:
    # 9: "Explaining Learned Reward Functions with Counterfactual Trajectories"
    assert 9 in _matching("reward counterfactual")
    assert 9 not in _matching("reward counterfactual diffusion")


def test_case_insensitive_word_boundaries() -> None:
    assert 14 in _matching("TRANSFORMER")  # "Recurrent Linear Transformers"
    assert 4 in _matching("ctrl-sim")  # "CtRL-Sim", a hyphenated name
    # "Transformer" is not found inside a longer word: nothing says "transformerx"
    assert _matching("transformerx") == []
    # and a word does not match a prefix of a longer one ("reason" vs "reasoning")
    assert 11 in _matching("reasoning") and 11 not in _matching("reaso")


def test_plural_tolerance_both_ways() -> None:
    assert 14 in _matching("transformer")  # text says Transformers
    assert 20 in _matching("large language model")  # text says "large language models"
    assert 9 in _matching("trajectory")  # "Trajectories"
    assert 9 in _matching("rewards function")


def test_phrases_keep_order_and_adjacency() -> None:
    assert 20 in _matching('"large language models"')
    assert 20 not in _matching('"models language large"')
    # a phrase does not span the end of the title and the start of the abstract
    title_end = SEED[13].title.split()[-1]
    abstract_start = SEED[13].abstract.split()[0]
    assert 14 not in _matching(f'"{title_end} {abstract_start}"')


def test_excludes_remove_matches() -> None:
    with_pruning = _matching("large language model")
    assert 8 in with_pruning
    assert 8 not in _matching("large language model -pruning")
    assert set(_matching('large language model -"layer collapse"')) == set(with_pruning) - {8}


def test_chinese_terms_as_substrings_of_summary_text() -> None:
    assert 8 in _matching("剪枝")  # title_translated: 通过层叠实现大型语言模型的剪枝
    assert 4 in _matching("强化学习")  # 离线强化学习, inside a longer run
    assert 8 not in _matching("剪枝 -大型语言模型")
    assert 4 in _matching("强化学习 offline")  # mixed Chinese and English


def test_without_a_summary_only_english_fields_match() -> None:
    bare = _view(8, summary=False)
    assert matches(parse_topic("pruning"), bare)
    assert not matches(parse_topic("剪枝"), bare)


def test_llm_keywords_match() -> None:
    view = _view(5)
    assert view.summary is not None
    keyword = view.summary.content.keywords[0]
    assert matches(parse_topic(keyword), view)


def test_categories_exact_or_whole_archive() -> None:
    view = PaperView(
        id=1, meta=make_paper(categories=("cs.CL", "stat.ML"), primary_category="cs.CL")
    )
    assert matches(parse_topic("cat:cs.CL"), view)
    assert matches(parse_topic("cat:STAT.ml"), view)
    assert matches(parse_topic("cat:stat"), view)
    assert not matches(parse_topic("cat:cs.LG"), view)
    assert not matches(parse_topic("cat:math"), view)
    assert matches(parse_topic("cat:cs.CL human feedback"), view)
    assert not matches(parse_topic("cat:cs.CL human feedback -accuracy"), view)


def test_authors_with_accents_and_partial_names() -> None:
    meta = make_paper(authors=("Yejin Choi", "José Hernández-Orallo", "Jürgen Schmidhuber", "张伟"))
    view = PaperView(id=1, meta=meta)
    for text in (
        'author:"Yejin Choi"',
        "author:choi",
        "author:Jose",
        'author:"hernandez orallo"',
        "author:Schmidhuber",
        "author:Jürgen",
        "author:JURGEN",
        "author:张伟",
    ):
        assert matches(parse_topic(text), view), text
    for text in ('author:"Choi Yejin"', "author:Cho", 'author:"Yejin Schmidhuber"', "author:Ada"):
        assert not matches(parse_topic(text), view), text


def test_matches_any_and_empty() -> None:
    topics = [parse_topic("diffusion graph"), parse_topic("locomotion")]
    assert [v.id for v in VIEWS if matches_any(topics, v)] == [5, 15]
    assert not matches_any([], VIEWS[0])


def test_stem_rules() -> None:
    pairs = {
        "models": "model",
        "policies": "policy",
        "classes": "class",
        "approaches": "approach",
        "loss": "loss",
        "corpus": "corpus",
        "analysis": "analysis",
        "llms": "llm",
        "gpt4s": "gpt4s",
    }
    assert {word: stem(word) for word in pairs} == pairs


def test_paper_text_is_cached_per_view_and_freed_with_it() -> None:
    view = _view(3)
    first = paper_text(view)
    assert paper_text(view) is first
    other = replace(view, meta=replace(view.meta, title="Something else entirely"))
    assert paper_text(other) is not first  # same paper id, different content: not confused
    assert matches(parse_topic("entirely"), other) and not matches(parse_topic("entirely"), view)
    before = len(_cache)
    del view, other, first
    gc.collect()
    assert len(_cache) <= before - 2
