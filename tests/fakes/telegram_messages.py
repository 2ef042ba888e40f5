"""The fake's message methods: send, edit, delete, chat actions, callback answers, chat lookups.

Each `m_<method>` takes the typed parameters (already checked against the spec) and returns the
`result`, or raises ApiError with the description real Telegram gives. They run under the API
lock, so they may read and change state freely. Telegram's content rules live here: HTML parse
mode through `telegram_html`, 4096 UTF-16 units, callback_data of 1-64 bytes, "message is not
modified", and private-chat/group flood limits.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram_html import MAX_MESSAGE_UTF16, TelegramHTMLError, parse_html, utf16_len
from tests.fakes.telegram_spec import ApiError, bad_request
from tests.fakes.telegram_state import FakeChat, SentMessage

if TYPE_CHECKING:
    from tests.fakes.telegram_api import BotApi

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
MAX_CAPTION_UTF16 = 1024
MAX_CALLBACK_ANSWER = 200


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None, limit: int
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities as Telegram stores them, or the error it would answer."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(text)
        except TelegramHTMLError as exc:
            raise ApiError(400, str(exc)) from None
        plain, found = parsed.text, [_entity_dict(e) for e in parsed.entities]
    elif mode in ("", "markdown", "markdownv2"):
        plain, found = text, list(entities or [])  # Markdown is stored unparsed (not modelled)
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    if not plain.strip():
        raise bad_request("message text is empty")
    if utf16_len(plain.strip()) > limit:
        raise bad_request(
            "message is too long" if limit == MAX_MESSAGE_UTF16 else "caption is too long"
        )
    return plain, found


def _entity_dict(entity: Any) -> dict[str, Any]:
    data = {"type": entity.type, "offset": entity.offset, "length": entity.length}
    if entity.url:
        data["url"] = entity.url
    if entity.language:
        data["language"] = entity.language
    return data


def check_markup(markup: dict[str, Any] | None) -> None:
    """Inline keyboard rules the spec's types cannot express."""
    for row in (markup or {}).get("inline_keyboard") or []:
        for button in row:
            _check_button(button)


def _check_button(button: dict[str, Any]) -> None:
    actions = set(button) - {"text", "icon_custom_emoji_id", "style"}
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")


class MessageMethods:
    """Mixed into BotApi; see its attributes for the state used here."""

    def chat_for(self: BotApi, chat_id: Any, *, sending: bool = False) -> FakeChat:
        chat = self.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat.id in self.blocked:
            if chat.type == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        return chat

    def message_for(self: BotApi, chat: FakeChat, message_id: int, purpose: str) -> SentMessage:
        message = self.messages.get(chat.id, {}).get(message_id)
        if message is None or message.deleted:
            raise bad_request(f"message to {purpose} not found")
        return message

    def m_sendMessage(self: BotApi, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat_for(params["chat_id"], sending=True)
        text, entities = format_text(
            params["text"], params.get("parse_mode"), params.get("entities"), MAX_MESSAGE_UTF16
        )
        check_markup(params.get("reply_markup"))
        self.check_flood(chat, params)
        message = self.store_bot_message(chat, text, entities, params, "sendMessage")
        return message.to_api(chat, self.bot)

    def m_generic_send(self: BotApi, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """sendDocument, sendVideo, …: checked and recorded, the caption kept as the text."""
        chat = self.chat_for(params["chat_id"], sending=True)
        return self.store_captioned(chat, method, params).to_api(chat, self.bot)

    def store_captioned(
        self: BotApi, chat: FakeChat, method: str, params: dict[str, Any]
    ) -> SentMessage:
        """A media message's caption checked as Telegram does (≤ 1,024 after parsing), its
        keyboard and the flood limits, then recorded with the caption as its text."""
        text, entities = "", []
        if params.get("caption"):
            text, entities = format_text(
                params["caption"], params.get("parse_mode"), None, MAX_CAPTION_UTF16
            )
        check_markup(params.get("reply_markup"))
        self.check_flood(chat, params)
        return self.store_bot_message(chat, text, entities, params, method)

    def store_bot_message(
        self: BotApi,
        chat: FakeChat,
        text: str,
        entities: list[dict[str, Any]],
        params: dict[str, Any],
        method: str,
    ) -> SentMessage:
        message = SentMessage(
            chat_id=chat.id,
            message_id=self.next_message_id(chat.id),
            text=text,
            date=int(time.time()),
            seq=self.next_seq(),
            html=params.get("text", params.get("caption", "")),
            parse_mode=params.get("parse_mode"),
            entities=entities,
            reply_markup=params.get("reply_markup"),
            method=method,
            params=params,
        )
        self.messages.setdefault(chat.id, {})[message.message_id] = message
        return message

    def _edit_target(self: BotApi, params: dict[str, Any]) -> tuple[FakeChat, SentMessage] | None:
        if "inline_message_id" in params:
            return None
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self.chat_for(params["chat_id"], sending=True)
        message = self.message_for(chat, params["message_id"], "edit")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return chat, message

    def m_editMessageText(self: BotApi, params: dict[str, Any]) -> Any:
        target = self._edit_target(params)
        text, entities = format_text(
            params.get("text", ""), params.get("parse_mode"), params.get("entities"), 4096
        )
        markup = params.get("reply_markup")
        check_markup(markup)
        if target is None:
            return True
        chat, message = target
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        self._apply_edit(message, params, text=text, entities=entities, reply_markup=markup)
        message.html, message.parse_mode = params.get("text", ""), params.get("parse_mode")
        return message.to_api(chat, self.bot)

    def m_editMessageReplyMarkup(self: BotApi, params: dict[str, Any]) -> Any:
        target = self._edit_target(params)
        markup = params.get("reply_markup")
        check_markup(markup)
        if target is None:
            return True
        chat, message = target
        if markup == message.reply_markup or (not markup and not message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        self._apply_edit(message, params, reply_markup=markup)
        return message.to_api(chat, self.bot)

    def _apply_edit(
        self: BotApi, message: SentMessage, params: dict[str, Any], **changes: Any
    ) -> None:
        message.edits.append(
            {"text": message.text, "html": message.html, "reply_markup": message.reply_markup}
        )
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(time.time())
        message.edit_seq = self.next_seq()
        message.params = {**message.params, **params}

    def m_deleteMessage(self: BotApi, params: dict[str, Any]) -> bool:
        chat = self.chat_for(params["chat_id"])
        message = self.message_for(chat, params["message_id"], "delete")
        message.deleted = True
        return True

    def m_sendChatAction(self: BotApi, params: dict[str, Any]) -> bool:
        self.chat_for(params["chat_id"], sending=True)
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def m_answerCallbackQuery(self: BotApi, params: dict[str, Any]) -> bool:
        query = self.callback_queries.get(params["callback_query_id"])
        if query is None or query["answer"] is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(params.get("text", "")) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answer"] = params
        return True

    def m_getChat(self: BotApi, params: dict[str, Any]) -> dict[str, Any]:
        return self.chat_for(params["chat_id"]).full_info()

    def m_getChatMember(self: BotApi, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat_for(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot.id:
            status = "administrator" if chat.type != "private" else "member"
            return self._member(status, self.bot.to_api())
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            return self._member("member" if chat.id == user_id else "left", user.to_api())
        default = "member" if user_id in chat.members else "left"
        return self._member(chat.statuses.get(user_id, default), user.to_api())

    @staticmethod
    def _member(status: str, user: dict[str, Any]) -> dict[str, Any]:
        """A ChatMember of the subtype `status` names, with that subtype's required fields."""
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(dict.fromkeys(ADMIN_RIGHTS, False), is_anonymous=False)
            member["can_manage_chat"] = True
        elif status == "restricted":
            member.update(dict.fromkeys(RESTRICTIONS, False), is_member=True, until_date=0)
        elif status == "kicked":
            member["until_date"] = 0
        elif status not in ("member", "left"):
            raise ValueError(f"no ChatMember status {status!r}")
        return member


ADMIN_RIGHTS = (
    "can_be_edited", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
    "can_post_stories", "can_edit_stories", "can_delete_stories",
)  # fmt: skip
RESTRICTIONS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
    "can_edit_tag", "can_change_info", "can_invite_users", "can_pin_messages",
    "can_manage_topics",
)  # fmt: skip
