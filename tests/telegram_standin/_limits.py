"""Flood control (token buckets) and fault injection for the stand-in.

Rate limits model Telegram's documented limits for a bot: about 30 messages per second
overall and about one message per second in a single private chat. Telegram tolerates
short bursts, so each limit is a token bucket: a chat may send ``chat_burst`` messages at
once (default 3) and then one per second; the bot may send ``global_burst`` (default 30)
and then ``global_per_second``. Only methods that send a new message (``send*`` except
``sendChatAction``) count. A refused call gets a 429 whose ``retry_after`` is the whole
number of seconds until a token is available (at least 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ._errors import ApiError, too_many_requests


@dataclass
class TokenBucket:
    """A bucket of ``capacity`` tokens refilled at ``rate`` tokens per second."""

    capacity: float
    rate: float
    tokens: float = -1.0
    updated: float = 0.0

    def _refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.updated = self.capacity, now
            return
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until a token is available (0 when one is available now)."""
        self._refill(now)
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Consume one token (call only after ``wait_time`` returned 0)."""
        self._refill(now)
        self.tokens -= 1


@dataclass
class RateLimitConfig:
    """Switchable flood-control settings (off by default)."""

    enabled: bool = False
    per_chat_per_second: float = 1.0
    chat_burst: int = 3
    global_per_second: float = 30.0
    global_burst: int = 30


@dataclass
class RateLimiter:
    """Per-chat and per-bot token buckets."""

    config: RateLimitConfig = field(default_factory=RateLimitConfig)
    _global: TokenBucket | None = None
    _chats: dict[int, TokenBucket] = field(default_factory=dict)

    def configure(self, config: RateLimitConfig) -> None:
        """Replace the settings and forget accumulated usage."""
        self.config = config
        self._global = None
        self._chats.clear()

    def check(self, chat_id: int | None, now: float) -> None:
        """Consume a token for a message to ``chat_id`` or raise a 429 ``ApiError``."""
        if not self.config.enabled:
            return
        buckets = [self._global_bucket()]
        if chat_id is not None:
            buckets.append(self._chat_bucket(chat_id))
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.take(now)

    def _global_bucket(self) -> TokenBucket:
        if self._global is None:
            self._global = TokenBucket(self.config.global_burst, self.config.global_per_second)
        return self._global

    def _chat_bucket(self, chat_id: int) -> TokenBucket:
        if chat_id not in self._chats:
            self._chats[chat_id] = TokenBucket(
                self.config.chat_burst, self.config.per_chat_per_second
            )
        return self._chats[chat_id]


@dataclass
class Fault:
    """An injected failure: consumed by matching calls ``times`` times or until ``until``."""

    error: ApiError
    method: str | None = None
    times: int | None = 1
    until: float | None = None

    def exhausted(self, now: float) -> bool:
        """Whether the fault has been used up or has expired."""
        expired = self.until is not None and now >= self.until
        return expired or (self.times is not None and self.times <= 0)

    def matches(self, method: str, now: float) -> bool:
        """Whether this fault applies to a call of ``method`` (lower-case) at ``now``.

        Faults without an explicit method never hit ``getUpdates``: the bot polls all the
        time and would otherwise swallow faults meant for the calls under test.
        """
        if self.exhausted(now):
            return False
        if self.method is None:
            return method != "getupdates"
        return self.method == method


@dataclass
class FaultInjector:
    """Queue of injected faults, matched in the order they were added."""

    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        self.faults.append(fault)

    def clear(self) -> None:
        """Drop all pending faults."""
        self.faults.clear()

    def check(self, method: str, now: float) -> None:
        """Raise the first matching fault's error (consuming one use of it)."""
        self.faults = [fault for fault in self.faults if not fault.exhausted(now)]
        for fault in self.faults:
            if fault.matches(method, now):
                if fault.times is not None:
                    fault.times -= 1
                raise fault.error
