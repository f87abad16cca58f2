"""Bot API methods that send, edit or delete messages in a private chat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ._errors import NOT_MODIFIED, ApiError, bad_request
from ._markup import prepare_caption, prepare_text, validate_reply_markup
from ._models import SentMessage, StoredFile
from ._objects import bot_message_json, is_inline_markup
from ._params import Params, UploadedFile
from ._state import ChatRecord, StandInState

JsonDict = dict[str, Any]
Method = Callable[[StandInState, Params], Any]

CHAT_ACTIONS = frozenset(
    {
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
)


def _chat_id(params: Params) -> int:
    """The ``chat_id`` parameter (only numeric private-chat ids are supported)."""
    raw = params.get_str("chat_id")
    if not raw:
        raise bad_request("chat_id is empty")
    try:
        return int(raw)
    except ValueError:
        raise bad_request("chat not found") from None


def _message_id(params: Params) -> int:
    """The ``message_id`` parameter; inline messages are not simulated."""
    if params.get_str("inline_message_id"):
        raise bad_request("inline messages are not supported by the stand-in")
    message_id = params.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    return message_id


def _reply_to(params: Params, chat: ChatRecord) -> int | None:
    """The message being replied to (``reply_parameters`` or the legacy parameter)."""
    reply = params.get_json("reply_parameters") or {}
    message_id = reply.get("message_id") or params.get_int("reply_to_message_id")
    if message_id is None:
        return None
    known = message_id in chat.user_messages or message_id in chat.bot_messages
    allow = reply.get("allow_sending_without_reply") or params.get_bool(
        "allow_sending_without_reply"
    )
    if not known and not allow:
        raise bad_request("message to be replied not found")
    return int(message_id) if known else None


def _deliver(state: StandInState, chat_id: int, build: Callable[[ChatRecord], SentMessage]) -> Any:
    """Check the chat and flood control, then store the message ``build`` makes."""
    with state.cond:
        chat = state.writable_chat(chat_id)
        state.limiter.check(chat_id, state.now())
        message = build(chat)
        state.add_bot_message(chat, message)
        return bot_message_json(state.bot_user, chat, message)


def send_message(state: StandInState, params: Params) -> Any:
    """``sendMessage``: text with optional parse mode, entities and reply markup."""
    chat_id = _chat_id(params)
    raw_text = params.get_str("text")
    parse_mode = params.get_str("parse_mode")
    text, entities = prepare_text(raw_text, parse_mode, params.get_json("entities"))
    markup = validate_reply_markup(params.get_json("reply_markup"))

    def build(chat: ChatRecord) -> SentMessage:
        return SentMessage(
            chat_id=chat_id,
            message_id=chat.take_message_id(),
            date=state.unix_time(),
            method="sendMessage",
            text=text,
            raw_text=raw_text,
            parse_mode=parse_mode,
            entities=tuple(entities),
            reply_markup=markup,
            reply_to_message_id=_reply_to(params, chat),
        )

    return _deliver(state, chat_id, build)


def _document(state: StandInState, params: Params) -> StoredFile:
    """The ``document`` parameter: an upload, a known ``file_id`` or an HTTP URL."""
    document = params.get_file("document")
    if isinstance(document, UploadedFile):
        if not document.content:
            raise bad_request("file must be non-empty")
        return state.store_file(
            document.content, document.filename, document.content_type, "documents"
        )
    if not document:
        raise bad_request("there is no document in the request")
    if document in state.files:
        return state.files[document]
    if document.startswith(("http://", "https://")):
        name = document.rsplit("/", 1)[-1] or None
        return state.store_file(b"", name, None, "documents")
    raise bad_request("wrong file identifier/HTTP URL specified")


def send_document(state: StandInState, params: Params) -> Any:
    """``sendDocument``: a multipart upload, ``file_id`` or URL, with optional caption."""
    chat_id = _chat_id(params)
    parse_mode = params.get_str("parse_mode")
    caption, entities = prepare_caption(
        params.get_str("caption"), parse_mode, params.get_json("caption_entities")
    )
    markup = validate_reply_markup(params.get_json("reply_markup"))
    with state.cond:
        stored = _document(state, params)

    def build(chat: ChatRecord) -> SentMessage:
        return SentMessage(
            chat_id=chat_id,
            message_id=chat.take_message_id(),
            date=state.unix_time(),
            method="sendDocument",
            caption=caption,
            parse_mode=parse_mode,
            entities=tuple(entities),
            document=stored,
            reply_markup=markup,
            reply_to_message_id=_reply_to(params, chat),
        )

    return _deliver(state, chat_id, build)


def _editable(state: StandInState, params: Params) -> tuple[ChatRecord, SentMessage]:
    """The chat and current state of the bot message an edit refers to."""
    chat = state.writable_chat(_chat_id(params))
    message_id = _message_id(params)
    message = chat.bot_messages.get(message_id)
    if message is None or message.deleted:
        if message_id in chat.user_messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return chat, message


def _inline_or_none(markup: JsonDict | None) -> JsonDict | None:
    """Edits accept only inline keyboards; no markup means the keyboard is removed."""
    if markup is not None and not is_inline_markup(markup):
        raise bad_request("inline keyboard expected")
    return markup


def _current_inline(message: SentMessage) -> JsonDict | None:
    return message.reply_markup if is_inline_markup(message.reply_markup) else None


def _store_edit(state: StandInState, chat: ChatRecord, edited: SentMessage) -> Any:
    """Save an edited message and return it as Telegram does."""
    edited = replace(edited, edit_date=state.unix_time(), edit_count=edited.edit_count + 1)
    state.replace_bot_message(chat, edited, "edited")
    return bot_message_json(state.bot_user, chat, edited)


def edit_message_text(state: StandInState, params: Params) -> Any:
    """``editMessageText``: new text (and keyboard; omitted keyboard is removed)."""
    raw_text = params.get_str("text")
    parse_mode = params.get_str("parse_mode")
    text, entities = prepare_text(raw_text, parse_mode, params.get_json("entities"))
    markup = _inline_or_none(validate_reply_markup(params.get_json("reply_markup")))
    with state.cond:
        chat, message = _editable(state, params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        unchanged = (message.text, list(message.entities), _current_inline(message)) == (
            text,
            entities,
            markup,
        )
        if unchanged:
            raise ApiError(400, NOT_MODIFIED)
        edited = replace(
            message,
            text=text,
            raw_text=raw_text,
            parse_mode=parse_mode,
            entities=tuple(entities),
            reply_markup=markup,
        )
        return _store_edit(state, chat, edited)


def edit_message_reply_markup(state: StandInState, params: Params) -> Any:
    """``editMessageReplyMarkup``: replace or remove the inline keyboard."""
    markup = _inline_or_none(validate_reply_markup(params.get_json("reply_markup")))
    with state.cond:
        chat, message = _editable(state, params)
        if _current_inline(message) == markup:
            raise ApiError(400, NOT_MODIFIED)
        return _store_edit(state, chat, replace(message, reply_markup=markup))


def delete_message(state: StandInState, params: Params) -> bool:
    """``deleteMessage``: delete a bot message or one of the user's messages."""
    with state.cond:
        chat = state.writable_chat(_chat_id(params))
        message_id = _message_id(params)
        message = chat.bot_messages.get(message_id)
        if message is not None and not message.deleted:
            state.replace_bot_message(chat, replace(message, deleted=True), "deleted")
            return True
        if chat.user_messages.pop(message_id, None) is not None:
            return True
        raise bad_request("message to delete not found")


def send_chat_action(state: StandInState, params: Params) -> bool:
    """``sendChatAction``: record the action (not a message, so not rate limited)."""
    action = params.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    with state.cond:
        chat = state.writable_chat(_chat_id(params))
        chat.actions.append(action)
        state.cond.notify_all()
        return True


METHODS: dict[str, Method] = {
    "sendmessage": send_message,
    "senddocument": send_document,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "sendchataction": send_chat_action,
}
