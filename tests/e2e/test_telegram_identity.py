"""Identity on the real PTB bot against the fake Bot API: messages without a person are nobody's
admin, a group's settings belong to the group's admins (getChatMember), every odd command in a
private chat gets exactly one answer, and audit rows name the platform."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from core.services.chats import get_chat_state
from storage.db import Database
from storage.models import AuditLog
from tests.e2e.admin_harness import ADMIN, editors, running_admin_bot
from tests.e2e.telegram_harness import running_bot
from tests.fakes.telegram_server import ANONYMOUS_ADMIN, CHANNEL_BOT, FakeTelegram

REFUSED = "only the digest's editors"
ADMIN_ONLY = ("/stats", "/review", "/approve 1", "/reject 1 spam", "/fetch", "/broadcast hi")


@pytest.fixture(autouse=True)
def _clean(fake_telegram: FakeTelegram):
    yield
    assert fake_telegram.violations == []
    assert fake_telegram.errors == []


async def _actors(db: Database) -> list[str]:
    async with db.session() as session:
        return list(await session.scalars(select(AuditLog.actor).order_by(AuditLog.id)))


async def test_messages_without_a_person_are_never_admins(fake_telegram, sqlite_db) -> None:
    channel = fake_telegram.group(title="Digest channel", type="channel")
    group = fake_telegram.group(title="Readers")
    # Even with the chats' own ids and the stand-in accounts' ids in ADMIN_IDS (as the old
    # fallback to chat.id would have matched), nobody without a user id is an admin.
    ids = (ADMIN, channel.id, group.id, ANONYMOUS_ADMIN.id, CHANNEL_BOT.id)
    async with running_admin_bot(fake_telegram, sqlite_db, admin_ids=ids):
        refusals = []
        for typed in ADMIN_ONLY:
            fake_telegram.channel_post(channel, typed)
            refusals += await fake_telegram.wait_for_sent(channel)
            fake_telegram.send_as_chat(group, typed)  # an anonymous group admin
            refusals += await fake_telegram.wait_for_sent(group)
            fake_telegram.send_as_chat(group, typed, as_chat=channel)  # posting as the channel
            refusals += await fake_telegram.wait_for_sent(group)
        fake_telegram.channel_post(channel, "/issues")  # public commands still work
        (listing,) = await fake_telegram.wait_for_sent(channel)
        fake_telegram.send_as_chat(group, "/issues")
        (group_listing,) = await fake_telegram.wait_for_sent(group)
    assert len(refusals) == 3 * len(ADMIN_ONLY)
    assert all("只有本速递的编辑" in message.text for message in refusals)  # no user: zh
    assert "第1期" in listing.text
    assert listing.text == group_listing.text
    assert await _actors(sqlite_db) == ["compose"]  # only the demo's own row


async def test_group_settings_change_needs_the_groups_admins(fake_telegram, sqlite_db) -> None:
    owner, admin, member, muted = (
        fake_telegram.user(first_name=name, language_code="en")
        for name in ("Owner", "Admin", "Member", "Muted")
    )
    group = fake_telegram.group(title="Readers", members=(owner, admin, member, muted))
    for user, status in ((owner, "creator"), (admin, "administrator"), (muted, "restricted")):
        fake_telegram.set_status(group, user, status)
    outsider = fake_telegram.user(first_name="Gone", language_code="en")
    fake_telegram.set_status(group, outsider, "left")  # left, the old panel still on screen
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(member, "/settings", chat=group)  # anyone may read
        (panel,) = await fake_telegram.wait_for_sent(group)
        panel_text = panel.text
        refusals = []
        for user, label in itertools.product((member, muted, outsider), ("中文", "Pause", "only")):
            fake_telegram.press_button(user, panel, panel.button(label).get("callback_data"))
            refusals += await fake_telegram.wait_for_sent(group)
        unchanged = await get_chat_state(sqlite_db, platform="telegram", chat_id=str(group.id))
        fake_telegram.press_button(admin, panel, panel.button("中文").get("callback_data"))
        (chinese,) = await fake_telegram.wait_for_edits(group)
        chinese_text = chinese.text
        fake_telegram.press_button(owner, chinese, chinese.button("暂停").get("callback_data"))
        (paused,) = await fake_telegram.wait_for_edits(group)
        paused_buttons = str(paused.buttons)
        fake_telegram.press_button(admin, paused, paused.button("只看").get("callback_data"))
        await fake_telegram.wait_for_edits(group)
        fake_telegram.send_text(member, "/settings", chat=group)
        (read_again,) = await fake_telegram.wait_for_sent(group)
        changed = await get_chat_state(sqlite_db, platform="telegram", chat_id=str(group.id))
    assert "Settings" in panel_text and len(refusals) == 9
    assert all("Only this group's admins" in m.text for m in refusals)
    assert unchanged.language is None and not unchanged.paused
    assert unchanged.digest_mode.value == "all"
    assert "语言：中文" in chinese_text and "恢复推送" in paused_buttons
    assert changed.language == "zh" and changed.paused and changed.digest_mode.value == "topics"
    assert "设置" in read_again.text
    calls = fake_telegram.calls("getChatMember")
    asked = [(c.params["user_id"], c.result["status"]) for c in calls]
    assert sorted(set(asked)) == sorted(
        {(member.id, "member"), (muted.id, "restricted"), (outsider.id, "left"),
         (admin.id, "administrator"), (owner.id, "creator")}
    )  # fmt: skip
    assert len(asked) == 5  # one question per person: answers are kept for a minute


async def test_private_chat_settings_need_no_group_admin(fake_telegram, sqlite_db) -> None:
    ann = fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        fake_telegram.send_text(ann, "/settings")
        (panel,) = await fake_telegram.wait_for_sent(ann)
        fake_telegram.press_button(ann, panel, panel.button("Pause").get("callback_data"))
        await fake_telegram.wait_for_edits(ann)
        state = await get_chat_state(sqlite_db, platform="telegram", chat_id=str(ann.id))
    assert state.paused and fake_telegram.calls("getChatMember") == []


NAMES = ["help", "HeLp", "frobnicate", "x" * 65, "y" * 200, "命令", "ｈｅｌｐ", "issue²", "", "@"]
MENTIONS = ["", "@", "@digest_test_bot", "@other_bot", "@a@b"]
EXTRA = ["/", "/ help", "/ ", "//", "/issue ²", "/issue ٣", "/issue １２", "/issues ²",
         "/edit 1 ² x", "/approve ٣", "/review ²", "/issues@", "/paper@", "/search@",
         "/x@a@b c"]  # fmt: skip


async def test_every_odd_command_in_a_private_chat_gets_one_reply(fake_telegram, sqlite_db) -> None:
    typed = ["/" + name + mention for name, mention in itertools.product(NAMES, MENTIONS)] + EXTRA
    # One user each: the per-user budgets (bot/commands/budget.py) allow /help thrice at once.
    users = [fake_telegram.user(language_code="en") for _ in typed]
    answers: dict[str, str] = {}
    async with running_bot(fake_telegram, sqlite_db):
        for index, text in enumerate(typed):
            user = users[index]
            fake_telegram.send_text(user, text)
            (reply,) = await fake_telegram.wait_for_sent(user)
            answers[text] = reply.text
        fake_telegram.send_text(users[0], "/help")  # nothing arrives late: one reply each
        await fake_telegram.wait_for_sent(users[0])
    assert sum(len(fake_telegram.sent(user)) for user in users) == len(typed) + 1
    assert len(typed) >= 60
    for text in typed:
        assert answers[text].strip(), text
    assert "There is no command /frobnicate" in answers["/frobnicate@"]
    assert "There is no command /" + "y" * 31 in answers["/" + "y" * 200]
    assert "/subscribe" in answers["/help@"] and "/subscribe" in answers["/HeLp@a@b"]
    assert all("/issue 1" in answers[t] for t in ("/issue ²", "/issue ٣", "/issue １２"))
    assert REFUSED in answers["/approve ٣"]


async def test_telegram_audit_rows_name_the_platform(fake_telegram, db: Database) -> None:
    admin, member, group = editors(fake_telegram)
    async with running_admin_bot(fake_telegram, db):
        fake_telegram.send_text(admin, "/approve 1", chat=group)
        await fake_telegram.wait_for_sent(group)
        fake_telegram.send_text(member, "/reject 1 spam", chat=group)
        (refusal,) = await fake_telegram.wait_for_sent(group)
    assert REFUSED in refusal.text
    assert await _actors(db) == ["compose", f"telegram:{ADMIN}"]


# What a private chat can carry besides text, each as the Bot API sends it.
MEDIA = {
    "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}],
    "voice": {"file_id": "v1", "file_unique_id": "u2", "duration": 3},
    "location": {"latitude": 31.23, "longitude": 121.47},
    "contact": {"phone_number": "+8613800000000", "first_name": "Li"},
    "dice": {"emoji": "🎲", "value": 4},
    "document": {"file_id": "d1", "file_unique_id": "u3"},
    "sticker": {
        "file_id": "s1", "file_unique_id": "u4", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    },
}  # fmt: skip


async def test_every_private_message_without_text_gets_one_reply(fake_telegram, sqlite_db) -> None:
    users = {field: fake_telegram.user(language_code="en") for field in MEDIA}
    users["dice"] = fake_telegram.user(language_code="zh-hans")
    async with running_bot(fake_telegram, sqlite_db):
        for field, body in MEDIA.items():
            fake_telegram.send_media(users[field], field, body)
            (reply,) = await fake_telegram.wait_for_sent(users[field])
            assert "/help" in reply.text, field
        fake_telegram.send_text(users["photo"], "/help")  # nothing arrives late: one reply each
        await fake_telegram.wait_for_sent(users["photo"])
    assert sum(len(fake_telegram.sent(user)) for user in users.values()) == len(MEDIA) + 1
    assert "文字" in fake_telegram.sent(users["dice"])[0].text
    assert "only read text" in fake_telegram.sent(users["voice"])[0].text


async def test_a_flood_of_stickers_earns_one_slow_down_then_silence(fake_telegram, sqlite_db):
    user, other = fake_telegram.user(language_code="en"), fake_telegram.user(language_code="en")
    async with running_bot(fake_telegram, sqlite_db):
        for _ in range(30):
            fake_telegram.send_media(user, "sticker", MEDIA["sticker"])
        fake_telegram.send_text(other, "/help")  # another user is answered meanwhile
        await fake_telegram.wait_for_sent(other)
        fake_telegram.send_text(user, "/help")  # a different budget: still answered
        await fake_telegram.wait_for_sent(user)
    texts = [message.text for message in fake_telegram.sent(user)]
    assert sum("slow down" in text for text in texts) == 1
    assert sum("only read text" in text for text in texts) == 5  # the unknown-command burst
