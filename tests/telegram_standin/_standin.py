"""``BotApiStandIn``: a local Telegram Bot API server for driving a real PTB bot in tests."""

from __future__ import annotations

import copy
import json
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from ._errors import UNAUTHORIZED, ApiError, too_many_requests
from ._limits import Fault, RateLimitConfig
from ._methods_bot import METHODS as BOT_METHODS
from ._methods_messages import METHODS as MESSAGE_METHODS
from ._models import CallbackQueryRecord, RecordedRequest, SentMessage
from ._objects import bot_user_json, user_json
from ._params import Params, parse_params
from ._server import HttpRequest, HttpResponse, HttpServer
from ._state import StandInState
from ._users import SimUser
from ._wait import wait_async, wait_blocking

JsonDict = dict[str, Any]

DEFAULT_TOKEN = "7000000001:AAkartomat-standin-test-token"
DEFAULT_BOT_USERNAME = "kartomat_test_bot"
METHODS = {**BOT_METHODS, **MESSAGE_METHODS}
_5XX_PHRASES = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _json_response(status: int, body: JsonDict) -> HttpResponse:
    return HttpResponse(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))


class BotApiStandIn:
    """A Telegram Bot API stand-in on ``127.0.0.1:<free port>``.

    Point PTB at it with ``.base_url(standin.base_url)`` and
    ``.base_file_url(standin.base_file_url)``; drive the bot through :meth:`user`.
    Thread-safe: PTB polls from its loop while tests act from theirs.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = "Kartomat (test)",
        callback_query_ttl: float = 15.0,
        first_update_id: int = 100_000,
    ) -> None:
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 7000000001
        self.token = token
        self._state = StandInState(
            token, bot_user_json(bot_id, bot_first_name, bot_username), first_update_id
        )
        self._state.callback_query_ttl = callback_query_ttl
        self._server = HttpServer(self._handle, self._server_error)
        self._users: dict[int, SimUser] = {}
        self._running = False

    # --------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        if not self._running:
            self._state.stopping = False
            self._server.start()
            self._running = True
        return self

    def stop(self) -> None:
        """Wake pending long polls, close all connections and join every thread."""
        if not self._running:
            return
        self._server.stop(before_close=self._wake_all)
        self._running = False

    def _wake_all(self) -> None:
        with self._state.cond:
            self._state.stopping = True
            self._state.cond.notify_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port (only while running)."""
        return self._server.port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``: ``http://127.0.0.1:PORT/bot``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_username(self) -> str:
        """The bot's username as ``getMe`` reports it."""
        return str(self._state.bot_user["username"])

    @property
    def bot_id(self) -> int:
        """The bot's user id (the numeric part of the token)."""
        return int(self._state.bot_user["id"])

    # --------------------------------------------------------- simulated users

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "pl",
    ) -> SimUser:
        """The simulated user ``user_id`` (created on first call, then the same object)."""
        with self._state.cond:
            if user_id not in self._users:
                info = user_json(
                    user_id,
                    first_name,
                    last_name=last_name,
                    username=username,
                    language_code=language_code,
                )
                self._users[user_id] = SimUser(self._state, info)
            return self._users[user_id]

    def push_update(self, kind: str, payload: JsonDict) -> JsonDict:
        """Queue a hand-made update ``{kind: payload}``; returns it with its update_id."""
        return self._state.push_update(kind, payload)

    # ------------------------------------------------------------ observation

    def updates_pending(self) -> int:
        """How many updates the bot has not confirmed yet (via ``getUpdates`` offset)."""
        with self._state.cond:
            return len(self._state.pending)

    def pending_updates(self) -> list[JsonDict]:
        """The unconfirmed updates themselves."""
        with self._state.cond:
            return copy.deepcopy(self._state.pending)

    def delivery_counts(self) -> dict[int, int]:
        """How many times each update id was returned by ``getUpdates``."""
        with self._state.cond:
            return dict(self._state.deliveries)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every Bot API call the bot made, in arrival order (including ``getUpdates``)."""
        with self._state.cond:
            return list(self._state.requests)

    def calls(self, method: str | None = None) -> list[RecordedRequest]:
        """Logged calls of ``method`` (case-insensitive), or all except ``getUpdates``."""
        wanted = method.lower() if method else None
        return [
            r
            for r in self.requests
            if r.method.lower() == wanted or (wanted is None and r.method.lower() != "getupdates")
        ]

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        """Bot messages in ``chat_id``, oldest first, in their current state."""
        with self._state.cond:
            chat = self._state.chats.get(chat_id)
            if chat is None:
                return []
            ordered = sorted(chat.bot_messages.values(), key=lambda m: m.message_id)
            return [m for m in ordered if include_deleted or not m.deleted]

    def all_messages(self) -> list[SentMessage]:
        """Every bot message in every chat, in the order they were sent."""
        with self._state.cond:
            sent = [
                (event.seq, chat.bot_messages[event.message_id])
                for chat in self._state.chats.values()
                for event in chat.events
                if event.kind == "sent"
            ]
        return [message for _seq, message in sorted(sent, key=lambda pair: pair[0])]

    def callback_queries(self) -> list[CallbackQueryRecord]:
        """Every callback query simulated users created, with the bot's answers."""
        with self._state.cond:
            return list(self._state.callback_queries.values())

    def unanswered_callback_queries(self) -> list[CallbackQueryRecord]:
        """Callback queries the bot never answered (Telegram shows a spinner for those)."""
        return [q for q in self.callback_queries() if not q.answered]

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """Commands set with ``setMyCommands`` for exactly this scope and language."""
        scope_key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        with self._state.cond:
            return list(self._state.bot_settings.get(f"commands|{scope_key}|{language_code}", []))

    @property
    def too_many_requests_count(self) -> int:
        """How many 429 responses the stand-in returned (rate limits and injected)."""
        return sum(1 for r in self.requests if r.status == 429)

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of bugs inside the stand-in itself (should stay empty)."""
        with self._state.cond:
            return list(self._state.server_errors)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Await until ``predicate()`` (run under the stand-in's lock) is true."""
        await wait_async(
            self._state,
            lambda: True if predicate() else None,
            timeout,
            lambda: f"{what} not reached within {timeout}s",
        )

    def wait_until_sync(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Blocking :meth:`wait_until`, for a bot running in another thread."""
        wait_blocking(
            self._state,
            lambda: True if predicate() else None,
            timeout,
            lambda: f"{what} not reached within {timeout}s",
        )

    async def wait_until_confirmed(self, timeout: float = 5.0) -> None:
        """Await until the bot has fetched and confirmed every queued update."""
        await self.wait_until(
            lambda: not self._state.pending, timeout, "all updates confirmed by getUpdates"
        )

    # ------------------------------------------------------- limits and faults

    def enable_rate_limits(
        self,
        per_chat_per_second: float = 1.0,
        chat_burst: int = 3,
        global_per_second: float = 30.0,
        global_burst: int = 30,
    ) -> None:
        """Turn flood control on (see ``_limits`` for the token-bucket model)."""
        config = RateLimitConfig(
            True, per_chat_per_second, chat_burst, global_per_second, global_burst
        )
        with self._state.cond:
            self._state.limiter.configure(config)

    def disable_rate_limits(self) -> None:
        """Turn flood control off (the default)."""
        with self._state.cond:
            self._state.limiter.configure(RateLimitConfig())

    def inject_429(
        self,
        times: int | None = None,
        retry_after: int = 1,
        method: str | None = None,
        duration: float | None = None,
    ) -> None:
        """Answer calls (of ``method``, default any but getUpdates) 429 with ``retry_after``.

        ``times`` calls or for ``duration`` seconds (default: the next call only).
        """
        if times is None and duration is None:
            times = 1
        until = self._state.now() + duration if duration is not None else None
        self._add_fault(too_many_requests(retry_after), method, times, until)

    def retry_after_violations(self, slack: float = 0.0) -> list[RecordedRequest]:
        """Calls to a chat made before a 429's ``retry_after`` for that chat had elapsed.

        A 429 answered at ``t`` with ``retry_after`` r blocks its chat until ``t + r``
        (minus ``slack``); any later call to that chat starting earlier counts. A call's
        chat is its ``chat_id``, or for ``answerCallbackQuery`` the chat of the query;
        calls without a chat (``getUpdates``, ``getMe``) are not counted.
        """
        with self._state.cond:
            query_chats = {q: r.chat_id for q, r in self._state.callback_queries.items()}

        def chat_of(request: RecordedRequest) -> str | None:
            chat = request.params.get("chat_id")
            if chat is None and "callback_query_id" in request.params:
                chat = query_chats.get(str(request.params["callback_query_id"]))
            return None if chat is None else str(chat)

        windows: dict[str, list[tuple[float, float]]] = {}
        requests = self.requests
        for request in requests:
            retry_after = ((request.response or {}).get("parameters") or {}).get("retry_after")
            chat = chat_of(request)
            if request.status == 429 and retry_after and request.finished_at and chat:
                window = (request.finished_at, request.finished_at + float(retry_after) - slack)
                windows.setdefault(chat, []).append(window)
        return [
            request
            for request in requests
            if any(
                start <= request.started_at < end
                for start, end in windows.get(chat_of(request) or "", [])
            )
        ]

    def inject_5xx(
        self,
        times: int | None = None,
        duration: float | None = None,
        status: int = 502,
        method: str | None = None,
    ) -> None:
        """Fail calls with ``status`` ``times`` times or for ``duration`` seconds (default 1x)."""
        if times is None and duration is None:
            times = 1
        until = self._state.now() + duration if duration is not None else None
        error = ApiError(status, _5XX_PHRASES.get(status, "Server Error"))
        self._add_fault(error, method, times, until)

    def fail_next(
        self,
        method: str,
        status: int = 400,
        description: str = "Bad Request: injected failure",
        times: int = 1,
        parameters: JsonDict | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with this status and description."""
        self._add_fault(ApiError(status, description, parameters), method, times)

    def clear_faults(self) -> None:
        """Drop injected faults that have not fired yet."""
        with self._state.cond:
            self._state.faults.clear()

    def block_chat(self, chat_id: int) -> None:
        """The user blocks the bot: sends/edits to ``chat_id`` get 403."""
        self.user(chat_id).block_bot()

    def unblock_chat(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        self.user(chat_id).unblock_bot()

    def _add_fault(
        self, error: ApiError, method: str | None, times: int | None, until: float | None = None
    ) -> None:
        with self._state.cond:
            self._state.faults.add(Fault(error, method.lower() if method else None, times, until))

    # ---------------------------------------------------------------- serving

    def _server_error(self, error: str) -> None:
        with self._state.cond:
            self._state.server_errors.append(error)

    def _handle(self, request: HttpRequest) -> HttpResponse:
        """Route an HTTP request: ``/bot<token>/<method>`` or ``/file/bot<token>/<path>``."""
        if request.path.startswith("/file/bot"):
            return self._serve_file(request.path.removeprefix("/file/bot"))
        if request.path.startswith("/bot"):
            token, _, method = request.path.removeprefix("/bot").partition("/")
            return self._api_call(token, method, request)
        return _json_response(404, ApiError(404, "Not Found").body())

    def _serve_file(self, rest: str) -> HttpResponse:
        token, _, path = rest.partition("/")
        with self._state.cond:
            stored = next((f for f in self._state.files.values() if f.file_path == path), None)
        if token != self.token or stored is None:
            return _json_response(404, ApiError(404, "Not Found").body())
        return HttpResponse(200, stored.content, stored.mime_type or "application/octet-stream")

    def _api_call(self, token: str, method: str, request: HttpRequest) -> HttpResponse:
        """Authenticate, parse, log and dispatch one Bot API call."""
        if token != self.token:
            return _json_response(401, ApiError(401, UNAUTHORIZED).body())
        try:
            params = parse_params(request.content_type, request.body, request.query)
        except ApiError as error:
            return _json_response(error.status, error.body())
        index = self._state.record_request(
            RecordedRequest(method, params.loggable(), request.content_type, self._state.now())
        )
        status, body = self._dispatch(method, params)
        self._state.finish_request(index, status, body)
        return _json_response(status, body)

    def _dispatch(self, method: str, params: Params) -> tuple[int, JsonDict]:
        """Apply injected faults, run the method; map errors to Telegram's responses."""
        key = method.lower()
        try:
            with self._state.cond:
                self._state.faults.check(key, self._state.now())
            handler = METHODS.get(key)
            if handler is None:
                raise ApiError(404, "Not Found")
            return 200, {"ok": True, "result": handler(self._state, params)}
        except ApiError as error:
            return error.status, error.body()
        except Exception:
            self._server_error(traceback.format_exc())
            return 500, ApiError(500, f"Internal Server Error: stand-in bug in {method}").body()
