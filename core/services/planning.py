"""Planning one issue's delivery at scale: chats in batches, topics matched once per issue.

An issue goes to up to hundreds of thousands of chats, but has ~20 papers and its readers
follow far fewer distinct topics than there are readers. So the plan never asks the database
per chat: it reads the platform's receiving chats a page at a time (keyset pagination on the
chat id, one query for the page's chats, one index range for their topics), matches each distinct
stored topic against the issue's papers once (`TopicRule`: a bit mask of papers per topic,
the chat's papers the OR of its topics' masks), and hands each page to the platform's
`Targeting.chat_targets`. Memory is bounded by the batch size and the distinct topics.

The rule is `core.services.subscriptions.papers_for_chat`'s, applied without a query per chat:
digest mode "all", no topics, or no readable topic means every paper; otherwise the papers
matching any topic, in the issue's order. A `like:` topic matches by similarity to its paper
(`core.services.topic_likes`), each distinct one once per issue.

Every row is written in the issue's order: "for you" (`RANKING_FOR_YOU`) orders a reader's
papers when the deliverer first claims their row (`core.services.sendtime`), so planning does
no model work at all. It only keeps a place for recommendations: a "topics" chat whose topics
matched nothing, with "for you" on and a trained model, gets a pending row without papers
instead of `skipped` (one indexed query per page, only for such chats), which the deliverer
fills with recommendations or, finding none, skips; with its note on, its row is the note row
as before, which the deliverer likewise turns into recommendations when it has some.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.sending import Targeting
from core.services.topic_likes import like_masks
from domain.errors import InvalidInput
from domain.topics import TopicQuery, matches, parse_topic
from domain.types import ChatState, DigestMode, IssueView, PaperView
from storage.queries import chats as chat_queries
from storage.queries import deliveries as ledger
from storage.queries import sendtime as sendtime_queries
from storage.queries import topics as topic_queries
from storage.queries.deliveries import NewDelivery

log = logging.getLogger(__name__)

SUBSCRIBER, NOTE = "subscriber", "note"
PLAN_BATCH = 2000  # chats per page: ~2 MB of rows in flight, few round trips

TopicSpec = tuple[str, str]  # a stored topic: (query, parsed as its JSON text)


class TopicRule:
    """Which of one issue's papers a chat gets: each distinct topic is matched once."""

    def __init__(self, papers: Sequence[PaperView]) -> None:
        self.papers = tuple(papers)
        self.all_ids = tuple(paper.id for paper in self.papers)
        self._masks: dict[
            TopicSpec, int | None
        ] = {}  # topic → papers it matches (None: unreadable)
        self._ids: dict[int, tuple[int, ...]] = {}  # one shared tuple per set of papers
        self._likes: dict[str, int] = {}  # like: anchor → papers near it (`learn_likes`)

    async def learn_likes(
        self, session: AsyncSession, topics: Mapping[int, Sequence[TopicSpec]]
    ) -> None:
        """Match the like: topics of a page not seen before by similarity, once per issue
        (they have no words for `matches`)."""
        specs = {spec for chat_topics in topics.values() for spec in chat_topics}
        new = {t.like for t in map(_topic, specs) if t and t.like and t.like not in self._likes}
        if new:
            self._likes.update(await like_masks(session, new, self.papers))

    def paper_ids(self, chat: ChatState, topics: Sequence[TopicSpec]) -> tuple[int, ...]:
        """The ids of the papers `chat` gets, in the issue's order, given its stored topics."""
        if chat.digest_mode is DigestMode.ALL or not topics:
            return self.all_ids
        masks = [mask for mask in map(self._mask, topics) if mask is not None]
        if not masks:
            return self.all_ids  # only unreadable topics: as if it had none
        union = 0
        for mask in masks:
            union |= mask
        found = self._ids.get(union)
        if found is None:
            found = self._ids[union] = tuple(
                paper_id for i, paper_id in enumerate(self.all_ids) if union >> i & 1
            )
        return found

    def _mask(self, spec: TopicSpec) -> int | None:
        # A stored topic is its (query, parsed JSON text): equal texts, the same topic.
        if spec not in self._masks:
            topic = _topic(spec)
            self._masks[spec] = None if topic is None else self._match(topic)
        return self._masks[spec]

    def _match(self, topic: TopicQuery) -> int:
        if topic.like:
            return self._likes.get(topic.like, 0)
        mask = 0
        for i, paper in enumerate(self.papers):
            if matches(topic, paper):
                mask |= 1 << i
        return mask


def _topic(spec: TopicSpec) -> TopicQuery | None:
    """The stored topic, as `subscriptions._view` reads it: `parsed`, else the query text."""
    query, parsed = spec
    try:
        return TopicQuery.from_json(json.loads(parsed))
    except (ValueError, TypeError, AttributeError):
        try:
            return parse_topic(query)
        except InvalidInput:
            log.warning("topic %r is unreadable; skipped", query[:80])
            return None


def chat_row(
    chat: ChatState, paper_ids: tuple[int, ...], recommendable: bool = False
) -> NewDelivery:
    """The platform-neutral row: its papers, else the one-line note, else `skipped` — or, when
    its model may recommend papers at send time, a pending row without papers."""
    if paper_ids or (recommendable and not chat.no_match_note):
        return NewDelivery(
            target=chat.chat_id, kind=SUBSCRIBER, chat_id=chat.id, paper_ids=paper_ids
        )
    status = ledger.PENDING if chat.no_match_note else ledger.SKIPPED
    kind = NOTE if chat.no_match_note else SUBSCRIBER
    return NewDelivery(target=chat.chat_id, kind=kind, chat_id=chat.id, status=status)


async def planned_batches(
    session: AsyncSession,
    *,
    issue: IssueView,
    targets: Targeting,
    batch_size: int = PLAN_BATCH,
    for_you: int | None = None,
) -> AsyncIterator[list[NewDelivery]]:
    """The ledger rows of `issue` on `targets.platform`, in delivery order, a batch at a time:
    the platform's own targets, then its receiving chats `batch_size` at a time. `for_you`:
    the marks a reader's model needs ("for you" on), else None."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    rule = TopicRule([item.paper for item in issue.included_items])
    own = targets.own_targets(issue)
    if own:
        yield own
    after = 0
    while chats := await chat_queries.receiving_page(
        session, platform=targets.platform, after_id=after, limit=batch_size
    ):
        after = chats[-1].id
        wanted = any(c.digest_mode is DigestMode.TOPICS and c.topic_count for c in chats)
        topics = (
            await topic_queries.topic_specs_in_range(
                session, first_chat_id=chats[0].id, last_chat_id=after
            )
            if wanted
            else {}
        )
        await rule.learn_likes(session, topics)
        papers = {chat.id: rule.paper_ids(chat, topics.get(chat.id, ())) for chat in chats}
        waiting = await _recommendable(session, chats, papers, for_you if rule.all_ids else None)

        def row(
            chat: ChatState,
            papers: Mapping[int, tuple[int, ...]] = papers,
            waiting: set[int] = waiting,
        ) -> NewDelivery:
            return chat_row(chat, papers[chat.id], chat.id in waiting)

        rows = targets.chat_targets(chats, row)
        if rows:
            yield rows


async def _recommendable(
    session: AsyncSession,
    chats: Sequence[ChatState],
    papers: Mapping[int, tuple[int, ...]],
    for_you: int | None,
) -> set[int]:
    """The page's chats whose topics matched nothing but whose own model may recommend some
    of the issue's papers at send time: "for you" on (server and chat), no note (a note row is
    pending anyway), a trained model. One indexed query, and none for a page without such chats."""
    if for_you is None:
        return set()
    ids = [c.id for c in chats if not papers[c.id] and c.for_you and not c.no_match_note]
    if not ids:
        return set()
    return await sendtime_queries.with_models(session, chat_ids=ids, min_examples=for_you)
