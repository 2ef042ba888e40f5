"""Every sentence the bot says, in Chinese and English; commands never hard-code text.

Sentences are plain text, never markup: where part of one is styled (a bold topic, a code
example) it is a placeholder the command fills with a styled run (`say`), and a heading or a
field label is a sentence of its own. Renderers escape and style (`bot/render/content.py`).
"""

from __future__ import annotations

from string import Formatter
from typing import Final

from bot.i18n_admin import ADMIN_TEXTS
from bot.i18n_reader import READER_TEXTS
from domain.content import Inline, Paragraph, Span
from domain.errors import DigestError

LANGUAGES: Final = ("zh", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "help_intro": "{name} 每天把 arXiv 上新的机器学习论文整理成一期速递（第N期），"
        "你可以订阅全部，或只看关注的主题。",
        "help_commands": "命令",
        "unknown_command": "没有这个命令：{command}。发送 /help 查看全部命令。",
        "too_long": "消息太长了（最多 {limit} 个字符）。",
        "slow_down": "太快了，请 {seconds} 秒后再试，慢一点哦。",
        "text_only": "我只读得懂文字：发送关键词即可搜索论文，发送 /help 查看全部命令。",
        "error": "出错了，已通知管理员。请稍后再试。",
        "expired_button": "这个按钮已失效，请重新发送命令。",
        "issue_usage": "用法：/issue 期号，例如 /issue 1",
        "issues_empty": "还没有任何一期。",
        "issues_title": "{title}（共 {total} 期）",
        "issues_heading": "往期",
        "issues_page": "第 {page}/{pages} 页",
        "search_usage": "要搜索什么？例如 /search 强化学习",
        "search_none": "没有找到与“{query}”相关的论文。试试更少或更通用的词，或换成英文术语。",
        "search_title": "“{query}”的搜索结果：第 {first}–{last} 条，共 {total} 条",
        "in_issues": "见于 {issues}",
        "issue_ref": "第{number}期",
        "weekly_ref": "周报第{number}期",
        "prev": "◀ 上一页",
        "next": "下一页 ▶",
        "prev_issue": "◀ 第{number}期",
        "next_issue": "第{number}期 ▶",
        "paper_usage": "用法：/paper arXiv 编号或链接，例如 /paper 2402.01399",
        "paper_fetching": "正在获取并总结 {arxiv_id}，请稍候……",
        "paper_not_found": "arXiv 上找不到 {arxiv_id}。",
        "start_new": "✅ 已订阅！每期速递都会发给你（在你选择主题之前是全部论文）。\n"
        "用 /subscribe 关注主题，/topics 看热门主题，/settings 调整语言和推送模式，/help 查看全部命令。",
        "start_again": "✅ 欢迎回来，推送已恢复。你关注的 {count} 个主题都还在（/mysubs）。",
        "stop_done": "🔕 已停止所有推送。你关注的主题仍然保留，发送 /start 即可恢复。",
        "subscribe_usage": "用法：/subscribe 主题，例如",
        "subscribe_example_1": "/subscribe RLHF reward model",
        "subscribe_example_1_note": "{example}（关键词，需全部出现）",
        "subscribe_example_2": "/subscribe cat:cs.CL",
        "subscribe_example_2_note": "{example}（arXiv 分类）",
        "subscribe_example_3": '/subscribe author:"Yejin Choi"',
        "subscribe_example_3_note": "{example}（作者）",
        "subscribe_example_4": "/subscribe 强化学习 -综述",
        "subscribe_example_4_note": "{example}（用 - 排除）",
        "subscribe_usage_end": "或发送 /topics 从热门主题中选。",
        "subscribed": "✅ 已关注：{topic}\n最近 {days} 天的 {papers} 篇论文中有 {matches} 篇匹配。",
        "subscribed_examples": "例如：",
        "mode_hint": "提示：你的推送模式是“全部论文”。想只收到匹配主题的论文，请在 /settings 中切换。",
        "undo": "↩️ 撤销",
        "unsubscribed": "🗑 已取消关注：{topic}",
        "unsubscribe_pick": "要取消关注哪个主题？",
        "no_topics": "你还没有关注任何主题。用 /subscribe 或 /topics 添加。",
        "mysubs_title": "{title}（{count}/{limit}）",
        "mysubs_heading": "你关注的主题",
        "mysubs_mode_all": "推送模式：全部论文（/settings 可改为只看这些主题）",
        "mysubs_mode_topics": "推送模式：只推送匹配这些主题的论文",
        "topics_title": "{title}（最近 30 天），点一下即可关注：",
        "topics_heading": "热门主题",
        "topics_empty": "还没有足够的论文来推荐主题。用 /subscribe 自己添加一个吧。",
        "settings_title": "设置",
        "field_separator": "：",
        "settings_admins_only": "只有本群的管理员可以修改群设置；所有人都可以用 /settings 查看。",
        "settings_language": "语言",
        "settings_mode": "推送模式",
        "settings_paused": "推送",
        "settings_note": "无匹配时提醒",
        "mode_all": "全部论文",
        "mode_topics": "只看我的主题",
        "state_paused": "已暂停",
        "state_active": "进行中",
        "state_stopped": "未订阅（发送 /start）",
        "on": "开",
        "off": "关",
        "pause": "⏸ 暂停推送",
        "resume": "▶️ 恢复推送",
        "note_toggle": "无匹配提醒：{value}",
        "settings_saved": "已保存。",
    },
    "en": {
        "help_intro": "{name} turns each day's new arXiv ML papers into a numbered "
        "digest. Get every issue, or only the papers on topics you follow.",
        "help_commands": "Commands",
        "unknown_command": "There is no command {command}. Send /help for the list.",
        "too_long": "That message is too long (at most {limit} characters).",
        "slow_down": "Too many requests; try again in {seconds} s. Please slow down.",
        "text_only": "I can only read text: send some words to search the papers, or /help for the commands.",
        "error": "Something went wrong; the admins have been told. Please try again later.",
        "expired_button": "This button has expired; please send the command again.",
        "issue_usage": "Usage: /issue <number>, e.g. /issue 1",
        "issues_empty": "There are no issues yet.",
        "issues_title": "{title} ({total} in all)",
        "issues_heading": "Past issues",
        "issues_page": "page {page}/{pages}",
        "search_usage": "What should I search for? e.g. /search reward model",
        "search_none": "No papers found for “{query}”. Try fewer or more general words.",
        "search_title": "Results {first}–{last} of {total} for “{query}”",
        "in_issues": "in {issues}",
        "issue_ref": "issue {number}",
        "weekly_ref": "weekly {number}",
        "prev": "◀ Previous",
        "next": "Next ▶",
        "prev_issue": "◀ Issue {number}",
        "next_issue": "Issue {number} ▶",
        "paper_usage": "Usage: /paper <arXiv id or URL>, e.g. /paper 2402.01399",
        "paper_fetching": "Fetching and summarizing {arxiv_id}, one moment…",
        "paper_not_found": "arXiv has no paper {arxiv_id}.",
        "start_new": "✅ Subscribed! You will get every issue (all papers until you pick topics).\n"
        "Follow topics with /subscribe, browse popular ones with /topics, change language and "
        "digest mode in /settings, and see every command with /help.",
        "start_again": "✅ Welcome back: deliveries resumed. Your {count} topics are kept (/mysubs).",
        "stop_done": "🔕 All deliveries stopped. Your topics are kept; /start resumes.",
        "subscribe_usage": "Usage: /subscribe <topic>, e.g.",
        "subscribe_example_1": "/subscribe RLHF reward model",
        "subscribe_example_1_note": "{example} (all words must appear)",
        "subscribe_example_2": "/subscribe cat:cs.CL",
        "subscribe_example_2_note": "{example} (arXiv category)",
        "subscribe_example_3": '/subscribe author:"Yejin Choi"',
        "subscribe_example_3_note": "{example} (author)",
        "subscribe_example_4": "/subscribe diffusion -survey",
        "subscribe_example_4_note": "{example} (- excludes)",
        "subscribe_usage_end": "or pick one from /topics.",
        "subscribed": "✅ Following {topic}\nIt matched {matches} of the {papers} papers "
        "of the last {days} days.",
        "subscribed_examples": "For example:",
        "mode_hint": "Note: your digest mode is “all papers”. To get only papers on your topics, "
        "switch it in /settings.",
        "undo": "↩️ Undo",
        "unsubscribed": "🗑 Unfollowed {topic}",
        "unsubscribe_pick": "Which topic should I unfollow?",
        "no_topics": "You follow no topics yet. Add one with /subscribe or /topics.",
        "mysubs_title": "{title} ({count}/{limit})",
        "mysubs_heading": "Your topics",
        "mysubs_mode_all": "Digest mode: all papers (/settings can switch to only these topics)",
        "mysubs_mode_topics": "Digest mode: only papers matching these topics",
        "topics_title": "{title} (last 30 days): tap one to follow it.",
        "topics_heading": "Popular topics",
        "topics_empty": "Not enough papers yet to suggest topics. Add your own with /subscribe.",
        "settings_title": "Settings",
        "field_separator": ": ",
        "settings_admins_only": "Only this group's admins can change its settings; anyone can "
        "view them with /settings.",
        "settings_language": "Language",
        "settings_mode": "Digest mode",
        "settings_paused": "Deliveries",
        "settings_note": "Note when nothing matches",
        "mode_all": "all papers",
        "mode_topics": "only my topics",
        "state_paused": "paused",
        "state_active": "on",
        "state_stopped": "not subscribed (send /start)",
        "on": "on",
        "off": "off",
        "pause": "⏸ Pause deliveries",
        "resume": "▶️ Resume deliveries",
        "note_toggle": "Note when nothing matches: {value}",
        "settings_saved": "Saved.",
    },
}

for _language, _texts in (*ADMIN_TEXTS.items(), *READER_TEXTS.items()):
    TEXTS[_language].update(_texts)


def t(language: str | None, key: str, **values: object) -> str:
    """The sentence `key` in `language` (English when unknown), with `values` filled in.

    Plain text in, plain text out: renderers escape it.
    """
    return _sentence(language, key).format(**values)


def say(language: str | None, key: str, **values: object) -> Paragraph:
    """The sentence `key` as a paragraph; a value that is a run (`bold(topic)`) keeps its
    style, any other value is plain text."""
    runs: list[Inline] = []
    for literal, name, spec, conversion in Formatter().parse(_sentence(language, key)):
        _add(runs, Span(literal))
        if name is not None:
            _add(runs, _run(values[name], spec or "", conversion))
    return Paragraph(tuple(runs))


def _sentence(language: str | None, key: str) -> str:
    table = TEXTS.get(language or "en", TEXTS["en"])
    return table.get(key, TEXTS["en"][key])


def _run(value: object, spec: str, conversion: str | None) -> Inline:
    if isinstance(value, Inline):
        return value
    text = repr(value) if conversion == "r" else value
    return Span(format(text, spec))


def _add(runs: list[Inline], run: Inline) -> None:
    """Append `run`, merged into the last one when both are spans of one style."""
    if isinstance(run, Span) and not run.text:
        return
    last = runs[-1] if runs else None
    if isinstance(last, Span) and isinstance(run, Span) and last.style == run.style:
        runs[-1] = Span(last.text + run.text, last.style)
    else:
        runs.append(run)


def user_error(key: str, error: type[DigestError] = DigestError, **values: object) -> DigestError:
    """An error whose message is the sentence `key`, in both languages (plain text)."""
    return error(t("en", key, **values), zh=t("zh", key, **values))
