"""Every label a rendered issue shows, in each digest language; templates never hard-code text.

The Chinese labels follow the hand-written seed digests (作者, 论文地址, 内容概要, 研究背景 …);
the English ones carry the same fields.
"""

from __future__ import annotations

from typing import Final

LABELS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "issue_heading": "ML Papers第{number}期",
        "paper_count": "共 {count} 篇论文",
        "period": "时间范围",
        "authors": "作者",
        "more_authors": "等",
        "venue": "发表刊物/会议",
        "year": "发表年份",
        "paper_link": "论文地址",
        "pdf": "PDF",
        "code_link": "代码地址",
        "code": "代码",
        "none": "无",
        "overview": "内容概要",
        "abstract": "摘要",
        "background": "研究背景",
        "method": "算法模型",
        "contributions": "核心创新点",
        "results": "实验效果",
        "future_work": "后续潜在研究方向",
        "rating": "推荐阅读指数",
        "rating_reason": "分析总结",
        "keywords": "关键词",
        "editor_note": "编者按",
        "recommended": "为你推荐",
        "read_on_web": "网页版",
        "figure": "关键图",
        "extractive": "（抽取式摘要：未经 LLM 处理）",
        "no_summary": "（尚无摘要）",
        "original_abstract": "英文摘要",
        "toc_summary": "摘要",
        "toc_details": "详细",
        "col_ref": "序号",
        "col_title": "论文",
        "col_summary": "一句话总结",
        "colon": "：",  # after a bold label: "**作者：** …"
        "colon_sp": "：",  # in running text: "推荐阅读指数：4/5"
        "list_sep": "、",
    },
    "en": {
        "issue_heading": "ML Papers Issue {number}",
        "paper_count": "{count} papers",
        "period": "Period",
        "authors": "Authors",
        "more_authors": "et al.",
        "venue": "Venue",
        "year": "Year",
        "paper_link": "Paper",
        "pdf": "PDF",
        "code_link": "Code",
        "code": "Code",
        "none": "none",
        "overview": "Overview",
        "abstract": "Abstract",
        "background": "Background",
        "method": "Method",
        "contributions": "Key contributions",
        "results": "Results",
        "future_work": "Future work",
        "rating": "Reading score",
        "rating_reason": "Verdict",
        "keywords": "Keywords",
        "editor_note": "Editor's note",
        "recommended": "Recommended for you",
        "read_on_web": "Read on the web",
        "figure": "Key figure",
        "extractive": "(extractive summary — no LLM)",
        "no_summary": "(not summarized yet)",
        "original_abstract": "Original abstract",
        "toc_summary": "Summary",
        "toc_details": "Details",
        "col_ref": "Ref",
        "col_title": "Title",
        "col_summary": "Summary",
        "colon": ":",
        "colon_sp": ": ",
        "list_sep": ", ",
    },
}


def labels_for(language: str) -> dict[str, str]:
    """The label table of `language`, English for any language we have no table for."""
    return LABELS.get(language, LABELS["en"])
