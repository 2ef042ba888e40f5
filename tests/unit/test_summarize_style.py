"""The prompt carries the seeds' voice: a style guide per language, a length for every field,
the half-point rubric on its five criteria, and a worked example built from seed 002."""

from __future__ import annotations

import json
import re

import pytest

from domain.types import SummaryContent
from jobs.summarize.prompt import PROMPT_VERSION, system_prompt
from jobs.summarize.style import style_guide


def _example(guide: str) -> dict[str, object]:
    example: dict[str, object] = json.loads(guide[guide.index("{") : guide.rindex("}") + 1])
    return example


def test_chinese_guide_sets_voice_punctuation_and_terms() -> None:
    guide = style_guide("zh")
    assert "本文" in guide and "never 我们" in guide
    assert "full-width" in guide and "，。：；" in guide
    assert "知识蒸馏（Knowledge Distillation）" in guide  # the English term at first use


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_written_field_has_a_length_or_rule(language: str) -> None:
    prompt = system_prompt(language)
    for name in SummaryContent.model_fields:
        assert re.search(rf"(?m)^- {name}\b", prompt), name


@pytest.mark.parametrize("language", ["zh", "en"])
def test_rubric_is_half_points_on_five_criteria(language: str) -> None:
    prompt = system_prompt(language)
    for criterion in ("novelty", "rigour", "evidence", "relevance", "clarity"):
        assert f"- {criterion}:" in prompt
    assert "HALF points" in prompt and "4.5" in prompt


@pytest.mark.parametrize("language", ["zh", "en"])
def test_worked_example_is_seed_002s_first_card(language: str) -> None:
    example = _example(style_guide(language))
    assert example["rating"] == 3.5
    assert "SELF-PARAM" in str(example["summary"])
    if language == "zh":
        summary = str(example["summary"])
        assert summary.startswith("本文") and 3 <= summary.count("。") <= 5
        assert "," not in summary.replace(", ", "")  # full-width commas in the Chinese text
        assert "推荐" in str(example["rating_reason"])  # says who should read it


def test_prompt_version_moved_with_the_voice() -> None:
    assert PROMPT_VERSION != "sum-v1"
