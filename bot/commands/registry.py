"""The command table: every command and button action once, with all a front end needs.

Each row (`bot.commands.spec`) carries the handler, the WeChat words, the admin flag, the
/help line and example, the menu text and whether it runs in the background. Dispatch, the
admin check (`dispatch` refuses non-admins for rows flagged `admin`, once for every platform),
/help, Telegram's menu and WeChat's words are all generated from these two tuples; adding a
command is adding a row (plus its budget in `budget.py`, which a test ties to this table).
"""

from __future__ import annotations

from bot.commands import (
    admin_ops,
    admin_review,
    issues,
    marks,
    paper,
    reading,
    search,
    settings,
    subscriptions,
)
from bot.commands.admin_preview import APPROVE, INCLUDE, MOVE, PAGE, REJECT
from bot.commands.context import Context
from bot.commands.feedback import FEEDBACK, SIMILAR, feedback_action
from bot.commands.help import HelpRow, help_page
from bot.commands.reply import Reply
from bot.commands.spec import ActionHandler, ActionSpec, CommandHandler, CommandSpec, Words
from bot.i18n import user_error
from domain.errors import DigestError
from domain.issue_ref import parse_issue_ref
from domain.numbers import bounded_int

MAX_ARG = 1_000_000  # issue numbers, pages, topic numbers: anything larger is forged


async def help_command(ctx: Context, argument: str) -> list[Reply]:
    """/help: every public command of the table below, with its example."""
    return help_page(ctx.language, help_rows())


# In /help and menu order: readers' commands first, then the editors'.
COMMAND_TABLE: tuple[CommandSpec, ...] = (
    CommandSpec("start", subscriptions.start, Words("订阅每期论文速递", "get every issue"),
                "/start", aliases=("开始",)),
    CommandSpec("stop", subscriptions.stop,
                Words("停止所有推送（保留主题）", "stop all deliveries (topics kept)"),
                "/stop", aliases=("停止",)),
    CommandSpec("subscribe", subscriptions.subscribe,
                Words("关注主题：关键词、cat:cs.CL、author:作者",
                      "follow a topic: keywords, cat:cs.CL, author:name"),
                "/subscribe RLHF reward model", aliases=("订阅",)),
    CommandSpec("unsubscribe", subscriptions.unsubscribe, Words("取消关注主题", "unfollow a topic"),
                "/unsubscribe RLHF", aliases=("退订",)),
    CommandSpec("mysubs", subscriptions.mysubs, Words("我关注的主题", "topics you follow"),
                "/mysubs", aliases=("我的订阅",)),
    CommandSpec("topics", subscriptions.topics,
                Words("热门主题，一键关注", "popular topics, follow with a tap"),
                "/topics", aliases=("热门话题",)),
    CommandSpec("latest", issues.latest, Words("最新一期", "the latest issue"),
                "/latest", aliases=("最新",)),
    # WeChat users type 第12期 for this one (a pattern, not a word: bot.wechat.commands).
    CommandSpec("issue", issues.issue, Words("查看第 N 期", "read issue N"), "/issue 12"),
    CommandSpec("issues", issues.issues, Words("往期列表", "all past issues"),
                "/issues", aliases=("往期",)),
    CommandSpec("search", search.search, Words("搜索所有论文", "search every paper"),
                "/search 强化学习 对齐", aliases=("搜索",)),
    CommandSpec("paper", paper.paper, Words("查看单篇论文卡片", "one paper's full card"),
                "/paper 2402.01399", aliases=("论文",), background=True, typing=True),
    CommandSpec("saved", reading.saved, Words("我的收藏（可翻页、可移除）", "your saved papers"),
                "/saved", aliases=("我的收藏",)),
    CommandSpec("similar", reading.similar,
                Words("存档中最相似的论文", "the archive's most similar papers"),
                "/similar 2402.01399", aliases=("相似",), background=True, typing=True),
    CommandSpec("forget", reading.forget,
                Words("删除我的全部反馈与个性化模型", "delete your feedback and personal model"),
                "/forget", aliases=("忘记我的反馈",)),
    CommandSpec("settings", settings.settings_command,
                Words("语言、推送模式、暂停/恢复", "language, digest mode, pause/resume"),
                "/settings", aliases=("设置",)),
    CommandSpec("help", help_command, Words("帮助", "this help"), "/help", aliases=("帮助",)),
    # Editors only (ADMIN_IDS, WECHAT_ADMIN_OPENIDS, the console's operator).
    CommandSpec("review", admin_review.review_command,
                Words("审阅草稿（默认最新一期草稿）", "review a draft (default: newest)"),
                "/review 12", aliases=("审核",), admin=True),
    CommandSpec("approve", admin_review.approve_command, Words("批准一期", "approve an issue"),
                "/approve 12", aliases=("批准",), admin=True),
    CommandSpec("reject", admin_review.reject_command,
                Words("退回一期（需说明原因）", "reject an issue (with a reason)"),
                "/reject 12 主题太散", aliases=("退回",), admin=True),
    CommandSpec("edit", admin_review.edit_command,
                Words("修改第 N 期第几篇的 tldr/title/note",
                      "edit a paper's tldr/title/note in issue N"),
                "/edit 12 3 tldr 新的一句话总结", admin=True),
    CommandSpec("publish", admin_ops.publish_command, Words("立即发布", "publish now"),
                "/publish 12", aliases=("发布",), admin=True),
    CommandSpec("fetch", admin_ops.fetch_command,
                Words("立即抓取并总结", "fetch and summarize now"), "/fetch", admin=True),
    CommandSpec("compose", admin_ops.compose_command,
                Words("立即组一期草稿", "compose a draft now"), "/compose", admin=True,
                background=True),
    CommandSpec("stats", admin_ops.stats_command,
                Words("订阅、论文、期数、今日推送与 LLM 用量",
                      "subscribers, papers, issues, today's deliveries and LLM usage"),
                "/stats", admin=True),
    CommandSpec("broadcast", admin_ops.broadcast_command,
                Words("向所有订阅者群发（需确认）", "message every subscriber (confirm first)"),
                "/broadcast 明天暂停一次", admin=True),
)  # fmt: skip


def _expired() -> DigestError:
    return user_error("expired_button")


def _int(args: tuple[str, ...], index: int) -> int:
    value = bounded_int(args[index], MAX_ARG) if len(args) > index else None
    if value is None:
        raise _expired()
    return value


async def _issue_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    ref = parse_issue_ref(args[0]) if args else None  # `3` a daily, `w3` a weekly
    if ref is None:
        raise _expired()
    return await issues.show_issue(ctx, ref.number, ref.kind)


async def _issues_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    return await issues.issues_page(ctx, _int(args, 0), edit=True)


async def _search_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if len(args) != 2:
        raise _expired()
    return await search.search_more(ctx, args[0], _int(args, 1))


async def _unsub_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    return await subscriptions.unfollow(ctx, _int(args, 0))


async def _sub_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if len(args) != 1:
        raise _expired()
    return await subscriptions.follow_remembered(ctx, args[0])


async def _set_action(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if len(args) != 2:
        raise _expired()
    return await settings.change(ctx, args[0], args[1])


ACTION_TABLE: tuple[ActionSpec, ...] = (
    ActionSpec("unsub", _unsub_action),
    ActionSpec("sub", _sub_action),
    ActionSpec("set", _set_action),
    ActionSpec("issue", _issue_action),
    ActionSpec("issues", _issues_action),
    ActionSpec("search", _search_action),
    ActionSpec(FEEDBACK, feedback_action),
    ActionSpec(SIMILAR, reading.similar_action),
    ActionSpec(reading.SAVED, reading.saved_action),
    ActionSpec(reading.UNSAVE, reading.unsave_action),
    ActionSpec(reading.FORGET, reading.forget_action),
    ActionSpec(marks.MARK, marks.mark_action),  # typed, not a button: WeChat's 赞 3 / 收藏 3
    # Editors' buttons: the draft preview and the broadcast confirmation.
    ActionSpec(PAGE, admin_review.page_action, admin=True),
    ActionSpec(INCLUDE, admin_review.include_action, admin=True),
    ActionSpec(MOVE, admin_review.move_action, admin=True),
    ActionSpec(APPROVE, admin_review.approve_action, admin=True),
    ActionSpec(REJECT, admin_review.reject_action, admin=True),
    ActionSpec(admin_ops.BROADCAST, admin_ops.broadcast_action, admin=True),
)

# -- generated from the tables --------------------------------------------------------------

BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMAND_TABLE}
ACTIONS_BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in ACTION_TABLE}
COMMANDS: dict[str, CommandHandler] = {spec.name: spec.handler for spec in COMMAND_TABLE}
ACTIONS: dict[str, ActionHandler] = {spec.name: spec.handler for spec in ACTION_TABLE}
PUBLIC_COMMANDS: tuple[CommandSpec, ...] = tuple(s for s in COMMAND_TABLE if not s.admin)
ADMIN_COMMANDS: tuple[CommandSpec, ...] = tuple(s for s in COMMAND_TABLE if s.admin)
# Commands whose work may take long (/paper: fetch + LLM; /similar: a scan of the archive;
# /compose: the compose job): front ends run them outside the chat's turn, so they hold up
# neither the chat nor anybody else.
# (/fetch, /publish and broadcasts already answer at once and report from a background task.)
BACKGROUND_COMMANDS = frozenset(spec.name for spec in COMMAND_TABLE if spec.background)
TYPING_COMMANDS = frozenset(spec.name for spec in COMMAND_TABLE if spec.typing)


def help_rows() -> tuple[HelpRow, ...]:
    """(name, example, zh, en) of every public command, in table order: /help's lines."""
    return tuple((s.name, s.example, s.help.zh, s.help.en) for s in PUBLIC_COMMANDS)


def menu(*, admin: bool) -> tuple[CommandSpec, ...]:
    """The commands of a menu: the public ones, and with `admin` the editors' after them."""
    return COMMAND_TABLE if admin else PUBLIC_COMMANDS
