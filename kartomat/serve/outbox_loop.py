"""The outbox dispatcher as a component: drains one channel's due messages."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from kartomat.serve.component import Health, wait_or_stop
from services.outbox import OutboxService, Sender

log = logging.getLogger("kartomat.outbox")


class OutboxLoop:
    """Drains due messages of one channel; idles `interval` seconds when there are none."""

    def __init__(self, outbox: OutboxService, sender: Sender, interval: float = 2.0) -> None:
        self.name = f"outbox-{sender.channel}"
        self.outbox = outbox
        self.sender = sender
        self.interval = interval
        self.sent = 0
        self.last_error: str | None = None
        self.last_pass: datetime | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until stopped; a database hiccup is logged and retried, never fatal."""
        while not stop.is_set():
            try:
                sent = await self.outbox.drain(self.sender)
                self.sent += sent
                self.last_error = None
            except Exception as error:  # the loop must survive outages (reliability suite)
                self.last_error = f"{type(error).__name__}"
                log.warning("outbox pass failed", extra={"channel": self.sender.channel,
                                                          "error": self.last_error})  # fmt: skip
                sent = 0
            self.last_pass = self.outbox.clock.now()
            if sent == 0 and await wait_or_stop(stop, self.interval):
                return

    def health(self) -> Health:
        """ok, or degraded with the last error class."""
        down = self.outbox.channel_down
        status = "ok" if self.last_error is None and down is None else "degraded"
        return Health(status, {"sent": self.sent, "last_error": self.last_error,
                               "channel_down": down})  # fmt: skip
