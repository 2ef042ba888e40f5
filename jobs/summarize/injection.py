"""Text that reads like instructions to a model, not like a summary of a paper.

A paper can carry a prompt injection (in its abstract, its comment, white text in its PDF) and a
model can echo it, or obey it and say so. A summary never needs to address a model, claim a
role, ask for a score or talk about its own prompt, so those forms are flagged wherever they
come from. Phrases that are also research topics ("jailbreak", "prompt injection", "system
prompt" as a noun) are not flagged on their own: only their imperative or role-taking forms are,
so a faithful summary of a paper about injection attacks is flagged only when it quotes one.
"""

from __future__ import annotations

import re

_IMPERATIVE = r"(?:^|(?<=[.!?:;\"“])\s*|\bplease\s+)"
_EN = (
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.。\n]{0,40}?\b(?:previous|prior|above"
    r"|earlier|preceding|all|any|your|the|these|those|system)\b[^.。\n]{0,25}?\b(?:instructions?"
    r"|prompts?|directions|directives|rules|guidelines)\b",
    r"\b(?:reveal|print|output|repeat|show|leak|disclose)\s+(?:your|the|its)\s+(?:system\s+)?"
    r"(?:prompt|instructions)\b",
    r"\b(?:new|updated|hidden|secret|following)\s+instructions?\s*(?::|for\s+(?:the\s+)?"
    r"(?:ai|llm|model|assistant|reviewer|summarizer))",
    r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|llm|language"
    r" model|assistant|summarizer|automated reviewer)s?\b",
    r"\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai\b|assistant|helpful|language\s+model|chatgpt"
    r"|gpt|dan\b|large language model)",
    r"\bas\s+an?\s+(?:ai|large)\s+(?:language\s+)?model\b",
    r"\bi(?:'m|\s+am)\s+(?:sorry|unable)[^.。\n]{0,20}\b(?:can(?:'|no)t|cannot|assist|help)\b",
    r"\b(?:rate|score|rank|give|assign)\s+(?:this|the)\s+paper\b[^.。\n]{0,30}?\b(?:\d|five|"
    r"highest|top|maximum|full)",
    # imperative only: at a sentence's start or after "please" ("detectors do not reveal…" is not)
    _IMPERATIVE + r"(?:respond|reply|answer|output)\s+only\s+(?:with|in)\b",
    _IMPERATIVE + r"do\s+not\s+(?:summari[sz]e|mention|reveal|disclose)\b",
    r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext)\s*\|>|\[/?INST\]"
    r"|^\s*#{0,3}\s*(?:system|assistant)\s*:",
)
_ZH = (
    r"(?:忽略|无视|忘记|忽视|跳过|覆盖)[^。\n]{0,12}?(?:之前|以上|上述|前面|先前|此前|所有|全部|原有|系统)"
    r"[^。\n]{0,8}?(?:指令|指示|提示|要求|规则|设定)",
    r"(?:输出|打印|重复|显示|透露|泄露|告诉我)[^。\n]{0,4}?(?:你的|系统)(?:提示词?|指令|设定)",
    r"你(?:现在)?(?:是|扮演)(?:一个|一名)?(?:AI|人工智能|助手|语言模型|大模型|ChatGPT)",
    r"作为(?:一个|一名)?(?:AI|人工智能)(?:语言模型|助手|模型)",
    r"(?:给|为|把)(?:这篇|本篇|该|此|本)(?:论文|文章)(?:打|评|给)(?:出)?(?:满分|最高分|5分|五分|高分|五星)",
    r"(?:请|务必)(?:只|仅)(?:输出|回复|回答)",
    r"(?:不要|切勿|禁止)(?:总结|摘要|提及|透露)",
    r"(?:新的|以下|隐藏的)(?:指令|指示)[:：]",
    r"(?:致|给)(?:AI|人工智能|大模型|语言模型|审稿模型)的(?:指令|提示|说明)",
)
_PATTERNS = tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _EN + _ZH)


def instruction_spans(text: str) -> list[str]:
    """Each instruction-like passage in `text`, as written (empty when there is none)."""
    spans = []
    for pattern in _PATTERNS:
        spans += [match.group().strip() for match in pattern.finditer(text)]
    return [span for span in dict.fromkeys(spans) if span]
