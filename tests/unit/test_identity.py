"""Identity is (platform, id): admin rights per platform, id shapes, WeChat senders."""

from __future__ import annotations

import itertools

import pytest
from wechatpy import parse_message

from bot.commands.reply import Caller
from bot.wechat.commands import sender_openid
from core.services.review import is_admin, require_admin
from domain.errors import NotAllowed
from domain.identity import valid_openid, valid_user_id
from tests.conftest import make_settings

TELEGRAM_ADMINS = (555001, 42)
WECHAT_ADMINS = ("o-Editor_28charsXXXXXXXXXXXX", "777001")
SETTINGS = make_settings(
    admin_ids=",".join(map(str, TELEGRAM_ADMINS)), wechat_admin_openids=",".join(WECHAT_ADMINS)
)
IDS = [
    "555001", "42", "777001", "o-Editor_28charsXXXXXXXXXXXX", "operator", "console", "0", "-42",
    "042", " 42", "42 ", "４２", "٤٢", "42\n", "", "o" * 48, "o" * 49, "['555001']", "{'a': '1'}",
    "o-a b", "o;drop", "1087968824", "cli", "None", "9" * 30,
]  # fmt: skip
PLATFORMS = ["telegram", "wechat", "console", "cli", "TELEGRAM", "", "telegram:"]


def _expected(platform: str, user_id: str) -> bool:
    if platform == "telegram":
        return user_id in ("555001", "42")
    if platform == "wechat":
        return user_id in WECHAT_ADMINS
    return platform == "console" and user_id == "operator"


def test_admin_is_a_function_of_platform_and_id() -> None:
    for platform, user_id in itertools.product(PLATFORMS, IDS):
        assert is_admin(SETTINGS, platform, user_id) is _expected(platform, user_id), (
            platform, user_id,
        )  # fmt: skip
        assert not is_admin(SETTINGS, platform, None)


def test_telegram_admin_id_as_an_openid_is_nobody() -> None:
    for admin in TELEGRAM_ADMINS:
        assert is_admin(SETTINGS, "telegram", str(admin))
        assert not is_admin(SETTINGS, "wechat", str(admin))
        assert not is_admin(SETTINGS, "console", str(admin))
    assert is_admin(SETTINGS, "wechat", "777001") and not is_admin(SETTINGS, "telegram", "777001")


def test_require_admin_names_the_platform() -> None:
    assert require_admin(SETTINGS, "telegram", "42").actor == "telegram:42"
    assert require_admin(SETTINGS, "wechat", "777001").actor == "wechat:777001"
    operator = require_admin(SETTINGS, "console", "operator")
    assert (operator.actor, operator.label) == ("console:operator", "console:operator")
    assert require_admin(SETTINGS, "telegram", "42").label == "42"
    for platform, user_id in [("wechat", "42"), ("telegram", None), ("console", "42")]:
        with pytest.raises(NotAllowed):
            require_admin(SETTINGS, platform, user_id)


def test_callers_refuse_ids_without_their_platforms_shape() -> None:
    for platform, user_id in itertools.product(["telegram", "wechat", "console"], IDS):
        if valid_user_id(platform, user_id):
            assert Caller(platform, "1", user_id).identity is not None
        else:
            with pytest.raises(ValueError):
                Caller(platform, "1", user_id)
    assert Caller("telegram", "-1001", None).identity is None


def test_openids_are_short_plain_strings() -> None:
    alphabet = "aZ09_-"
    for length in range(1, 60):
        for char in alphabet:
            assert valid_openid(char * length) is (length <= 48)
    for bad in ("a b", "a\n", "a/b", "a:b", "ä", "a\x00", "<a>", "a.b", "o１"):
        assert not valid_openid(bad)


def _xml(sender: str, receiver: str = "<![CDATA[gh_account]]>") -> str:
    return (
        f"<xml><ToUserName>{receiver}</ToUserName><FromUserName>{sender}</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>hi</Content>"
        "<MsgId>1</MsgId></xml>"
    )


SENDERS = [
    "<![CDATA[o1]]></FromUserName><FromUserName><![CDATA[o2]]>",  # repeated
    "<a>o1</a>", "<a>o1</a><b>o2</b>", "<a><b>deep</b></a>", "<![CDATA[a b]]>", "", "<![CDATA[]]>",
    "<![CDATA[" + "o" * 49 + "]]>", "<![CDATA[['o1', 'o2']]]>", "<![CDATA[o;1]]>",
]  # fmt: skip


def test_wechat_senders_must_be_one_plain_id() -> None:
    assert sender_openid(parse_message(_xml("<![CDATA[o-fan_1]]>"))) == "o-fan_1"
    for sender in SENDERS:
        assert sender_openid(parse_message(_xml(sender))) is None, sender
    for receiver in ("<a>gh</a>", "<![CDATA[gh]]></ToUserName><ToUserName><![CDATA[gh2]]>"):
        assert sender_openid(parse_message(_xml("<![CDATA[o1]]>", receiver))) is None
