"""Ports: what the services need from storage and the outside world."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self

from domain.entities import (
    AnswerRecord,
    Assignment,
    Contact,
    InboundMessage,
    MonitoringSession,
    Organisation,
    OutboxMessage,
    Staff,
    Territory,
)
from domain.indicators import AnswerRow, CardRow, IndicatorSnapshot, StoredValue
from services.mail_ports import MailboxStateRepository, SentMailRepository


class Clock(Protocol):
    """The current time, timezone-aware; injected so tests can move it."""

    def now(self) -> datetime: ...


class AssignmentOverview(NamedTuple):
    """One assignment with its organisation's name and gmina: the scheduler's bulk read.

    A named tuple, not a dataclass: a tick reads 25,000 of them (bench/schedule.py) and
    a tuple is built several times faster than a frozen dataclass.
    """

    assignment_id: int
    session_id: int
    organisation_id: int
    card: str
    channel: str
    extended_until: date | None
    submitted_at: datetime | None
    started_at: datetime | None
    last_activity_at: datetime | None
    external_id: str
    organisation: str
    teryt: str


class ContactAddress(NamedTuple):
    """How a contact can be reached: the scheduler's bulk read (Contact's field names)."""

    id: int
    organisation_id: int
    email: str | None
    telegram_user_id: int | None
    email_unreachable: bool
    telegram_unreachable: bool
    is_primary: bool


class SentDay(NamedTuple):
    """The latest day messages of one kind went to one assignment (from the dedupe keys)."""

    assignment_id: int
    kind: str
    day: date | None  # None: keys without a date (then the day they were queued counts)
    created_at: datetime | None  # when the latest key without a date was queued


class OutboxRecord(NamedTuple):
    """What the scheduler needs of an outbox row to know what already went."""

    assignment_id: int | None
    kind: str
    dedupe_key: str
    created_at: datetime


class TerritoryRepository(Protocol):
    def get(self, teryt: str) -> Territory | None: ...
    def upsert(self, territory: Territory) -> None: ...
    def all(self) -> list[Territory]: ...


class OrganisationRepository(Protocol):
    def get(self, org_id: int) -> Organisation | None: ...
    def get_by_external_id(self, external_id: str) -> Organisation | None: ...
    def add(self, organisation: Organisation) -> Organisation: ...
    def update(self, organisation: Organisation) -> None: ...
    def all(self) -> list[Organisation]: ...


class ContactRepository(Protocol):
    def get(self, contact_id: int) -> Contact | None: ...
    def for_organisation(self, org_id: int) -> list[Contact]: ...
    def by_telegram_user(self, telegram_user_id: int) -> list[Contact]: ...
    def by_email(self, email: str) -> list[Contact]: ...
    def add(self, contact: Contact) -> Contact: ...
    def update(self, contact: Contact) -> None: ...
    def for_organisations(self, org_ids: Collection[int]) -> dict[int, list[Contact]]: ...
    def addresses(self, org_ids: Collection[int]) -> dict[int, list[ContactAddress]]: ...


class StaffRepository(Protocol):
    def get_by_email(self, email: str) -> Staff | None: ...
    def by_telegram_id(self, telegram_id: int) -> Staff | None: ...
    def add(self, staff: Staff) -> Staff: ...
    def update(self, staff: Staff) -> None: ...
    def all(self) -> list[Staff]: ...


class SessionRepository(Protocol):
    def get(self, session_id: int) -> MonitoringSession | None: ...
    def get_by_name(self, name: str) -> MonitoringSession | None: ...
    def add(self, session: MonitoringSession) -> MonitoringSession: ...
    def update(self, session: MonitoringSession) -> None: ...
    def baseline(self) -> MonitoringSession | None: ...
    def all(self) -> list[MonitoringSession]: ...


class AssignmentRepository(Protocol):
    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None: ...
    def context(
        self, assignment_id: int, *, for_update: bool = False
    ) -> tuple[Assignment, MonitoringSession, Organisation] | None: ...
    def context_and_answer_count(
        self, assignment_id: int, *, for_update: bool = False
    ) -> tuple[Assignment, MonitoringSession, Organisation, int] | None:
        """The context and how many answer versions the assignment has, counted after
        the context was read (and, with `for_update`, locked): services.unit's cache."""
        ...

    def by_token_hash(self, token_hash: str) -> Assignment | None: ...
    def by_short_hash(self, short_hash: str) -> list[Assignment]: ...
    def for_session(self, session_id: int) -> list[Assignment]: ...
    def for_organisation(self, org_id: int) -> list[Assignment]: ...
    def for_telegram_user(
        self, telegram_user_id: int
    ) -> list[tuple[Assignment, MonitoringSession, Organisation]]: ...
    def find(self, session_id: int, org_id: int, card: str) -> Assignment | None: ...
    def add(self, assignment: Assignment) -> Assignment: ...
    def update(self, assignment: Assignment) -> None: ...
    def touch(self, assignment: Assignment) -> None: ...
    def mark_asked(self, assignment_id: int, question_id: str) -> None:
        """Record that the question was delivered, if the respondent is still on it."""
        ...

    def overview(
        self, session_ids: Collection[int], *, unsubmitted_only: bool = False
    ) -> list[AssignmentOverview]: ...
    def lock_unsubmitted(self, assignment_ids: Collection[int]) -> set[int]:
        """Lock the assignments (FOR UPDATE) and return those not submitted."""
        ...


class AnswerRepository(Protocol):
    def history(self, assignment_id: int) -> list[AnswerRecord]: ...
    def count(self, assignment_id: int) -> int:
        """How many answer versions the assignment has (versions are only ever added)."""
        ...

    def history_for(self, assignment_ids: Sequence[int]) -> dict[int, list[AnswerRecord]]: ...
    def add(self, answer: AnswerRecord) -> AnswerRecord: ...
    def add_many(self, answers: Sequence[AnswerRecord], *, touch: Assignment | None = None) -> None:
        """Insert the versions; with `touch`, also `AssignmentRepository.touch` that
        assignment (in the same statement where the database allows it)."""
        ...

    def latest_values(self, assignment_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """The JSON value of each question's newest version (None: cleared), per assignment."""
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> bool: ...
    def add_many(self, messages: Sequence[OutboxMessage]) -> list[str]:
        """Insert, ignoring duplicate dedupe keys; the keys actually inserted."""
        ...

    def records_since(self, kinds: Collection[str], since: datetime) -> list[OutboxRecord]: ...
    def sent_days(self, session_ids: Collection[int], kinds: Collection[str]) -> list[SentDay]:
        """Per unsubmitted assignment of the sessions and kind: the latest day one went."""
        ...

    def get_by_key(self, dedupe_key: str) -> OutboxMessage | None: ...
    def all(self, status: str | None = None) -> list[OutboxMessage]: ...
    def cancel_pending_for(self, assignment_id: int, kinds: Iterable[str]) -> int: ...
    def claim_due(
        self, channel: str, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxMessage]: ...
    def start_sending(self, message_id: int, lease_until: datetime) -> bool: ...
    def get(self, message_id: int) -> OutboxMessage | None: ...
    def set_delivery(
        self,
        message_id: int,
        *,
        status: str,
        next_attempt_at: datetime | None = None,
        last_error: str | None = None,
        sent_at: datetime | None = None,
        attempts: int | None = None,
    ) -> None: ...
    def backlog(self, now: datetime) -> dict[str, int]: ...


class InboundRepository(Protocol):
    def add(self, message: InboundMessage) -> InboundMessage | None: ...
    def get(self, message_id: int) -> InboundMessage | None: ...
    def by_sha256(self, sha256: str) -> InboundMessage | None: ...
    def with_status(self, statuses: Collection[str], limit: int = 200) -> list[InboundMessage]: ...
    def set_outcome(
        self,
        message_id: int,
        *,
        status: str,
        expected: str | None = None,
        kind: str | None = None,
        assignment_id: int | None = None,
        error: str | None = None,
    ) -> bool: ...
    def purge_raw(self, before: datetime) -> int: ...


class IndicatorRepository(Protocol):
    """Inputs of the indicators (bulk reads) and the snapshots of closed sessions."""

    def submitted_cards(self, session_id: int) -> list[CardRow]:
        """(assignment id, gmina TERYT, card) of the session's submitted cards."""
        ...

    def submitted_answers(
        self, session_id: int, question_ids: Collection[str]
    ) -> Iterator[AnswerRow]:
        """Answer versions of those cards: grouped by assignment, oldest version first.

        Values are JSON text; consume the rows before the unit of work ends.
        """
        ...

    def coverage(self, session_id: int) -> list[tuple[str, str, int, int]]:
        """(gmina TERYT, card, assigned, submitted) for every gmina with assignments."""
        ...

    def add_snapshot(
        self, snapshot: IndicatorSnapshot, values: Sequence[StoredValue]
    ) -> IndicatorSnapshot: ...
    def snapshots(self, session_id: int) -> list[IndicatorSnapshot]: ...
    def snapshot_values(
        self, snapshot_id: int, level: str | None = None, prefix: str = ""
    ) -> list[StoredValue]: ...


class UnitOfWork(Protocol):
    """One transaction; nothing is written until `commit`."""

    territories: TerritoryRepository
    organisations: OrganisationRepository
    contacts: ContactRepository
    staff: StaffRepository
    sessions: SessionRepository
    assignments: AssignmentRepository
    answers: AnswerRepository
    outbox: OutboxRepository
    inbound: InboundRepository
    indicators: IndicatorRepository
    mailboxes: MailboxStateRepository
    sent_mail: SentMailRepository

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def savepoint(self) -> AbstractContextManager[None]:
        """A nested transaction: what the block wrote is undone when it raises (the
        exception goes on; a unique-key race or deadlock as ConflictError); the rest of
        the unit of work stays usable."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class ConflictError(Exception):
    """A concurrent writer won a race (unique key); the use case may retry."""
