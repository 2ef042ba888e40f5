"""A week of published dailies to compose round-ups from, on either database."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.types import IssueKind, IssueStatus, SummaryContent
from storage.db import Database
from storage.models import Chat
from storage.queries.issues import NewItem, create_issue, next_issue_number
from storage.queries.ranking import set_feedback
from storage.queries.summaries import best_summaries
from tests.factories import make_paper, store_paper

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday: the week is 16–22 November
IN_WEEK = date(2026, 11, 19)
TOPICS = ("信任域偏好优化", "压缩与智能的线性关系", "模拟伪代码执行", "多样本上下文学习",
          "合成数据综述", "稀疏注意力", "长上下文检索")  # fmt: skip


async def published_week(
    db: Database, ratings: list[float | None], *, day: date = IN_WEEK, status: IssueStatus =
    IssueStatus.PUBLISHED,
) -> list[int]:  # fmt: skip
    """One daily (numbered after the existing ones) of papers rated `ratings`, in `status`;
    paper ids in order. Each abstract states a number, so a faithful entry can quote it."""
    ids = []
    async with db.session() as s:
        items = []
        for i, rating in enumerate(ratings):
            meta = make_paper(
                title=f"Method{i}: a study number {i}",
                abstract=f"We study problem {i}. Our idea is simple. It improves accuracy by "
                f"{10 + i}.5% on the benchmark.",
                published_at=datetime(2026, 11, 18, 18, i, tzinfo=UTC),
            )
            content = SummaryContent(
                title_translated=f"方法{i}", tldr=f"本文提出方法{i}，准确率提升{10 + i}.5%。",
                rating=rating, topic=TOPICS[i % len(TOPICS)], background=f"问题{i}的背景。",
            )  # fmt: skip
            pid = await store_paper(s, meta, content)
            best = await best_summaries(s, paper_ids=[pid], language="zh")
            items.append(NewItem(pid, best[pid].id))
            ids.append(pid)
        number = await next_issue_number(s, kind=IssueKind.DAILY)
        await create_issue(
            s, number=number, title=f"【第{number}期】", language="zh", period_start=day,
            period_end=day, items=items, status=status,
        )  # fmt: skip
    return ids


async def vote(db: Database, paper_id: int, readers: int) -> None:
    """`readers` readers press 👍 on the paper."""
    async with db.session() as s:
        for n in range(readers):
            chat = Chat(platform="telegram", external_id=f"{paper_id}-{n}", chat_type="private")
            s.add(chat)
            await s.flush()
            await set_feedback(s, chat_id=chat.id, paper_id=paper_id, vote=1, saved=None)
