"""The stand-in's mutable state, guarded by one condition variable.

Every read and write happens under ``StandInState.cond`` (a re-entrant lock), so the
HTTP handler threads, PTB's polling and the test's simulated users can all touch it.
``cond.notify_all()`` is called whenever something a waiter might care about changes:
an update queued, a bot message stored, a callback answered, the stand-in stopping.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ._errors import (
    BLOCKED,
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    GET_UPDATES_CONFLICT,
    WEBHOOK_CONFLICT,
    ApiError,
)
from ._limits import FaultInjector, RateLimiter
from ._models import (
    CallbackQueryRecord,
    ChatEvent,
    RecordedRequest,
    SentMessage,
    StoredFile,
)

JsonDict = dict[str, Any]

UPDATE_KINDS = ("message", "edited_message", "callback_query")


@dataclass
class ChatRecord:
    """A private chat between the bot and one simulated user."""

    chat_id: int
    user: JsonDict
    started: bool = False
    blocked: bool = False
    next_message_id: int = 1
    bot_messages: dict[int, SentMessage] = field(default_factory=dict)
    user_messages: dict[int, JsonDict] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    def chat_json(self) -> JsonDict:
        """Telegram's ``Chat`` object for this private chat."""
        chat = {"id": self.chat_id, "type": "private", "first_name": self.user["first_name"]}
        for key in ("last_name", "username"):
            if key in self.user:
                chat[key] = self.user[key]
        return chat

    def take_message_id(self) -> int:
        """Allocate the next message id (shared by both sides, like Telegram)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


class StandInState:
    """All state of one stand-in: chats, updates, logs, limits, faults."""

    def __init__(self, token: str, bot_user: JsonDict, first_update_id: int) -> None:
        self.cond = threading.Condition(threading.RLock())
        self.token = token
        self.bot_user = bot_user
        self.chats: dict[int, ChatRecord] = {}
        self.pending: list[JsonDict] = []
        self.dropped_updates: list[JsonDict] = []
        self.deliveries: dict[int, int] = {}
        self.allowed_updates: list[str] | None = None
        self.webhook: JsonDict = {"url": ""}
        self.bot_settings: dict[str, Any] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_query_ttl = 15.0
        self.files: dict[str, StoredFile] = {}
        self.requests: list[RecordedRequest] = []
        self.server_errors: list[str] = []
        self.limiter = RateLimiter()
        self.faults = FaultInjector()
        self.poll_generation = 0
        self.stopping = False
        self._update_ids = itertools.count(first_update_id)
        self._ids = itertools.count(1)
        self._event_seq = itertools.count(1)

    # ------------------------------------------------------------------ clocks, ids

    @staticmethod
    def now() -> float:
        """Monotonic seconds, for timeouts and rate limits."""
        return time.monotonic()

    @staticmethod
    def unix_time() -> int:
        """Wall-clock Unix time, for message dates."""
        return int(time.time())

    def new_id(self) -> int:
        """A fresh number for file and callback query ids."""
        return next(self._ids)

    # --------------------------------------------------------------------- chats

    def ensure_chat(self, user: JsonDict) -> ChatRecord:
        """Return the private chat with ``user``, creating it (not yet started)."""
        with self.cond:
            chat = self.chats.get(user["id"])
            if chat is None:
                chat = self.chats[user["id"]] = ChatRecord(user["id"], user)
            return chat

    def known_chat(self, chat_id: int | None) -> ChatRecord:
        """The chat ``chat_id`` if the bot knows it (the user wrote first), else a 400."""
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None or not chat.started:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat

    def writable_chat(self, chat_id: int | None) -> ChatRecord:
        """The chat the bot may write to, or Telegram's 400/403 for why not."""
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        if chat.blocked:
            raise ApiError(403, BLOCKED)
        if not chat.started:
            raise ApiError(403, CANT_INITIATE)
        return chat

    def add_bot_message(self, chat: ChatRecord, message: SentMessage) -> None:
        """Store a new bot message and record the event."""
        chat.bot_messages[message.message_id] = message
        chat.events.append(ChatEvent("sent", message.message_id, next(self._event_seq)))
        self.cond.notify_all()

    def replace_bot_message(
        self, chat: ChatRecord, message: SentMessage, kind: Literal["edited", "deleted"]
    ) -> None:
        """Store a changed bot message (edit or delete) and record the event."""
        chat.bot_messages[message.message_id] = message
        chat.events.append(ChatEvent(kind, message.message_id, next(self._event_seq)))
        self.cond.notify_all()

    def add_user_message(self, chat: ChatRecord, fields: JsonDict) -> JsonDict:
        """Create a message from the user in ``chat`` (not yet queued as an update)."""
        message = {
            "message_id": chat.take_message_id(),
            "from": chat.user,
            "chat": chat.chat_json(),
            "date": self.unix_time(),
            **fields,
        }
        chat.user_messages[message["message_id"]] = message
        chat.started = True
        return message

    # ------------------------------------------------------------------- updates

    def push_update(self, kind: str, payload: JsonDict) -> JsonDict:
        """Queue an update of ``kind`` (e.g. ``"message"``) and wake long polls."""
        with self.cond:
            update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
            if self.allowed_updates and kind not in self.allowed_updates:
                self.dropped_updates.append(update)
            else:
                self.pending.append(update)
            self.cond.notify_all()
            return update

    def confirm(self, offset: int | None) -> None:
        """Forget updates confirmed by ``offset`` (negative: keep only the last ones)."""
        if offset is None or offset == 0:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def poll(self, offset: int | None, limit: int, timeout: float) -> list[JsonDict]:
        """``getUpdates``: confirm, then long-poll up to ``timeout`` for updates.

        A newer ``getUpdates`` call ends an older one still waiting with 409, like
        Telegram; this also releases polls abandoned by a client that went away.
        """
        with self.cond:
            if self.webhook.get("url"):
                raise ApiError(409, WEBHOOK_CONFLICT)
            self.confirm(offset)
            self.poll_generation += 1
            generation = self.poll_generation
            self.cond.notify_all()
            deadline = self.now() + timeout
            while not self.pending and not self.stopping:
                remaining = deadline - self.now()
                if remaining <= 0:
                    break
                self.cond.wait(remaining)
                if self.poll_generation != generation:
                    raise ApiError(409, GET_UPDATES_CONFLICT)
            batch = self.pending[:limit]
            for update in batch:
                self.deliveries[update["update_id"]] = (
                    self.deliveries.get(update["update_id"], 0) + 1
                )
            return copy.deepcopy(batch)

    # --------------------------------------------------------------------- files

    def store_file(
        self, content: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        """Keep a file so ``getFile`` and downloads find it."""
        number = self.new_id()
        suffix = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{number:08d}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"{folder}/file_{number}.{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    # ------------------------------------------------------------------ requests

    def record_request(self, request: RecordedRequest) -> int:
        """Append a request to the log; return its index."""
        with self.cond:
            self.requests.append(request)
            return len(self.requests) - 1

    def finish_request(self, index: int, status: int, response: JsonDict) -> None:
        """Store the outcome of a logged request."""
        with self.cond:
            self.requests[index] = replace(
                self.requests[index], status=status, response=response, finished_at=self.now()
            )
            self.cond.notify_all()
