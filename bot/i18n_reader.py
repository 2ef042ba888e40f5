"""The sentences of personal relevance (feedback, /saved, /similar, /forget), zh and en.

Kept apart from the other readers' texts so `bot.i18n` stays small; it merges them in.
"""

from __future__ import annotations

from typing import Final

READER_TEXTS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "fb_liked": "已赞 👍",
        "fb_unliked": "已取消赞",
        "fb_disliked": "已踩 👎",
        "fb_undisliked": "已取消踩",
        "fb_saved": "已收藏 ⭐（/saved 查看）",
        "fb_unsaved": "已取消收藏",
        "similar_button": "相似论文",
        "settings_for_you": "为你排序",
        "for_you_on": "开（标记 {count} 篇以上后，按你的 👍 👎 ⭐ 排序）",
        "for_you_off": "关（按今日顺序：LLM 评分，再按时间）",
        "for_you_unavailable": "本服务器未启用（按今日顺序：LLM 评分，再按时间）",
        "for_you_toggle": "为你排序：{value}",
        "similar_usage": "用法：/similar arXiv 编号或链接，例如 /similar 2402.01399",
        "similar_title": "与《{title}》相似的论文",
        "similar_none": "存档里还没有与它相似的论文。",
        "saved_title": "⭐ 我的收藏（共 {total} 篇，第 {page}/{pages} 页）",
        "saved_empty": "收藏夹是空的：在论文下点 ⭐ 即可收藏。",
        "forget_confirm": "这将删除你在这个会话里的全部反馈（👍 👎 ⭐，包括收藏）"
        "和为你训练的排序模型，无法恢复。确定吗？",
        "forget_yes": "确认删除",
        "forget_no": "取消",
        "forget_kept": "已取消，什么都没有删除。",
        "forget_done": "已删除你的 {count} 条反馈和个性化模型。",
        "mark_usage": "用法：赞 3、踩 3、收藏 3、取消收藏 3（最新一期的第 3 篇），或写 arXiv 编号，"
        "例如 收藏 2402.01399",
        "mark_in_issue": "第{issue}期第 {number} 篇《{title}》",
        "mark_liked": "👍 已赞：{paper}",
        "mark_disliked": "👎 已踩：{paper}",
        "mark_unvoted": "已取消赞/踩：{paper}",
        "mark_saved": "⭐ 已收藏：{paper}（发送「我的收藏」查看）",
        "mark_unsaved": "已取消收藏：{paper}",
    },
    "en": {
        "fb_liked": "Liked 👍",
        "fb_unliked": "Like removed",
        "fb_disliked": "Disliked 👎",
        "fb_undisliked": "Dislike removed",
        "fb_saved": "Saved ⭐ (see /saved)",
        "fb_unsaved": "Removed from saved",
        "similar_button": "Similar",
        "settings_for_you": "For you",
        "for_you_on": "on (your 👍 👎 ⭐ order your digest once you have marked {count} papers)",
        "for_you_off": "off (today's order: the LLM's score, then recency)",
        "for_you_unavailable": "not enabled on this server (today's order: the LLM's score, "
        "then recency)",
        "for_you_toggle": "For you: {value}",
        "similar_usage": "Usage: /similar <arXiv id or URL>, e.g. /similar 2402.01399",
        "similar_title": "Papers similar to “{title}”",
        "similar_none": "The archive has no similar papers yet.",
        "saved_title": "⭐ Saved papers ({total} in all, page {page}/{pages})",
        "saved_empty": "Nothing saved yet: tap ⭐ under a paper to save it.",
        "forget_confirm": "This deletes all your feedback in this chat (👍 👎 ⭐, saved papers "
        "included) and the ranking model trained for you. It cannot be undone. Go ahead?",
        "forget_yes": "Delete",
        "forget_no": "Cancel",
        "forget_kept": "Cancelled; nothing was deleted.",
        "forget_done": "Deleted your {count} marks and your personal model.",
        "mark_usage": "Usage: 赞 3, 踩 3, 收藏 3, 取消收藏 3 (paper 3 of the latest issue), or an "
        "arXiv id, e.g. 收藏 2402.01399",
        "mark_in_issue": "issue {issue}, paper {number}: “{title}”",
        "mark_liked": "👍 Liked {paper}",
        "mark_disliked": "👎 Disliked {paper}",
        "mark_unvoted": "Vote removed: {paper}",
        "mark_saved": "⭐ Saved {paper} (see 我的收藏 / saved)",
        "mark_unsaved": "Removed from saved: {paper}",
    },
}
