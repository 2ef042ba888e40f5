"""The house style the summarizer writes in: the seeds' voice, field lengths and the score rubric.

Kept apart from `prompt.py` (which owns the message structure, the data block and the schema) so
the editorial wording can change without touching how the paper is passed. Any change here
changes the prompt: bump `prompt.PROMPT_VERSION` with it.
"""

from __future__ import annotations

import json

RUBRIC = """rating (推荐阅读指数): 1-5 in HALF points (1, 1.5, … 4.5, 5), from this rubric.
Judge five criteria, each weak / adequate / strong:
- novelty: a new idea, problem or finding (strong) or an incremental variant (weak);
- rigour: a sound method, fair and current baselines, ablations;
- evidence: results on standard benchmarks with numbers and clear margins (claims alone: weak);
- relevance: useful to ML researchers and practitioners now;
- clarity: the claim and the method can be understood and reproduced.
Start at 3; add 0.5 for each strong criterion and subtract 0.5 for each weak one; keep it
within 1-5. 4.5 and 5 are rare: only for papers strong on at least four criteria."""

_ZH = """Chinese style guide (中文写作规范), for every text field:
- Voice: call the paper 本文 ("本文提出了……", "本文的方法……"); never 我们 or 笔者.
  No hype (不用"重磅""颠覆").
- Punctuation: full-width in Chinese sentences (，。：；？！（）“”、); keep ASCII inside English
  terms, model names, numbers and formulas (pass@5, 12.5%, GPT-4).
- Terms: at first use write the Chinese term with the English in full-width parentheses —
  知识蒸馏（Knowledge Distillation）, 大型语言模型（LLMs）— then either one alone. Model,
  dataset and method names stay in English (SELF-PARAM, GSM8K).
- Numbers: only the paper's own numbers, written as the paper writes them.
Lengths:
- title_translated: the title in Chinese, at most 40 characters.
- tldr: one sentence, at most 80 characters, with the headline number if there is one.
- summary (摘要): 3-5 sentences, 150-300 characters, starting with 本文; what problem, what
  method, what result. Not a translation of the abstract.
- background: 1-3 sentences. method: 2-4 sentences. results: 2-4 sentences with numbers.
- contributions: 3-4 bullets, each at most 40 characters. future_work: 1-2 sentences.
- overview (内容概要): 2-3 paragraphs separated by a blank line, 300-600 characters in all:
  what the paper proposes; how it works; what the experiments show, with the paper's numbers.
- rating_reason (分析总结): ONE paragraph of 4-6 sentences: the strengths, the limits, and who
  should read it (为哪类读者推荐).
- topic: a Chinese topic phrase of 4-14 characters for the issue title, saying what the paper
  is about (压缩与智能的线性关系, 代码生成的无测试评估); a method's short name may lead it
  (TR-DPO更新参考模型). Never a bare generic word (大语言模型, 深度学习) or a keyword list.
- abstract_translated: the whole abstract translated faithfully into Chinese.
- keywords: 3-6 short keywords."""

_EN = """English style guide, for every text field:
- Voice: call the paper "this paper" ("This paper proposes …"); never "we". No hype.
- Terms: spell out an abbreviation at first use ("large language models (LLMs)").
- Numbers: only the paper's own numbers.
Lengths:
- tldr: one sentence, at most 30 words. summary: 3-5 sentences starting with "This paper".
- background 1-3, method 2-4, results 2-4 sentences; contributions 3-4 bullets.
- overview: 2-3 paragraphs separated by a blank line, 150-300 words in all: what, how, results.
- rating_reason: ONE paragraph of 4-6 sentences: strengths, limits, who should read it.
- topic: a topic phrase of 2-6 words for the issue title (the linear link between compression
  and intelligence); a method's short name may lead it. Never a bare generic word.
- abstract_translated: the abstract in plain English (a light edit of the original)."""

# Built from seed 002's first card (SELF-PARAM, arXiv 2410.00487), in the house style.
_EXAMPLE_ZH = {
    "summary": (
        "本文提出了一种名为SELF-PARAM（Self-Updatable Large Language Models with Parameter "
        "Integration）的新方法，旨在解决大型语言模型（LLMs）在快速且频繁地整合小规模经验时面临的"
        "挑战。该方法不需要额外的参数，同时确保了近乎最佳的效率和长期记忆能力。通过最小化原始模型"
        "（有上下文信息）和目标模型（无上下文信息）预测之间的KL散度（Kullback-Leibler "
        "Divergence），本文的方法无需外部存储即可将知识直接嵌入模型参数。"
    ),
    "rating": 3.5,
    "rating_reason": (
        "本文为大型语言模型持续整合新经验提供了一个简洁的方案：不增加参数、不依赖外部存储，"
        "直接把知识写入模型参数。实验覆盖单一、批量与顺序上下文注入以及对话推荐任务，在批量上下文"
        "注入任务中取得了最高的QA-F1分数，证据较为充分。不足之处在于实验集中在中小规模模型上，"
        "尚未验证更大模型与多模态经验下的效果，与检索增强方法的成本比较也不充分。推荐关注知识更新、"
        "模型编辑与持续学习的研究者阅读。"
    ),
    "topic": "参数内的自我更新",
}

_EXAMPLE_EN = {
    "summary": (
        "This paper proposes SELF-PARAM, a method that lets large language models (LLMs) absorb "
        "small, frequent experiences without extra parameters. It minimizes the Kullback-Leibler "
        "(KL) divergence between a model that sees the context and one that does not, which "
        "embeds the knowledge directly in the parameters without external storage."
    ),
    "rating": 3.5,
    "rating_reason": (
        "A simple route to continual knowledge updates: no extra parameters and no external "
        "memory. Experiments span single, batch and sequential context injection and "
        "conversational recommendation, with the best QA-F1 in batch injection. The models "
        "tested are small to mid-sized, and the cost against retrieval is not compared. Worth "
        "reading for people working on knowledge editing and continual learning."
    ),
    "topic": "self-updating model parameters",
}


def style_guide(language: str) -> str:
    """The style guide, the score rubric and the worked example for `language`."""
    guide, example = (_ZH, _EXAMPLE_ZH) if language == "zh" else (_EN, _EXAMPLE_EN)
    shown = json.dumps(example, ensure_ascii=False, indent=1)
    return (
        f"{guide}\n\n{RUBRIC}\n\nA worked example (some fields of one paper, for the voice and "
        f"the lengths only; never copy its content):\n{shown}"
    )
