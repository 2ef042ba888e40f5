"""The words of the web pages (navigation, paging, errors) in each language.

A paper card's field names come from `bot.render.labels`, the same as every other rendering
of an issue; these are only what a web page adds around them.
"""

from __future__ import annotations

from typing import Final

from bot.render.labels import labels_for

WEB_LABELS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "nav_issues": "往期",
        "nav_search": "搜索",
        "nav_topics": "热门话题",
        "other_language": "English",
        "search_placeholder": "搜索论文，例如 强化学习",
        "search_button": "搜索",
        "issues_title": "往期目录",
        "weekly_heading": "周报第{number}期",
        "issues_empty": "还没有发布任何一期。",
        "empty_title": "还没有发布任何一期",
        "empty_text": "第一期发布后会出现在这里。",
        "previous": "上一页",
        "next": "下一页",
        "page_of": "第 {page} 页",
        "search_title": "搜索",
        "search_results": "“{query}”的搜索结果：{total} 篇",
        "search_none": "没有找到与“{query}”相关的论文。",
        "search_hint": "输入几个关键词，中文或英文均可。",
        "appeared_in": "收录于",
        "not_in_issue": "尚未收录于已发布的期刊。",
        "topics_title": "热门话题",
        "topics_intro": "近 30 天论文中最常见的关键词与分类。",
        "topics_empty": "暂无热门话题。",
        "topic_papers": "{count} 篇",
        "contents": "目录",
        "abs": "arXiv",
        "error_404": "页面不存在",
        "error_400": "请求有误",
        "error_405": "不支持的请求方法",
        "error_429": "请求太频繁",
        "back_home": "返回首页",
        "description": "每日机器学习论文速递：中英文标题、摘要与解读。",
        "footer": "论文内容来自 arXiv，摘要由模型生成，仅供参考。",
        "feeds": "订阅：",
        "static_no_search": "这是静态副本，不提供搜索；可订阅上面的 Atom / JSON Feed。",
    },
    "en": {
        "nav_issues": "Archive",
        "nav_search": "Search",
        "nav_topics": "Topics",
        "other_language": "中文",
        "search_placeholder": "Search papers, e.g. reward model",
        "search_button": "Search",
        "issues_title": "All issues",
        "weekly_heading": "Weekly {number}",
        "issues_empty": "Nothing has been published yet.",
        "empty_title": "Nothing published yet",
        "empty_text": "The first issue will appear here once it is published.",
        "previous": "Previous",
        "next": "Next",
        "page_of": "Page {page}",
        "search_title": "Search",
        "search_results": "Results for “{query}”: {total} papers",
        "search_none": "No paper matches “{query}”.",
        "search_hint": "Type a few keywords, in English or Chinese.",
        "appeared_in": "In",
        "not_in_issue": "Not yet in a published issue.",
        "topics_title": "Popular topics",
        "topics_intro": "The most frequent keywords and categories of the last 30 days.",
        "topics_empty": "No popular topics yet.",
        "topic_papers": "{count} papers",
        "contents": "Contents",
        "abs": "arXiv",
        "error_404": "Page not found",
        "error_400": "Bad request",
        "error_405": "Method not allowed",
        "error_429": "Too many requests",
        "back_home": "Back to the latest issue",
        "description": "Daily machine-learning paper digest: titles, abstracts and analysis.",
        "footer": "Papers from arXiv; summaries are machine-written, read the paper to be sure.",
        "feeds": "Subscribe: ",
        "static_no_search": "This is a static copy without search; subscribe to a feed above.",
    },
}


def page_labels(language: str) -> dict[str, str]:
    """The card labels of `bot.render` plus the web's own, for `language`."""
    return {**labels_for(language), **WEB_LABELS.get(language, WEB_LABELS["en"])}
