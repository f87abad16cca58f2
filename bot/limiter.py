"""One rate limiter for everything the bot sends, interactive replies first.

Telegram allows a bot about 30 messages a second overall and about one a second in a
private chat (short bursts tolerated); past that it answers 429 with `retry_after`.
Token buckets keep under both limits with a margin. Interactive replies (a person is
waiting) take any token; bulk traffic (reminders and alerts drained from the outbox,
sent with `rate_limit_args=BULK`) may only take a token while `reserve` more are left,
so a reply never queues behind a backlog of reminders. A 429 pauses every send for
`retry_after`; interactive sends then retry, bulk ones raise so the outbox reschedules.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

BULK: dict[str, Any] = {"bulk": True}
# Set by the outbox drain around one send; awaited once the token is taken, right before
# the request goes out, it commits the row's point of no return (`sending`). Committed
# earlier, a row still queued here when the process is killed would be left `unknown`
# although it never left. False: the row is no longer ours, nothing is sent.
BEFORE_SEND: ContextVar[Callable[[], Awaitable[bool]] | None] = ContextVar(
    "before_send", default=None
)


class SendAbandoned(Exception):
    """BEFORE_SEND said no: the request was not made."""


JSON = bool | dict[str, Any] | list[dict[str, Any]]
_SETTLE_S = 0.002  # smallest sleep while waiting for a token


def retry_seconds(error: RetryAfter) -> float:
    """The server's retry_after in seconds (PTB gives int or timedelta by configuration)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def counted(endpoint: str) -> bool:
    """Methods that post a new message count against Telegram's limits (not edits, answers)."""
    return endpoint.startswith("send") and endpoint != "sendChatAction"


@dataclass
class Bucket:
    """`capacity` tokens refilled at `rate` a second."""

    capacity: float
    rate: float
    tokens: float = -1.0
    updated: float = 0.0

    def wait(self, now: float, keep: float = 0.0) -> float:
        """Seconds until a token can be taken leaving `keep` behind (0: now)."""
        if self.tokens < 0:
            self.tokens, self.updated = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        missing = 1 + keep - self.tokens
        return 0.0 if missing <= 0 else missing / self.rate

    def take(self) -> None:
        """Use one token (after `wait` returned 0)."""
        self.tokens -= 1


@dataclass(frozen=True)
class Limits:
    """Rates with a margin under Telegram's (and the stand-in's) 30/s and 1/s per chat."""

    per_second: float = 28.0
    burst: int = 20
    chat_per_second: float = 1.0
    chat_burst: int = 2
    reserve: int = 6  # tokens bulk traffic leaves for interactive replies
    retries: int = 3  # interactive sends retried after a 429


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Keeps the bot under Telegram's flood limits; `limits=None` sends without pacing."""

    def __init__(self, limits: Limits | None = Limits()) -> None:
        self.limits = limits
        self._global = Bucket(limits.burst, limits.per_second) if limits else None
        self._chats: dict[str, Bucket] = {}
        self._paused_until = 0.0
        self.too_many_requests = 0  # 429s seen (for /healthz and the benchmark)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSON:
        """Wait for a token (bulk: leaving the reserve), send, and honour a 429."""
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        attempts = 0
        while True:
            if counted(endpoint) and self.limits is not None:
                await self._acquire(bulk, str(data.get("chat_id", "")))
            elif attempts:  # an edit or callback answer retried after its 429: not earlier
                await asyncio.sleep(max(self._paused_until - time.monotonic(), 0.0))
            gate = BEFORE_SEND.get() if counted(endpoint) else None
            if gate is not None:
                BEFORE_SEND.set(None)  # once per send
                if not await gate():
                    raise SendAbandoned(endpoint)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.too_many_requests += 1
                self._paused_until = max(
                    self._paused_until, time.monotonic() + retry_seconds(error)
                )
                attempts += 1
                if bulk or self.limits is None or attempts > self.limits.retries:
                    raise

    async def _acquire(self, bulk: bool, chat_id: str) -> None:
        """Take a global and a per-chat token, waiting as long as needed."""
        assert self.limits is not None and self._global is not None
        keep = min(self.limits.reserve, self.limits.burst - 1) if bulk else 0
        while True:
            now = time.monotonic()
            chat = self._chat(chat_id, now)
            wait = max(self._paused_until - now, self._global.wait(now, keep), chat.wait(now))
            if wait <= 0:
                self._global.take()
                chat.take()
                return
            await asyncio.sleep(max(wait, _SETTLE_S))

    def _chat(self, chat_id: str, now: float) -> Bucket:
        """The chat's bucket; full, idle buckets are forgotten now and then."""
        bucket = self._chats.get(chat_id)
        if bucket is None:
            assert self.limits is not None
            if len(self._chats) > 20_000:
                self._chats = {k: b for k, b in self._chats.items() if now - b.updated < 10}
            bucket = self._chats[chat_id] = Bucket(
                self.limits.chat_burst, self.limits.chat_per_second
            )
        return bucket
