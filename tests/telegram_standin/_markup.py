"""Validation of reply markup, text and captions against Telegram's limits."""

from __future__ import annotations

from typing import Any

from ._errors import BUTTON_DATA_INVALID, MESSAGE_EMPTY, MESSAGE_TOO_LONG, ApiError, bad_request
from ._text import apply_parse_mode

JsonDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)
_OTHER_MARKUPS = ("keyboard", "remove_keyboard", "force_reply")
_PARSE_ERROR = "can't parse reply keyboard markup JSON object"


def _button_error(detail: str) -> ApiError:
    """Build Telegram's error for a malformed inline button."""
    return bad_request(f"can't parse inline keyboard button: {detail}")


def validate_inline_button(button: Any) -> None:
    """Check one ``InlineKeyboardButton`` the way Telegram does."""
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise _button_error('Field "text" must be of type String')
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise ApiError(400, BUTTON_DATA_INVALID)
    if "url" in button:
        url = str(button["url"])
        if not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")


def _validate_rows(rows: Any, field: str) -> list[list[Any]]:
    """Check that ``rows`` is an array of arrays."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the reply markup must be an Array of Arrays')
    return rows


def validate_reply_markup(markup: Any) -> JsonDict | None:
    """Return the markup if Telegram would accept it, else raise a 400 ``ApiError``."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request(_PARSE_ERROR)
    if "inline_keyboard" in markup:
        for row in _validate_rows(markup["inline_keyboard"], "inline_keyboard"):
            for button in row:
                validate_inline_button(button)
        return markup
    if "keyboard" in markup:
        _validate_rows(markup["keyboard"], "keyboard")
        return markup
    if any(key in markup for key in _OTHER_MARKUPS):
        return markup
    raise bad_request(_PARSE_ERROR)


def prepare_text(
    text: str | None, parse_mode: str | None, entities: Any
) -> tuple[str, list[JsonDict]]:
    """Return the visible text and entities of a message, enforcing Telegram's limits.

    Length is counted in characters after entity parsing (1–4096); whitespace-only text
    counts as empty, as Telegram trims it.
    """
    if not text:
        raise ApiError(400, MESSAGE_EMPTY)
    plain, parsed = apply_parse_mode(text, parse_mode, _entity_list(entities))
    if not plain.strip():
        raise ApiError(400, MESSAGE_EMPTY)
    if len(plain) > MAX_TEXT:
        raise ApiError(400, MESSAGE_TOO_LONG)
    return plain, parsed


def prepare_caption(
    caption: str | None, parse_mode: str | None, entities: Any
) -> tuple[str | None, list[JsonDict]]:
    """Return the visible caption and its entities (0–1024 characters)."""
    if not caption:
        return None, []
    plain, parsed = apply_parse_mode(caption, parse_mode, _entity_list(entities))
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain, parsed


def _entity_list(entities: Any) -> list[JsonDict] | None:
    """Check an explicit ``entities`` parameter."""
    if entities is None:
        return None
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object")
    return entities
