"""Every sentence the bot says, in Chinese and English; commands never hard-code text."""

from __future__ import annotations

from typing import Final

from core.errors import DigestError

LANGUAGES: Final = ("zh", "en")

# (command, example, zh description, en description) — /help and the Telegram command menu.
COMMANDS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("start", "/start", "订阅每期论文速递", "get every issue"),
    ("stop", "/stop", "停止所有推送（保留主题）", "stop all deliveries (topics kept)"),
    ("subscribe", "/subscribe RLHF reward model", "关注主题：关键词、cat:cs.CL、author:作者",
     "follow a topic: keywords, cat:cs.CL, author:name"),
    ("unsubscribe", "/unsubscribe RLHF", "取消关注主题", "unfollow a topic"),
    ("mysubs", "/mysubs", "我关注的主题", "topics you follow"),
    ("topics", "/topics", "热门主题，一键关注", "popular topics, follow with a tap"),
    ("latest", "/latest", "最新一期", "the latest issue"),
    ("issue", "/issue 12", "查看第 N 期", "read issue N"),
    ("issues", "/issues", "往期列表", "all past issues"),
    ("search", "/search 强化学习 对齐", "搜索所有论文", "search every paper"),
    ("paper", "/paper 2402.01399", "查看单篇论文卡片", "one paper's full card"),
    ("settings", "/settings", "语言、推送模式、暂停/恢复", "language, digest mode, pause/resume"),
    ("help", "/help", "帮助", "this help"),
)  # fmt: skip

TEXTS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "help_intro": "<b>digestbot</b> 每天把 arXiv 上新的机器学习论文整理成一期速递（第N期），"
        "你可以订阅全部，或只看关注的主题。",
        "help_commands": "<b>命令</b>",
        "unknown_command": "没有这个命令：{command}。发送 /help 查看全部命令。",
        "too_long": "消息太长了（最多 {limit} 个字符）。",
        "error": "出错了，已通知管理员。请稍后再试。",
        "expired_button": "这个按钮已失效，请重新发送命令。",
        "issue_usage": "用法：/issue 期号，例如 /issue 1",
        "issues_empty": "还没有任何一期。",
        "issues_title": "<b>往期</b>（共 {total} 期）",
        "issues_page": "第 {page}/{pages} 页",
        "search_usage": "要搜索什么？例如 /search 强化学习",
        "search_none": "没有找到与“{query}”相关的论文。试试更少或更通用的词，或换成英文术语。",
        "search_title": "“{query}”的搜索结果：第 {first}–{last} 条，共 {total} 条",
        "in_issues": "见于 {issues}",
        "issue_ref": "第{number}期",
        "prev": "◀ 上一页",
        "next": "下一页 ▶",
        "prev_issue": "◀ 第{number}期",
        "next_issue": "第{number}期 ▶",
        "paper_usage": "用法：/paper arXiv 编号或链接，例如 /paper 2402.01399",
        "paper_fetching": "正在获取并总结 {arxiv_id}，请稍候……",
        "paper_not_found": "arXiv 上找不到 {arxiv_id}。",
    },
    "en": {
        "help_intro": "<b>digestbot</b> turns each day's new arXiv ML papers into a numbered "
        "digest. Get every issue, or only the papers on topics you follow.",
        "help_commands": "<b>Commands</b>",
        "unknown_command": "There is no command {command}. Send /help for the list.",
        "too_long": "That message is too long (at most {limit} characters).",
        "error": "Something went wrong; the admins have been told. Please try again later.",
        "expired_button": "This button has expired; please send the command again.",
        "issue_usage": "Usage: /issue <number>, e.g. /issue 1",
        "issues_empty": "There are no issues yet.",
        "issues_title": "<b>Past issues</b> ({total} in all)",
        "issues_page": "page {page}/{pages}",
        "search_usage": "What should I search for? e.g. /search reward model",
        "search_none": "No papers found for “{query}”. Try fewer or more general words.",
        "search_title": "Results {first}–{last} of {total} for “{query}”",
        "in_issues": "in {issues}",
        "issue_ref": "issue {number}",
        "prev": "◀ Previous",
        "next": "Next ▶",
        "prev_issue": "◀ Issue {number}",
        "next_issue": "Issue {number} ▶",
        "paper_usage": "Usage: /paper <arXiv id or URL>, e.g. /paper 2402.01399",
        "paper_fetching": "Fetching and summarizing {arxiv_id}, one moment…",
        "paper_not_found": "arXiv has no paper {arxiv_id}.",
    },
}


def t(language: str | None, key: str, **values: object) -> str:
    """The sentence `key` in `language` (English when unknown), with `values` filled in.

    Values are inserted as given: callers escape user text for HTML first.
    """
    table = TEXTS.get(language or "en", TEXTS["en"])
    return table.get(key, TEXTS["en"][key]).format(**values)


def user_error(key: str, error: type[DigestError] = DigestError, **values: object) -> DigestError:
    """An error whose message is the sentence `key`, in both languages (plain text)."""
    return error(t("en", key, **values), zh=t("zh", key, **values))
