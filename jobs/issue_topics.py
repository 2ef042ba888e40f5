"""What an issue title names its papers by: a topic phrase per paper, clean and never repeated.

Seed 001's titles list topics (`TR-DPO、压缩与智能的线性关系、合成数据综述`). Titles made from
the model's keywords repeated themselves (`大语言模型、大语言模型`) and let junk through, so a
paper is named by the summary's `topic` phrase when it passes `clean_topic`, else by the short
name before the colon of its title ("TR-DPO: …" → "TR-DPO"), else not at all: a title with
fewer topics is better than one with a cut title or a raw keyword.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from domain.types import PaperView

MAX_TOPICS = 5
SHORT_NAME_CHARS = 24  # "TR-DPO", "CtRL-Sim", "Data Interpreter": a name, not a sentence
SHORT_NAME_WORDS = 3
MAX_CHARS = {"zh": 16, "en": 48}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_JUNK = re.compile(r"https?:|www\.|[<>\[\]{}*#|\\`@$^=~\n\r\t、,，;；/]")
_QUOTES = " \"'“”‘’「」『』《》【】()（）.。:：!！?？"
# Bare field names say nothing about the paper (the prompt forbids them, the model may not care).
_GENERIC_WORDS = (  # noqa: SIM905 - a word list reads better as text
    "大语言模型|大型语言模型|语言模型|深度学习|机器学习|人工智能|神经网络|强化学习|计算机视觉|"
    "自然语言处理|多模态|生成模型|扩散模型|LLM|LLMs|AI|ML|deep learning|machine learning|"
    "large language model|large language models|reinforcement learning|computer vision"
).split("|")


def paper_topics(papers: Sequence[PaperView], language: str, limit: int = MAX_TOPICS) -> list[str]:
    """Each paper's topic in order, skipping any that repeats (or contains) one already named."""
    topics: list[str] = []
    keys: list[str] = []
    for paper in papers:
        topic = paper_topic(paper, language)
        key = _key(topic)
        if key and not any(key in seen or seen in key for seen in keys):
            keys.append(key)
            topics.append(topic)
        if len(topics) >= limit:
            break
    return topics


def paper_topic(paper: PaperView, language: str) -> str:
    """The summary's topic phrase if it is clean, else the title's short name, else ""."""
    phrase = paper.summary.content.topic if paper.summary else ""
    return clean_topic(phrase, language) or short_name(paper.meta.title)


def clean_topic(text: str, language: str) -> str:
    """The phrase trimmed, or "" when it is junk: too long, a list, markup, a bare field name."""
    phrase = re.sub(r"\s+", " ", text or "").strip(_QUOTES)
    if not phrase or _JUNK.search(phrase) or len(phrase) > MAX_CHARS.get(language, 48):
        return ""
    if _key(phrase) in _GENERIC or not re.search(r"\w", phrase):
        return ""
    if language == "zh" and not _CJK.search(phrase):
        return ""
    return phrase


def short_name(title: str) -> str:
    """ "TR-DPO: trust region …" → "TR-DPO"; "" when the title has no short name."""
    head, sep, _ = re.sub(r"\s+", " ", title).strip().partition(":")
    head = head.strip()
    if sep and head and len(head) <= SHORT_NAME_CHARS and len(head.split()) <= SHORT_NAME_WORDS:
        return head
    return ""


def _key(topic: str) -> str:
    """What two topics are compared by: width, case, spaces and punctuation folded away."""
    folded = unicodedata.normalize("NFKC", topic).casefold()
    return re.sub(r"[\W_]+", " ", folded).strip()


_GENERIC = frozenset(_key(word) for word in _GENERIC_WORDS)
