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
    ) -> tuple[InboundMessage | None, bool]:
        """Step 1: the raw bytes, committed; (row, True) when new, (existing, False) if not."""
        digest = sha256(raw).hexdigest()
        row = InboundMessage(
            channel="email",
            folder=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            sha256=digest,
            message_id=_message_id(raw),
            raw=raw,
            received_at=self.clock.now(),
            status=status,
        )
        with self.uow() as uow:
            added = uow.inbound.add(row)
            if added is not None:
                uow.commit()
                return added, True
            return uow.inbound.by_sha256(digest), False

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
        filed: dict[Destination, list[MailboxItem]] = {"processed": [], "quarantine": []}
        small = [i for i in chunk if i.size <= self.max_bytes]
        try:
            for item, raw in mailbox.fetch(small):
                filed[self._one(mailbox, item, raw, state, report)].append(item)
            for item in (i for i in chunk if i.size > self.max_bytes):
                raw = mailbox.fetch_headers(item)
                filed[self._one(mailbox, item, raw, state, report, oversize=True)].append(item)
        finally:  # whatever was stored is filed, even when the batch stops early
            for where, items in filed.items():
                if items:
                    mailbox.file(items, where)
        uids = [i.uid for i in chunk if i.uid is not None]
        if mailbox.uses_uids and uids:
            self._advance(state, max(uids))

    def _one(
        self,
        mailbox: Mailbox,
        item: MailboxItem,
        raw: bytes,
        state: MailboxState,
        report: PollReport,
        *,
        oversize: bool = False,
    ) -> Destination:
        status = "oversize" if oversize else "stored"
        stored, new = self.store(raw, mailbox.mailbox, state.uidvalidity, item.uid, status)
        if stored is None:
            raise RuntimeError(f"message {item.key} neither stored nor found")
        if oversize and new:
            self._note_size(stored, item.size)
        report.stored += new
        report.duplicates += not new
        outcome = self.process(stored.id or 0, stored if new and not oversize else None)
        report.statuses[outcome] += 1
        return destination(outcome)

    def _note_size(self, stored: InboundMessage, size: int) -> None:
        with self.uow() as uow:
            uow.inbound.set_outcome(
                stored.id or 0,
                status="oversize",
                expected="oversize",
                error=f"too_large: {size / 1_048_576:.1f} MB",
            )
            uow.commit()

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
