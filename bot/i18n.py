"""Every sentence the bot says, in Chinese and English; commands never hard-code text."""

from __future__ import annotations

from typing import Final

from bot.i18n_admin import ADMIN_TEXTS
from domain.errors import DigestError

LANGUAGES: Final = ("zh", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "help_intro": "<b>digestbot</b> 每天把 arXiv 上新的机器学习论文整理成一期速递（第N期），"
        "你可以订阅全部，或只看关注的主题。",
        "help_commands": "<b>命令</b>",
        "unknown_command": "没有这个命令：{command}。发送 /help 查看全部命令。",
        "too_long": "消息太长了（最多 {limit} 个字符）。",
        "slow_down": "太快了，请 {seconds} 秒后再试，慢一点哦。",
        "text_only": "我只读得懂文字：发送关键词即可搜索论文，发送 /help 查看全部命令。",
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
        "start_new": "✅ 已订阅！每期速递都会发给你（在你选择主题之前是全部论文）。\n"
        "用 /subscribe 关注主题，/topics 看热门主题，/settings 调整语言和推送模式，/help 查看全部命令。",
        "start_again": "✅ 欢迎回来，推送已恢复。你关注的 {count} 个主题都还在（/mysubs）。",
        "stop_done": "🔕 已停止所有推送。你关注的主题仍然保留，发送 /start 即可恢复。",
        "subscribe_usage": "用法：/subscribe 主题，例如\n"
        "<code>/subscribe RLHF reward model</code>（关键词，需全部出现）\n"
        "<code>/subscribe cat:cs.CL</code>（arXiv 分类）\n"
        '<code>/subscribe author:"Yejin Choi"</code>（作者）\n'
        "<code>/subscribe 强化学习 -综述</code>（用 - 排除）\n或发送 /topics 从热门主题中选。",
        "subscribed": "✅ 已关注：<b>{topic}</b>\n最近 {days} 天的 {papers} 篇论文中有 {matches} 篇匹配。",
        "subscribed_examples": "例如：",
        "mode_hint": "提示：你的推送模式是“全部论文”。想只收到匹配主题的论文，请在 /settings 中切换。",
        "undo": "↩️ 撤销",
        "unsubscribed": "🗑 已取消关注：<b>{topic}</b>",
        "unsubscribe_pick": "要取消关注哪个主题？",
        "no_topics": "你还没有关注任何主题。用 /subscribe 或 /topics 添加。",
        "mysubs_title": "<b>你关注的主题</b>（{count}/{limit}）",
        "mysubs_mode_all": "推送模式：全部论文（/settings 可改为只看这些主题）",
        "mysubs_mode_topics": "推送模式：只推送匹配这些主题的论文",
        "topics_title": "<b>热门主题</b>（最近 30 天），点一下即可关注：",
        "topics_empty": "还没有足够的论文来推荐主题。用 /subscribe 自己添加一个吧。",
        "settings_title": "<b>设置</b>",
        "settings_admins_only": "只有本群的管理员可以修改群设置；所有人都可以用 /settings 查看。",
        "settings_language": "语言：{value}",
        "settings_mode": "推送模式：{value}",
        "settings_paused": "推送：{value}",
        "settings_note": "无匹配时提醒：{value}",
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
        "help_intro": "<b>digestbot</b> turns each day's new arXiv ML papers into a numbered "
        "digest. Get every issue, or only the papers on topics you follow.",
        "help_commands": "<b>Commands</b>",
        "unknown_command": "There is no command {command}. Send /help for the list.",
        "too_long": "That message is too long (at most {limit} characters).",
        "slow_down": "Too many requests; try again in {seconds} s. Please slow down.",
        "text_only": "I can only read text: send some words to search the papers, or /help for the commands.",
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
        "start_new": "✅ Subscribed! You will get every issue (all papers until you pick topics).\n"
        "Follow topics with /subscribe, browse popular ones with /topics, change language and "
        "digest mode in /settings, and see every command with /help.",
        "start_again": "✅ Welcome back: deliveries resumed. Your {count} topics are kept (/mysubs).",
        "stop_done": "🔕 All deliveries stopped. Your topics are kept; /start resumes.",
        "subscribe_usage": "Usage: /subscribe <topic>, e.g.\n"
        "<code>/subscribe RLHF reward model</code> (all words must appear)\n"
        "<code>/subscribe cat:cs.CL</code> (arXiv category)\n"
        '<code>/subscribe author:"Yejin Choi"</code> (author)\n'
        "<code>/subscribe diffusion -survey</code> (- excludes)\nor pick one from /topics.",
        "subscribed": "✅ Following <b>{topic}</b>\nIt matched {matches} of the {papers} papers "
        "of the last {days} days.",
        "subscribed_examples": "For example:",
        "mode_hint": "Note: your digest mode is “all papers”. To get only papers on your topics, "
        "switch it in /settings.",
        "undo": "↩️ Undo",
        "unsubscribed": "🗑 Unfollowed <b>{topic}</b>",
        "unsubscribe_pick": "Which topic should I unfollow?",
        "no_topics": "You follow no topics yet. Add one with /subscribe or /topics.",
        "mysubs_title": "<b>Your topics</b> ({count}/{limit})",
        "mysubs_mode_all": "Digest mode: all papers (/settings can switch to only these topics)",
        "mysubs_mode_topics": "Digest mode: only papers matching these topics",
        "topics_title": "<b>Popular topics</b> (last 30 days): tap one to follow it.",
        "topics_empty": "Not enough papers yet to suggest topics. Add your own with /subscribe.",
        "settings_title": "<b>Settings</b>",
        "settings_admins_only": "Only this group's admins can change its settings; anyone can "
        "view them with /settings.",
        "settings_language": "Language: {value}",
        "settings_mode": "Digest mode: {value}",
        "settings_paused": "Deliveries: {value}",
        "settings_note": "Note when nothing matches: {value}",
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

for _language, _texts in ADMIN_TEXTS.items():
    TEXTS[_language].update(_texts)


def t(language: str | None, key: str, **values: object) -> str:
    """The sentence `key` in `language` (English when unknown), with `values` filled in.

    Values are inserted as given: callers escape user text for HTML first.
    """
    table = TEXTS.get(language or "en", TEXTS["en"])
    return table.get(key, TEXTS["en"][key]).format(**values)


def user_error(key: str, error: type[DigestError] = DigestError, **values: object) -> DigestError:
    """An error whose message is the sentence `key`, in both languages (plain text)."""
    return error(t("en", key, **values), zh=t("zh", key, **values))
