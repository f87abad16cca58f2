"""The mailbox as a `serve` component: poll, then IDLE (or sleep), until stopped.

Each round connects when needed, runs one ingestion pass and waits for new mail at
most `poll_seconds` (IDLE when the server has it, re-entered every round, so well
within the 25 minutes servers allow and with a poll even when IDLE silently died).
A failure closes the connection and reconnects with capped exponential backoff; the
ingestion re-checks UIDVALIDITY on every pass, so after reconnecting too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from kartomat.serve.component import Health, wait_or_stop
from services.mail_ingest import MailIngestService
from services.mail_ports import Mailbox

log = logging.getLogger("kartomat.mailbox")
BACKOFF_START_S = 1.0
BACKOFF_CAP_S = 300.0
MAX_IDLE_S = 25 * 60


class MailSource(Mailbox, Protocol):
    """A mailbox with a connection and a way to wait for new mail."""

    def connect(self) -> None: ...
    def close(self) -> None: ...
    def wait(self, seconds: float, should_stop: Callable[[], bool]) -> bool: ...


class MailboxComponent:
    """Runs the mail ingestion until `stop`."""

    name = "mailbox"

    def __init__(
        self,
        ingest: MailIngestService,
        source: Callable[[], MailSource],
        *,
        poll_seconds: float = 60.0,
    ) -> None:
        self.ingest = ingest
        self.source = source
        self.poll_seconds = min(poll_seconds, MAX_IDLE_S)
        self.last_pass: datetime | None = None
        self.last_error: str | None = None
        self.stored = 0
        self.reconnects = 0
        self.passes = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds in a worker thread; reconnect with backoff after any failure."""
        delay = BACKOFF_START_S
        while not stop.is_set():
            passes = self.passes
            try:
                await asyncio.to_thread(self._session, stop.is_set)
                return
            except Exception as error:  # network, server or database: retry later
                self.last_error = type(error).__name__
                self.reconnects += 1
                log.warning("mailbox failed", extra={"error": self.last_error})
            if self.passes > passes:  # it worked since the last failure: a new outage
                delay = BACKOFF_START_S
            if await wait_or_stop(stop, delay):
                return
            delay = min(delay * 2, BACKOFF_CAP_S)

    def _session(self, should_stop: Callable[[], bool]) -> None:
        """One connection: poll, wait, poll … until stopped (raises on failure)."""
        mailbox = self.source()
        mailbox.connect()
        try:
            while not should_stop():
                self.poll_once(mailbox)
                mailbox.wait(self.poll_seconds, should_stop)
        finally:
            mailbox.close()

    def poll_once(self, mailbox: Mailbox) -> None:
        """One ingestion pass, recorded for /healthz."""
        report = self.ingest.poll(mailbox)
        self.stored += report.stored
        self.passes += 1
        self.last_pass = self.ingest.clock.now()
        self.last_error = None
        if report.seen:
            log.info("mail pass", extra={"count": report.seen, "status": dict(report.statuses)})

    def health(self) -> Health:
        """ok once a pass succeeded and no error since; degraded otherwise."""
        status = "ok" if self.last_error is None and self.last_pass is not None else "degraded"
        detail = {"last_pass": self.last_pass, "last_error": self.last_error,
                  "stored": self.stored, "reconnects": self.reconnects}  # fmt: skip
        return Health(status, detail)
