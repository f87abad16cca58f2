"""Immutable records the stand-in hands to tests: messages, buttons, requests, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class InlineButton:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: JsonDict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, button: JsonDict) -> InlineButton:
        """Build from Telegram's ``InlineKeyboardButton`` JSON."""
        return cls(button.get("text", ""), button.get("callback_data"), button.get("url"), button)


@dataclass(frozen=True)
class StoredFile:
    """A file known to the stand-in (uploaded by the bot or sent by a simulated user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class SentMessage:
    """A message the bot sent, in its current state (text and markup after edits).

    ``text`` is what the user sees (HTML/Markdown already parsed); ``raw_text`` is what
    the bot sent. ``reply_markup`` is the parsed JSON of any markup the bot sent.
    """

    chat_id: int
    message_id: int
    date: int
    method: str
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: tuple[JsonDict, ...] = ()
    caption: str | None = None
    document: StoredFile | None = None
    reply_markup: JsonDict | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False

    @property
    def buttons(self) -> list[list[InlineButton]]:
        """Rows of inline keyboard buttons (empty without an inline keyboard)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[InlineButton.from_json(b) for b in row] for row in rows]

    @property
    def button_texts(self) -> list[str]:
        """All inline button labels, row by row."""
        return [button.text for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        """All inline buttons' ``callback_data``, row by row."""
        return [b.callback_data for row in self.buttons for b in row if b.callback_data]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Labels of a ``ReplyKeyboardMarkup`` (empty for other markups)."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    def find_button(self, text_or_data: str) -> InlineButton | None:
        """Return the inline button labelled ``text_or_data`` or carrying it as data."""
        for row in self.buttons:
            for button in row:
                if text_or_data in (button.text, button.callback_data):
                    return button
        return None


@dataclass(frozen=True)
class ChatEvent:
    """Something the bot did in a chat, in order: a message sent, edited or deleted."""

    kind: Literal["sent", "edited", "deleted"]
    message_id: int
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's ``answerCallbackQuery`` for one query."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    answered_at: float


@dataclass(frozen=True)
class CallbackQueryRecord:
    """A callback query a simulated user created, and the bot's answer if any."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answer: CallbackAnswer | None = None

    @property
    def answered(self) -> bool:
        """Whether the bot answered this query."""
        return self.answer is not None


@dataclass(frozen=True)
class PressedButton:
    """What ``SimUser.press`` returns: enough to find the query and its answer."""

    query_id: str
    update_id: int
    message_id: int
    button: InlineButton


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP call the bot made, with its parsed parameters and the response."""

    method: str
    params: JsonDict
    content_type: str
    started_at: float
    status: int | None = None
    response: JsonDict | None = None
    finished_at: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.status == 200
