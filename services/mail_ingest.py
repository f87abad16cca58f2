"""Mailbox ingestion: store first, then process, then file (channels.md "Mailbox handling").

1. Store the raw message and commit (dedupe on the folder/UIDVALIDITY/UID and on the
   SHA-256 of the bytes; Message-ID is not unique).
2. Parse, match and apply in a second transaction (`MailProcessor`).
3. File the message in `Przetworzone` or `Kwarantanna`; only then advance the
   folder's UID high-water mark. A crash anywhere re-fetches the message, finds it
   stored, and at most finishes what was left: nothing is applied twice.
A message is never filed (moved) before it is stored; one bad message is quarantined
with its error and the batch goes on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from hashlib import sha256

from domain.entities import InboundMessage
from services.mail_ports import Destination, Mailbox, MailboxItem, MailboxState
from services.mail_process import FINAL_STATUSES, MailProcessor, Outcome, destination
from services.ports import Clock, UnitOfWorkFactory

log = logging.getLogger("kartomat.mail")
BATCH = 100


@dataclass
class PollReport:
    """What one pass over a mailbox did."""

    seen: int = 0
    stored: int = 0
    duplicates: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    purged: int = 0
    uidvalidity_changed: bool = False


class MailIngestService:
    """One pass over a mailbox, the store/process steps and the retention purge."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        processor: MailProcessor,
        *,
        max_bytes: int,
        retention_days: int,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.processor = processor
        self.max_bytes = max_bytes
        self.retention_days = retention_days

    def store(
        self,
        raw: bytes,
        mailbox: str,
        uidvalidity: int | None = None,
        uid: int | None = None,
        status: str = "stored",
    ) -> tuple[InboundMessage, bool]:
        """Step 1: the raw bytes, committed; (row, True) when new, (existing, False) if not."""
        return self.store_many([(raw, uid, None)], mailbox, uidvalidity, status)[0]

    def store_many(
        self,
        raws: Sequence[tuple[bytes, int | None, str | None]],
        mailbox: str,
        uidvalidity: int | None,
        status: str = "stored",
    ) -> list[tuple[InboundMessage, bool]]:
        """Step 1 for a fetched group, (raw, uid, error) each: one commit before any parsing."""
        now = self.clock.now()
        results = []
        with self.uow() as uow:
            for raw, uid, error in raws:
                digest = sha256(raw).hexdigest()
                row = InboundMessage(
                    channel="email",
                    folder=mailbox,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    sha256=digest,
                    message_id=_message_id(raw),
                    raw=raw,
                    received_at=now,
                    status=status,
                    error=error,
                )
                added = uow.inbound.add(row)
                existing = added or uow.inbound.by_sha256(digest)
                if existing is None:  # same UID, other bytes: a server bug; left in place
                    raise RuntimeError(f"message uid={uid} neither stored nor found")
                results.append((existing, added is not None))
            uow.commit()
        return results

    def process(self, inbound_id: int, stored: InboundMessage | None = None) -> str:
        """Step 2 for a stored message (no-op when already done); returns its status.

        `stored`: the row just written by `store` (saves reading it back).
        """
        inbound = stored
        if inbound is None:
            with self.uow() as uow:
                inbound = uow.inbound.get(inbound_id)
        if inbound is None:
            raise LookupError(inbound_id)
        if inbound.status in FINAL_STATUSES:
            return inbound.status
        try:
            outcome = self._outcome(inbound)
        except Exception as error:  # one bad message never stops the batch
            log.exception("mail processing failed", extra={"message_id": inbound_id})
            outcome = Outcome("quarantined", error=f"{type(error).__name__}: {error}"[:500])
        if not self.processor.record(inbound, outcome, expected=inbound.status):
            with self.uow() as uow:  # another worker finished it first
                done = uow.inbound.get(inbound_id)
            return done.status if done else outcome.status
        return outcome.status

    def _outcome(self, inbound: InboundMessage) -> Outcome:
        if inbound.status == "oversize":
            return self.processor.oversize(inbound)
        return self.processor.decide(inbound)

    def poll(self, mailbox: Mailbox, batch: int = BATCH) -> PollReport:
        """One pass: new messages stored, processed and filed; the mark advanced."""
        report = PollReport()
        state = self._state(mailbox, report)
        items = mailbox.pending(state.last_uid)
        report.seen = len(items)
        for chunk in _chunks(items, batch):
            self._batch(mailbox, chunk, state, report)
        report.purged = self.purge()
        return report

    def _state(self, mailbox: Mailbox, report: PollReport) -> MailboxState:
        """The folder's mark; a new UIDVALIDITY (RFC 3501 2.3.1.1) starts it again at 0."""
        current = mailbox.uidvalidity()
        with self.uow() as uow:
            state = uow.mailboxes.get(mailbox.mailbox)
            if state is None or state.uidvalidity != current:
                report.uidvalidity_changed = state is not None
                state = MailboxState(mailbox.mailbox, current, 0, self.clock.now())
                uow.mailboxes.save(state)
                uow.commit()
            return state

    def _batch(
        self,
        mailbox: Mailbox,
        chunk: Sequence[MailboxItem],
        state: MailboxState,
        report: PollReport,
    ) -> None:
        fetched = list(mailbox.fetch([i for i in chunk if i.size <= self.max_bytes]))
        big = [(i, mailbox.fetch_headers(i)) for i in chunk if i.size > self.max_bytes]
        stored = self._store(mailbox, fetched, state, "stored")
        stored += self._store(mailbox, big, state, "oversize")
        filed: dict[Destination, list[MailboxItem]] = {"processed": [], "quarantine": []}
        try:
            for item, row, new in stored:
                report.stored += new
                report.duplicates += not new
                outcome = self.process(row.id or 0, row if new else None)
                report.statuses[outcome] += 1
                filed[destination(outcome)].append(item)
        finally:  # whatever was stored and handled is filed, even when the batch stops early
            for where, items in filed.items():
                if items:
                    mailbox.file(items, where)
        uids = [i.uid for i in chunk if i.uid is not None]
        if mailbox.uses_uids and uids:
            self._advance(state, max(uids))

    def _store(
        self,
        mailbox: Mailbox,
        fetched: Sequence[tuple[MailboxItem, bytes]],
        state: MailboxState,
        status: str,
    ) -> list[tuple[MailboxItem, InboundMessage, bool]]:
        if not fetched:
            return []
        raws = [
            (raw, item.uid, _size_note(item) if status == "oversize" else None)
            for item, raw in fetched
        ]
        rows = self.store_many(raws, mailbox.mailbox, state.uidvalidity, status)
        return [(item, row, new) for (item, _), (row, new) in zip(fetched, rows, strict=True)]

    def _advance(self, state: MailboxState, uid: int) -> None:
        if uid <= state.last_uid:
            return
        state.last_uid, state.updated_at = uid, self.clock.now()
        with self.uow() as uow:
            uow.mailboxes.save(state)
            uow.commit()

    def purge(self) -> int:
        """Empty raw messages older than the retention period (RODO); rows stay."""
        before = self.clock.now() - timedelta(days=self.retention_days)
        with self.uow() as uow:
            count = uow.inbound.purge_raw(before)
            uow.commit()
        return count


def _size_note(item: MailboxItem) -> str:
    return f"too_large: {item.size / 1_048_576:.1f} MB"


def _chunks(items: Sequence[MailboxItem], size: int) -> Iterator[Sequence[MailboxItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _message_id(raw: bytes) -> str | None:
    """The Message-ID header, read cheaply for the stored row (the parser reads it fully)."""
    head = raw[:16384].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line[:11].lower() == b"message-id:":
            return line[11:].strip().decode("ascii", "replace")[:300] or None
    return None
