"""Builders for Telegram's JSON objects (User, Message, Document, ChatFullInfo)."""

from __future__ import annotations

from typing import Any

from ._models import SentMessage, StoredFile
from ._state import ChatRecord

JsonDict = dict[str, Any]


def user_json(
    user_id: int,
    first_name: str,
    *,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
) -> JsonDict:
    """Telegram's ``User`` object for a human user."""
    user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    optional = {"last_name": last_name, "username": username, "language_code": language_code}
    user.update({key: value for key, value in optional.items() if value is not None})
    return user


def bot_user_json(bot_id: int, first_name: str, username: str) -> JsonDict:
    """The ``User`` object ``getMe`` returns for the bot."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def document_json(stored: StoredFile) -> JsonDict:
    """Telegram's ``Document`` object."""
    document: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def file_json(stored: StoredFile) -> JsonDict:
    """Telegram's ``File`` object (what ``getFile`` returns)."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        "file_path": stored.file_path,
    }


def is_inline_markup(markup: JsonDict | None) -> bool:
    """Whether ``markup`` is an ``InlineKeyboardMarkup`` (the only kind a message carries)."""
    return bool(markup) and "inline_keyboard" in (markup or {})


def _content_json(message: SentMessage) -> JsonDict:
    """The text or document part of a bot message."""
    entities = [dict(e) for e in message.entities]
    if message.document is not None:
        content: JsonDict = {"document": document_json(message.document)}
        if message.caption:
            content["caption"] = message.caption
            if entities:
                content["caption_entities"] = entities
        return content
    content = {"text": message.text or ""}
    if entities:
        content["entities"] = entities
    return content


def bot_message_json(bot_user: JsonDict, chat: ChatRecord, message: SentMessage) -> JsonDict:
    """Telegram's ``Message`` object for a message the bot sent, in its current state."""
    result: JsonDict = {
        "message_id": message.message_id,
        "from": bot_user,
        "chat": chat.chat_json(),
        "date": message.date,
        **_content_json(message),
    }
    if message.edit_date is not None:
        result["edit_date"] = message.edit_date
    if is_inline_markup(message.reply_markup):
        result["reply_markup"] = message.reply_markup
    replied = chat.user_messages.get(message.reply_to_message_id or 0)
    if replied is not None:
        result["reply_to_message"] = replied
    return result


def chat_full_info_json(chat: ChatRecord) -> JsonDict:
    """Telegram's ``ChatFullInfo`` for a private chat (what ``getChat`` returns)."""
    return {
        **chat.chat_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }
