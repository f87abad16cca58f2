"""Simulated Telegram users: they create updates and observe the bot's replies."""

from __future__ import annotations

from typing import Any

from ._errors import StandInAssertionError
from ._models import (
    CallbackAnswer,
    CallbackQueryRecord,
    InlineButton,
    PressedButton,
    SentMessage,
    StoredFile,
)
from ._objects import bot_message_json
from ._state import ChatRecord, StandInState
from ._text import command_entities
from ._wait import wait_async, wait_blocking

JsonDict = dict[str, Any]


class SimUser:
    """A person chatting privately with the bot (chat id == user id).

    Every action queues an update for the bot and sets this user's *mark*; the
    ``wait_for_*`` methods wait for what the bot does after the mark. Actions are plain
    synchronous calls, safe from any thread or event loop.
    """

    def __init__(self, state: StandInState, user: JsonDict) -> None:
        self._state = state
        self.user = user
        self._chat: ChatRecord = state.ensure_chat(user)
        self._mark = 0
        self._mark_time = state.now()
        self._last_query_id: str | None = None

    @property
    def id(self) -> int:
        """The Telegram user id (also the private chat id)."""
        return int(self.user["id"])

    @property
    def chat_id(self) -> int:
        """The private chat id (same as :attr:`id`)."""
        return self.id

    @property
    def first_name(self) -> str:
        """The user's first name."""
        return str(self.user["first_name"])

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    # ----------------------------------------------------------------- marking

    def mark(self) -> None:
        """Make the ``wait_for_*`` methods count only what the bot does from now on."""
        with self._state.cond:
            self._mark = len(self._chat.events)
            self._mark_time = self._state.now()

    def _send(self, fields: JsonDict, kind: str = "message") -> JsonDict:
        """Create a user message with ``fields`` and queue it as an update."""
        with self._state.cond:
            self.mark()
            message = self._state.add_user_message(self._chat, fields)
            self._state.push_update(kind, message)
            return dict(message)

    # ----------------------------------------------------------------- actions

    def send_text(self, text: str) -> JsonDict:
        """Send a text message; ``/commands`` get ``bot_command`` entities like Telegram."""
        fields: JsonDict = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return self._send(fields)

    def send_command(self, command: str, arg: str | None = None) -> JsonDict:
        """Send ``/command`` or ``/command arg``."""
        text = "/" + command.removeprefix("/")
        return self.send_text(f"{text} {arg}" if arg is not None else text)

    def start(self, payload: str | None = None) -> JsonDict:
        """Open the bot (``/start``), optionally through a deep link's ``payload``."""
        return self.send_command("start", payload)

    def send_sticker(self, emoji: str = "👍") -> JsonDict:
        """Send a sticker."""
        stored = self._store_file(b"RIFF-sticker", "sticker.webp", "image/webp", "stickers")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        return self._send({"sticker": sticker})

    def send_photo(self, caption: str | None = None) -> JsonDict:
        """Send a photo (two sizes, like Telegram), with an optional caption."""
        sizes = []
        for width, height in ((90, 67), (800, 600)):
            stored = self._store_file(b"\xff\xd8photo", "photo.jpg", "image/jpeg", "photos")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(stored.content),
                }
            )
        fields: JsonDict = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        return self._send(fields)

    def send_voice(self, duration: int = 3) -> JsonDict:
        """Send a voice note."""
        stored = self._store_file(b"OggS-voice", "voice.ogg", "audio/ogg", "voice")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.content),
        }
        return self._send({"voice": voice})

    def send_location(self, latitude: float = 52.2297, longitude: float = 21.0122) -> JsonDict:
        """Send a location (Warsaw by default)."""
        return self._send({"location": {"latitude": latitude, "longitude": longitude}})

    def send_document(
        self, file_name: str, content: bytes, mime_type: str = "application/octet-stream"
    ) -> JsonDict:
        """Send a file; the bot can download it through ``getFile``."""
        stored = self._store_file(content, file_name, mime_type, "documents")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        return self._send({"document": document})

    def edit_last(self, text: str) -> JsonDict:
        """Edit the user's latest text message (an ``edited_message`` update)."""
        with self._state.cond:
            texts = [m for m in self._chat.user_messages.values() if "text" in m]
            if not texts:
                raise StandInAssertionError(f"{self!r} has no text message to edit")
            edited = {**texts[-1], "text": text, "edit_date": self._state.unix_time()}
            edited.pop("entities", None)
            if entities := command_entities(text):
                edited["entities"] = entities
            self._chat.user_messages[edited["message_id"]] = edited
            self.mark()
            self._state.push_update("edited_message", edited)
            return dict(edited)

    def press(self, button: str, message: SentMessage | int | None = None) -> PressedButton:
        """Press an inline button by its label or ``callback_data``.

        Without ``message`` the newest bot message showing such a button is used. Pass a
        message id to press a button still shown on an older message (stale buttons),
        or an earlier ``SentMessage`` snapshot to press a button the user still saw
        although the bot has since edited it away (a race).
        """
        with self._state.cond:
            current, source = self._target_message(button, message)
            found = source.find_button(button)
            if found is None or found.callback_data is None:
                raise StandInAssertionError(self._no_button(button, source, found))
            self.mark()
            return self._create_callback_query(current, found)

    def block_bot(self) -> None:
        """Block the bot: sends to this chat get 403 from now on."""
        with self._state.cond:
            self._chat.blocked = True

    def unblock_bot(self) -> None:
        """Unblock the bot."""
        with self._state.cond:
            self._chat.blocked = False

    # ------------------------------------------------------------- observation

    def messages(self, *, include_deleted: bool = False) -> list[SentMessage]:
        """All bot messages in this chat, oldest first, in their current state."""
        with self._state.cond:
            ordered = sorted(self._chat.bot_messages.values(), key=lambda m: m.message_id)
            return [m for m in ordered if include_deleted or not m.deleted]

    def last_message(self) -> SentMessage:
        """The bot's latest (not deleted) message in this chat."""
        messages = self.messages()
        if not messages:
            raise StandInAssertionError(f"the bot has sent no message to {self!r}")
        return messages[-1]

    def chat_actions(self) -> list[str]:
        """Chat actions (``typing``…) the bot sent to this chat, in order."""
        with self._state.cond:
            return list(self._chat.actions)

    async def wait_for_reply(
        self, count: int = 1, timeout: float = 5.0, *, edits: bool = False
    ) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` new messages since the mark.

        With ``edits=True`` edits of existing messages count too. The mark then moves
        past the messages returned, so consecutive waits see consecutive messages.
        Returns the messages in their current state; raises ``StandInTimeoutError``
        describing what the bot did (and which calls failed) if they do not arrive.
        """
        return await wait_async(
            self._state,
            lambda: self._take(count, edits),
            timeout,
            lambda: self._describe_wait(count, timeout),
        )

    def wait_for_reply_sync(
        self, count: int = 1, timeout: float = 5.0, *, edits: bool = False
    ) -> list[SentMessage]:
        """Blocking :meth:`wait_for_reply`, for a bot running in another thread."""
        return wait_blocking(
            self._state,
            lambda: self._take(count, edits),
            timeout,
            lambda: self._describe_wait(count, timeout),
        )

    async def wait_for_callback_answer(
        self, pressed: PressedButton | None = None, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Wait until the bot answers the callback query of ``pressed`` (default: last)."""
        query_id = self._query_id(pressed)
        return await wait_async(
            self._state,
            lambda: self._state.callback_queries[query_id].answer,
            timeout,
            lambda: f"callback query {query_id} of {self!r} was not answered in {timeout}s",
        )

    def wait_for_callback_answer_sync(
        self, pressed: PressedButton | None = None, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Blocking :meth:`wait_for_callback_answer`."""
        query_id = self._query_id(pressed)
        return wait_blocking(
            self._state,
            lambda: self._state.callback_queries[query_id].answer,
            timeout,
            lambda: f"callback query {query_id} of {self!r} was not answered in {timeout}s",
        )

    # ------------------------------------------------------------------ helpers

    def _store_file(self, content: bytes, name: str, mime: str, folder: str) -> StoredFile:
        with self._state.cond:
            return self._state.store_file(content, name, mime, folder)

    def _target_message(
        self, button: str, message: SentMessage | int | None
    ) -> tuple[SentMessage, SentMessage]:
        """The message to press on now, and the state whose buttons the user sees."""
        if isinstance(message, SentMessage):
            return self._live_message(message.message_id), message
        if isinstance(message, int):
            live = self._live_message(message)
            return live, live
        for candidate in reversed(self.messages()):
            if candidate.find_button(button) is not None:
                return candidate, candidate
        raise StandInAssertionError(
            f"no bot message in the chat of {self!r} shows a button {button!r}; "
            f"buttons shown: {[m.button_texts for m in self.messages() if m.buttons]}"
        )

    def _live_message(self, message_id: int) -> SentMessage:
        message = self._chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            raise StandInAssertionError(f"bot message {message_id} is not in the chat any more")
        return message

    @staticmethod
    def _no_button(button: str, source: SentMessage, found: InlineButton | None) -> str:
        if found is not None:
            return f"button {button!r} is not a callback button ({found.raw})"
        return f"message {source.message_id} has no button {button!r}: {source.button_texts}"

    def _create_callback_query(self, message: SentMessage, button: InlineButton) -> PressedButton:
        """Record a callback query for ``button`` on ``message`` and queue its update."""
        state = self._state
        query_id = str(4_000_000_000_000_000 + state.new_id())
        data = button.callback_data or ""
        state.callback_queries[query_id] = CallbackQueryRecord(
            query_id, self.id, self.chat_id, message.message_id, data, state.now()
        )
        payload = {
            "id": query_id,
            "from": self.user,
            "message": bot_message_json(state.bot_user, self._chat, message),
            "chat_instance": str(-7_000_000_000_000 - self.chat_id),
            "data": data,
        }
        update = state.push_update("callback_query", payload)
        self._last_query_id = query_id
        return PressedButton(query_id, update["update_id"], message.message_id, button)

    def _query_id(self, pressed: PressedButton | None) -> str:
        query_id = pressed.query_id if pressed is not None else self._last_query_id
        if query_id is None:
            raise StandInAssertionError(f"{self!r} has not pressed any button")
        return query_id

    def _take(self, count: int, edits: bool) -> list[SentMessage] | None:
        """The first ``count`` qualifying events after the mark (and advance it), or None."""
        events = self._chat.events[self._mark :]
        picked: list[int] = []
        for index, event in enumerate(events):
            if event.kind == "sent" or (edits and event.kind == "edited"):
                picked.append(event.message_id)
                if len(picked) == count:
                    self._mark += index + 1
                    return [self._chat.bot_messages[message_id] for message_id in picked]
        return None

    def _describe_wait(self, count: int, timeout: float) -> str:
        """Explain a timed-out wait: what the bot did and which of its calls failed."""
        events = self._chat.events[self._mark :]
        done = [f"{e.kind} #{e.message_id}" for e in events] or ["nothing"]
        failed = [
            f"{r.method} -> {r.status} {(r.response or {}).get('description')}"
            for r in self._state.requests
            if r.started_at >= self._mark_time
            and r.status not in (None, 200)
            and str(r.params.get("chat_id")) == str(self.chat_id)
        ]
        lines = [
            f"expected {count} new bot message(s) for {self!r} within {timeout}s;",
            f"since the mark the bot did: {', '.join(done)}",
        ]
        if failed:
            lines.append(f"failed bot calls for this chat: {'; '.join(failed)}")
        if self._state.server_errors:
            lines.append(f"stand-in errors: {self._state.server_errors[-1]}")
        return "\n".join(lines)
