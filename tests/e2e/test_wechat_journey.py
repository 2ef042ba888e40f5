"""Issue 5 end to end: a follower subscribes by writing to the Official Account, the issue is
approved (a 公众号 draft appears), publishing reaches the WeCom group once and the follower
inside the 48-hour window gets only their topic's papers; a follower outside it gets nothing
pushed and reads the issue with 最新."""

from __future__ import annotations

from datetime import timedelta

from cli.admin_ops import build_admin_ops
from cli.platforms import ConfiguredPlatforms
from core.services.review import approve
from jobs.platforms import joined
from jobs.publish_everywhere import publish_everywhere
from storage.db import Database
from storage.queries import chats as chat_queries
from storage.types import utcnow
from tests.e2e.wechat_harness import serve
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatApi
from tests.fakes.wecom_robot import FakeWeComRobot

READER, AWAY = "o-reader-rl", "o-away-3-days"


async def test_follow_subscribe_approve_publish(sqlite_db: Database) -> None:
    with FakeWeChatApi() as api, FakeWeComRobot(("group-key",)) as robot:
        async with serve(
            sqlite_db, wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET,
            wechat_api_base_url=api.base_url, wecom_webhook_urls=(robot.url("group-key"),),
            wechat_thumb_media_id="THUMB",
        ) as wx:  # fmt: skip
            settings = wx.server.deps.settings
            for openid in (READER, AWAY):
                await wx.wechat.event(openid, "subscribe")  # follows the account → /start
            subscribed = await wx.wechat.text(READER, "订阅 强化学习")
            await wx.wechat.text(READER, "设置")
            await wx.wechat.text(READER, "b4")  # the 只看我的主题 button
            await _seen(sqlite_db, AWAY, ago=timedelta(days=3))
            api.state.window |= {READER}

            await approve(sqlite_db, number=1, admin_id="editor")
            drafts = await build_admin_ops(settings, sqlite_db).approved(1)
            platforms = ConfiguredPlatforms(settings, sqlite_db)
            first = await publish_everywhere(
                settings.delivery, sqlite_db, platforms, number=1, actor="t"
            )
            again = await publish_everywhere(
                settings.delivery, sqlite_db, platforms, number=1, actor="t"
            )
            latest = await wx.wechat.text(AWAY, "最新")

    assert subscribed.reply is not None and "强化学习" in subscribed.reply
    assert len(api.state.drafts) == 1 and drafts and "draft" in drafts[0].lower()
    pushed = "".join(api.messages_to(READER))
    ctrl_sim, fine_fake = "abs/2403.19918", "abs/2404.01336"  # 强化学习 vs fake-news papers
    assert ctrl_sim in pushed and fine_fake not in pushed  # only the followed topic
    assert api.messages_to(AWAY) == []  # outside the window: nothing pushed
    assert latest.reply is not None and "第1期" in latest.reply  # …they read it on 最新
    group = robot.messages["group-key"]
    assert group and fine_fake in "".join(group)  # the group gets every paper
    assert len(group) == len(set(group))  # once
    assert "resumed" in joined(again) and len(robot.messages["group-key"]) == len(group)
    assert "wecom" in joined(first) and "wechat" in joined(first)


async def _seen(db: Database, openid: str, *, ago: timedelta) -> None:
    async with db.session() as session:
        state = await chat_queries.get_chat(session, platform="wechat", external_id=openid)
        assert state is not None
        await chat_queries.update_chat(
            session, chat_id=state.id, values={"last_seen_at": utcnow() - ago}
        )
