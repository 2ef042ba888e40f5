"""WeChat readers mark papers by typing: `赞 3`, `踩 3`, `收藏 3`, `取消收藏 3` act on paper 3 of
the latest published issue, or on an arXiv id; over real HTTP through the fake WeChat, on real
SQLite. A typed mark is set once (typing it again changes nothing); odd input gets an answer."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.commands.reading import display_title
from bot.wechat.xml import xml_text
from core.services.issues import get_issue
from core.services.ranking import Reader
from core.services.reader_feedback import Marks, marks
from domain.types import IssueStatus
from storage.db import Database
from storage.models import Issue
from storage.models_ranking import ReaderFeedback
from tests.e2e.wechat_harness import serve
from tests.wechat_inputs import hostile_strings

USER = "o-reader_1"


async def _publish(db: Database) -> None:
    async with db.session() as session:
        await session.execute(update(Issue).values(status=IssueStatus.PUBLISHED.value))


async def _ask(h, text: str, user: str = USER) -> str:
    exchange = await h.wechat.text(user, text)
    assert exchange.reply is not None and len(exchange.reply.encode("utf-8")) <= 2048
    return exchange.reply


async def test_marks_by_number_and_by_id(sqlite_db: Database) -> None:
    async with serve(sqlite_db) as h:
        unpublished = await _ask(h, "赞 3")
        await _publish(sqlite_db)
        issue = await get_issue(sqlite_db, number=1, language="zh")
        third = issue.included_items[2].paper
        liked = await _ask(h, "赞 3")
        again = await _ask(h, "赞3")
        saved = await _ask(h, "收藏 https://arxiv.org/abs/2402.01399")
        listing = await _ask(h, "我的收藏")
        disliked = await _ask(h, "踩 3")
        unsaved = await _ask(h, "取消收藏 2402.01399v1")
        reader = Reader("wechat", USER)
        third_marks = await marks(sqlite_db, reader, [third.id])
        async with sqlite_db.session() as session:
            rows = await session.scalar(select(func.count()).select_from(ReaderFeedback))
    assert "还没有发布" in unpublished
    assert liked.startswith("👍 已赞：第1期第 3 篇") and display_title(third)[:20] in liked
    assert again.startswith("👍 已赞") and rows == 2  # one row per paper, typed twice or not
    assert "⭐ 已收藏：https://arxiv.org/abs/2402.01399" in saved
    assert "共 1 篇" in listing and "https://arxiv.org/abs/2402.01399" in listing
    assert disliked.startswith("👎 已踩") and third_marks == {third.id: Marks(-1, False)}
    assert unsaved.startswith("已取消收藏")


async def test_odd_marks_get_clear_answers(sqlite_db: Database) -> None:
    async with serve(sqlite_db) as h:
        await _publish(sqlite_db)
        too_far = await _ask(h, "踩 99")
        zero = await _ask(h, "赞 0")
        not_an_id = await _ask(h, "收藏 abc1")
        other_host = await _ask(h, "收藏 https://evil.example/abs/2402.01399")
        unknown = await _ask(h, "收藏 2402.99999")
        bare = await _ask(h, "收藏")
        search = await _ask(h, "赞美 learning")
        # One reader each: a reader's own 41st mark in a minute is over its budget, unanswered.
        hostile = [
            await _ask(h, "收藏 " + text, f"o-hostile_{n}")
            for n, text in enumerate(_sendable()[:40])
        ]
    assert "没有第 99 篇" in too_far
    assert "用法：赞 3" in zero and "用法：赞 3" in bare
    assert "不是有效的 arXiv 编号" in not_an_id and "不是有效的 arXiv 编号" in other_host
    assert "存档里还没有 2402.99999" in unknown
    assert "用法" not in search  # not a mark: a search
    assert all(answer for answer in hostile)
    assert await _no_marks(sqlite_db)


def _sendable() -> list[str]:
    """Hostile texts a WeChat message can carry (XML text, as the security tests pick them),
    with digits in, so they reach the mark words rather than a search."""
    return [t + "1" for t in hostile_strings() if t.strip() and xml_text(t) == t]


async def _no_marks(db: Database) -> bool:
    async with db.session() as session:
        return not await session.scalar(select(func.count()).select_from(ReaderFeedback))
