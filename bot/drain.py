"""The Telegram outbox drained with many recipients in flight, each recipient in order.

One send waits a network round trip, so a sequential drain manages a dozen messages a
second at best; Telegram allows about thirty. Here recipients are served in parallel
(the shared rate limiter paces them behind interactive replies) while one recipient's
messages keep their order. Delivery bookkeeping is OutboxService's (leases, retries,
the 403 fallback and the staff notice).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from bot.limiter import BEFORE_SEND
from domain.entities import OutboxMessage
from kartomat.serve.component import Health, wait_or_stop
from services.outbox import Delivered, OutboxService, RetryLater, Sender, SendOutcome

log = logging.getLogger("kartomat.outbox")


class _Gate:
    """BEFORE_SEND for one message: leased → sending, remembering whether it was asked."""

    def __init__(self, outbox: OutboxService, message: OutboxMessage) -> None:
        self.outbox, self.message = outbox, message
        self.asked = self.started = False

    async def __call__(self) -> bool:
        self.asked = True
        self.started = await asyncio.to_thread(self.outbox.start_sending, self.message)
        return self.started


class TelegramDrain:
    """Claims due Telegram messages in batches and sends them recipient-parallel."""

    def __init__(
        self,
        outbox: OutboxService,
        sender: Sender,
        *,
        interval: float = 1.0,
        batch: int = 200,
        parallel: int = 32,
    ) -> None:
        self.name = f"outbox-{sender.channel}"
        self.outbox, self.sender = outbox, sender
        self.interval, self.batch, self.parallel = interval, batch, parallel
        self.sent = 0
        self.last_error: str | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until stopped; a database hiccup is logged and retried, never fatal."""
        while not stop.is_set():
            try:
                sent = await self.drain()
                self.last_error = None
            except Exception as error:  # the loop must survive outages
                self.last_error = type(error).__name__
                log.warning("outbox pass failed", extra={"channel": self.sender.channel,
                                                          "error": self.last_error})  # fmt: skip
                sent = 0
            if sent == 0 and await wait_or_stop(stop, self.interval):
                return

    async def drain(self) -> int:
        """One pass over the due messages; how many were delivered."""
        claimed = await asyncio.to_thread(self.outbox.claim, self.sender.channel, self.batch)
        by_recipient: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in claimed:
            by_recipient[message.recipient].append(message)
        slots = asyncio.Semaphore(self.parallel)
        counts = await asyncio.gather(*(self._in_order(m, slots) for m in by_recipient.values()))
        self.sent += sum(counts)
        return sum(counts)

    async def _in_order(self, messages: list[OutboxMessage], slots: asyncio.Semaphore) -> int:
        delivered = 0
        for message in messages:
            async with slots:
                outcome, gate = await self._gated(message)
            if gate.asked and not gate.started:
                continue  # not sent: the row is another dispatcher's, or the database is away
            if gate.started:
                message = message.model_copy(update={"attempts": message.attempts + 1})
            await self.outbox.settle(message, outcome)
            delivered += isinstance(outcome, Delivered)
        return delivered

    async def _gated(self, message: OutboxMessage) -> tuple[SendOutcome, _Gate]:
        """Send with the point of no return committed right before the request goes out
        (bot.limiter.BEFORE_SEND): a process killed during the send leaves the row
        `sending` (then `unknown`, never sent twice); one killed while the message waited
        for the rate limiter leaves it `leased`, due again when the lease runs out."""
        gate = _Gate(self.outbox, message)
        token = BEFORE_SEND.set(gate)
        try:
            return await self._send(message), gate
        finally:
            BEFORE_SEND.reset(token)

    async def _send(self, message: OutboxMessage) -> SendOutcome:
        """A sender bug must not stop the queue: it counts as a transient failure."""
        try:
            return await self.sender.send(message)
        except Exception as error:
            return RetryLater(f"{type(error).__name__}: {error}")

    def health(self) -> Health:
        """ok, or degraded with the last error class."""
        down = self.outbox.channel_down
        status = "ok" if self.last_error is None and down is None else "degraded"
        return Health(status, {"sent": self.sent, "last_error": self.last_error,
                               "channel_down": down})  # fmt: skip
