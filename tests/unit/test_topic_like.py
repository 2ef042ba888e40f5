"""The like: topic in the topic language: parsed, stored and shown back; hostile forms refused
with a clear message; never matched by words."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.topics import TopicQuery, describe, matches, parse_topic
from domain.types import PaperView, TopicKind
from tests.factories import make_paper


@pytest.mark.parametrize(
    "typed",
    [
        "like:2402.01399",
        "like:2402.01399v3",
        "LIKE:https://arxiv.org/abs/2402.01399",
        " like:arXiv:2402.01399 ",
    ],
)
def test_like_topics_parse_to_the_arxiv_id(typed: str) -> None:
    topic = parse_topic(typed)
    assert (topic.like, topic.kind, topic.text, topic.key) == (
        "2402.01399", TopicKind.LIKE, "like:2402.01399", "like:2402.01399",
    )  # fmt: skip
    assert TopicQuery.from_json(topic.to_json()) == topic


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("like:", "needs an arXiv id"),
        ("like:garbage", "needs an arXiv id"),
        ("like:" + "9" * 300, "under 200"),
        ("like:99999999999999", "needs an arXiv id"),
        ("like:https://evil.example/abs/2402.01399", "needs an arXiv id"),
        ("-like:2402.01399", "not supported"),
        ("like:2402.01399 like:2402.01400", "One like: paper"),
        ("like:2402.01399 RLHF", "stands alone"),
        ("like:2402.01399 cat:cs.CL", "stands alone"),
        ("like:2402.01399 -survey", "stands alone"),
    ],
)
def test_hostile_like_topics_are_refused_clearly(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_topic(typed)
    assert says in refused.value.user_message and refused.value.zh


def test_old_stored_topics_still_read_and_a_forged_like_does_not() -> None:
    old = {"terms": ["RLHF"], "phrases": [], "excludes": [], "category": None, "author": None}
    assert TopicQuery.from_json(old).like is None and "like" not in parse_topic("RLHF").to_json()
    with pytest.raises(ValueError):
        TopicQuery.from_json({**old, "terms": [], "like": "not an id"})


def test_like_is_shown_by_title_and_never_matched_by_words() -> None:
    topic = parse_topic("like:2402.01399")
    assert describe(topic, "en", "A Probabilistic Model") == "more like “A Probabilistic Model”"
    assert describe(topic, "zh", None) == "像《2402.01399》这样的论文"
    paper = PaperView(id=1, meta=make_paper(arxiv_id="2402.01399", title="like 2402.01399"))
    assert not matches(topic, paper)
