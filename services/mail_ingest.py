"""Mailbox ingestion: store first, then process, then file (channels.md "Mailbox handling").

1. Store the raw message and commit (dedupe on the folder/UIDVALIDITY/UID and on the
   SHA-256 of the bytes; Message-ID is not unique), one commit per fetched group.
2. Parse, match and apply in a second transaction (`MailProcessor`): the answers, the
   submission, the outcome and its outbox rows (the reply) are written together, so a
   message is either untouched or finished. The messages of a fetched group share
   this transaction (one commit, one WAL flush, for up to `GROUP` messages). If any
   message fails, the group is rolled back and redone with a savepoint per message: the
   failing one is rolled back alone and quarantined with its error. If the group's
   commit itself fails (a concurrent writer won), each message is redone in its own
   transaction.
3. File the message in `Przetworzone` or `Kwarantanna`; only then advance the
   folder's UID high-water mark. A crash anywhere re-fetches the message, finds it
   stored, and either finds it finished or processes it from scratch: nothing is
   applied or answered twice.
A message is never filed (moved) before it is stored and its outcome committed; one
bad message is quarantined with its error and the batch goes on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from hashlib import sha256
from typing import TypeVar

from domain.entities import InboundMessage
from services.mail_ports import Destination, IncomingMail, Mailbox, MailboxItem, MailboxState
from services.mail_process import FINAL_STATUSES, MailProcessor, Outcome, destination
from services.ports import Clock, ConflictError, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("kartomat.mail")
T = TypeVar("T")
BATCH = 100
GROUP = 25  # messages processed in one transaction (bounds how long card locks are held)
RETRIES = 8


class _Taken(Exception):
    """Another worker recorded this message's outcome first: undo what we staged."""


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
        return self.process_many([inbound])[0]

    def process_many(self, rows: Sequence[InboundMessage]) -> list[str]:
        """Step 2 for stored messages, in one transaction; their statuses, in order.

        Parsing (no database) comes first, so the transaction holds its locks only for
        the matching and writing. The group goes first without savepoints (two
        statements less a message); if anything fails it is rolled back whole and
        redone with a savepoint per message, which keeps a failure to that message; a
        failed commit (a concurrent writer won) redoes each message alone.
        """
        todo = [row for row in rows if row.status not in FINAL_STATUSES]
        mails = {id(row): self._parse(row) for row in todo}
        done = self._group(todo, mails, isolated=False) if todo else {}
        if done is None and len(todo) > 1:
            done = self._group(todo, mails, isolated=True)
        done = done or {}
        for row in todo:
            if id(row) not in done:
                done[id(row)] = self._alone(row, mails[id(row)])
        return [done.get(id(row), row.status) for row in rows]

    def _group(
        self,
        todo: Sequence[InboundMessage],
        mails: dict[int, IncomingMail | None],
        *,
        isolated: bool,
    ) -> dict[int, str] | None:
        """Every message of `todo` in one transaction; None when it must be redone."""
        settle = self._settle if isolated else self._settle_plain
        try:
            with self.uow() as uow:
                done = {id(row): settle(uow, row, mails[id(row)]) for row in todo}
                uow.commit()
                return done
        except ConflictError:
            log.warning("mail group transaction lost a race to another writer; redone")
            return None
        except Exception:
            if isolated:
                raise  # not one message's fault (e.g. the database is gone)
            log.info("mail group rolled back; redone one savepoint a message", exc_info=True)
            return None

    def _parse(self, inbound: InboundMessage) -> IncomingMail | None:
        try:
            return self.processor.parse(inbound)
        except Exception:  # the parser never raises; `decide` parses again and quarantines
            log.exception("mail parsing failed", extra={"message_id": inbound.id})
            return None

    def _alone(self, inbound: InboundMessage, mail: IncomingMail | None) -> str:
        """One message in its own transaction, retried when a concurrent writer won."""
        for attempt in range(RETRIES):
            try:
                with self.uow() as uow:
                    status = self._settle(uow, inbound, mail)
                    uow.commit()
                    return status
            except ConflictError:
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _settle_plain(
        self, uow: UnitOfWork, inbound: InboundMessage, mail: IncomingMail | None
    ) -> str:
        """Decide and record one message in `uow`; any failure fails the whole group."""
        outcome = self.processor.decide(uow, inbound, mail)
        if not self.processor.record(uow, inbound, outcome, expected=inbound.status):
            raise _Taken(outcome.status)
        return outcome.status

    def _settle(self, uow: UnitOfWork, inbound: InboundMessage, mail: IncomingMail | None) -> str:
        """Decide and record one message in its own savepoint of `uow`; its status."""
        expected = inbound.status
        try:
            with uow.savepoint():
                outcome = self.processor.decide(uow, inbound, mail)
                if not self.processor.record(uow, inbound, outcome, expected=expected):
                    raise _Taken(outcome.status)
                return outcome.status
        except _Taken as taken:
            return self._current(uow, inbound, str(taken))
        except ConflictError:
            raise  # the whole unit of work is retried
        except Exception as error:  # one bad message never stops the batch
            log.exception("mail processing failed", extra={"message_id": inbound.id})
            failed = Outcome("quarantined", error=f"{type(error).__name__}: {error}"[:500])
            with uow.savepoint():
                if self.processor.record(uow, inbound, failed, expected=expected):
                    return failed.status
            return self._current(uow, inbound, failed.status)

    @staticmethod
    def _current(uow: UnitOfWork, inbound: InboundMessage, default: str) -> str:
        done = uow.inbound.get(inbound.id or 0)  # another worker finished it first
        return done.status if done else default

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
            for group in _chunks(stored, GROUP):
                rows = [row if new else self._reread(row) for _, row, new in group]
                statuses = self.process_many(rows)
                for (item, _, new), status in zip(group, statuses, strict=True):
                    report.stored += new
                    report.duplicates += not new
                    report.statuses[status] += 1
                    filed[destination(status)].append(item)
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

    def _reread(self, row: InboundMessage) -> InboundMessage:
        """A duplicate's row as it is now (another pass may have finished it)."""
        with self.uow() as uow:
            current = uow.inbound.get(row.id or 0)
        if current is None:
            raise LookupError(row.id)
        return current

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


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _message_id(raw: bytes) -> str | None:
    """The Message-ID header, read cheaply for the stored row (the parser reads it fully)."""
    head = raw[:16384].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line[:11].lower() == b"message-id:":
            return line[11:].strip().decode("ascii", "replace")[:300] or None
    return None
