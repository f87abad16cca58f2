"""SQL repositories: they map rows to domain entities and never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import String, bindparam, cast, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import col

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
from domain.indicators import IndicatorSnapshot, StoredValue
from services.ports import AssignmentOverview, ContactAddress, OutboxRecord, SentDay
from storage import outbox_bulk, schedule_queries
from storage.tables import (
    AnswerRow,
    AssignmentRow,
    ContactRow,
    InboundMessageRow,
    IndicatorSnapshotRow,
    IndicatorValueRow,
    OrganisationRow,
    OutboxRow,
    SessionRow,
    StaffRow,
    TerritoryRow,
)

E = TypeVar("E", bound=BaseModel)

# Statements of the answering hot path, built once (constants, not state): building a
# statement costs more than SQLite takes to run it.
_CONTEXT = (
    select(AssignmentRow, SessionRow, OrganisationRow)
    .join(SessionRow, SessionRow.id == AssignmentRow.session_id)
    .join(OrganisationRow, OrganisationRow.id == AssignmentRow.organisation_id)
    .where(AssignmentRow.id == bindparam("assignment_id"))
)
_CONTEXT_FOR_UPDATE = _CONTEXT.with_for_update(of=AssignmentRow)
_HISTORY = (
    select(AnswerRow)
    .where(AnswerRow.assignment_id == bindparam("assignment_id"))
    .order_by(AnswerRow.id)
)
_ANSWER_TABLE: Any = AnswerRow.__table__
_TOUCH = (
    update(AssignmentRow)
    .where(AssignmentRow.id == bindparam("assignment_id"))
    .values(
        cursor=bindparam("cursor"),
        started_at=bindparam("started_at"),
        last_activity_at=bindparam("last_activity_at"),
        revision=bindparam("revision"),
    )
)


def _construct(entity_cls: type[E], row: Any) -> E:
    """An entity from a row of our own schema, without re-validation (hot paths only)."""
    return entity_cls.model_construct(**{f: getattr(row, f) for f in entity_cls.model_fields})


class _Repo(Generic[E]):
    """Field-by-field mapping between one table and one entity class."""

    row_cls: Any
    entity_cls: type[E]

    def __init__(self, session: Session) -> None:
        self.s = session

    def _entity(self, row: Any) -> E:
        return self.entity_cls.model_validate(row, from_attributes=True)

    def _entities(self, stmt: Any) -> list[E]:
        return [self._entity(r) for r in self.s.scalars(stmt)]

    def _get(self, key: Any) -> E | None:
        row = self.s.get(self.row_cls, key)
        return self._entity(row) if row is not None else None

    def _add(self, entity: E) -> E:
        row = self.row_cls(**entity.model_dump())
        self.s.add(row)
        self.s.flush()
        return self._entity(row)

    def _update(self, entity: Any) -> None:
        # One ORM-enabled UPDATE: no load, and rows already in the session are synchronised.
        stmt = (
            update(self.row_cls)
            .where(self.row_cls.id == entity.id)
            .values(**entity.model_dump(exclude={"id"}))
        )
        if not self.s.execute(stmt).rowcount:
            raise LookupError(f"{self.row_cls.__tablename__} {entity.id} does not exist")

    def _insert_ignoring_duplicates(self, values: dict[str, Any]) -> bool:
        """INSERT … ON CONFLICT DO NOTHING; True when a row was written."""
        table = self.row_cls.__table__
        dialect = sqlite if self.s.get_bind().dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(table).values(**values).on_conflict_do_nothing()
        # RETURNING, not rowcount: psycopg 3 reports rowcount -1 here (truthy) whether or
        # not the row was written.
        stmt = stmt.returning(*table.primary_key.columns)
        return self.s.execute(stmt).first() is not None


class TerritoryRepo(_Repo[Territory]):
    row_cls, entity_cls = TerritoryRow, Territory

    def get(self, teryt: str) -> Territory | None:
        return self._get(teryt)

    def upsert(self, territory: Territory) -> None:
        self.s.merge(TerritoryRow(**territory.model_dump()))
        self.s.flush()

    def all(self) -> list[Territory]:
        return self._entities(select(TerritoryRow).order_by(TerritoryRow.teryt))


class OrganisationRepo(_Repo[Organisation]):
    row_cls, entity_cls = OrganisationRow, Organisation

    def get(self, org_id: int) -> Organisation | None:
        return self._get(org_id)

    def get_by_external_id(self, external_id: str) -> Organisation | None:
        stmt = select(OrganisationRow).where(OrganisationRow.external_id == external_id)
        return next(iter(self._entities(stmt)), None)

    def add(self, organisation: Organisation) -> Organisation:
        return self._add(organisation)

    def update(self, organisation: Organisation) -> None:
        self._update(organisation)

    def all(self) -> list[Organisation]:
        return self._entities(select(OrganisationRow).order_by(OrganisationRow.external_id))


class ContactRepo(_Repo[Contact]):
    row_cls, entity_cls = ContactRow, Contact

    def get(self, contact_id: int) -> Contact | None:
        return self._get(contact_id)

    def for_organisation(self, org_id: int) -> list[Contact]:
        stmt = select(ContactRow).where(ContactRow.organisation_id == org_id)
        return self._entities(stmt.order_by(ContactRow.id))

    def by_telegram_user(self, telegram_user_id: int) -> list[Contact]:
        stmt = select(ContactRow).where(ContactRow.telegram_user_id == telegram_user_id)
        return self._entities(stmt.order_by(ContactRow.id))

    def by_email(self, email: str) -> list[Contact]:
        stmt = select(ContactRow).where(func.lower(ContactRow.email) == email.lower())
        return self._entities(stmt)

    def add(self, contact: Contact) -> Contact:
        return self._add(contact)

    def update(self, contact: Contact) -> None:
        self._update(contact)

    def for_organisations(self, org_ids: Collection[int]) -> dict[int, list[Contact]]:
        return schedule_queries.contacts_for_organisations(self.s, org_ids)

    def addresses(self, org_ids: Collection[int]) -> dict[int, list[ContactAddress]]:
        return schedule_queries.contact_addresses(self.s, org_ids)


class StaffRepo(_Repo[Staff]):
    row_cls, entity_cls = StaffRow, Staff

    def get_by_email(self, email: str) -> Staff | None:
        stmt = select(StaffRow).where(func.lower(StaffRow.email) == email.lower())
        return next(iter(self._entities(stmt)), None)

    def by_telegram_id(self, telegram_id: int) -> Staff | None:
        stmt = select(StaffRow).where(StaffRow.telegram_id == telegram_id)
        return next(iter(self._entities(stmt)), None)

    def add(self, staff: Staff) -> Staff:
        return self._add(staff)

    def update(self, staff: Staff) -> None:
        self._update(staff)

    def all(self) -> list[Staff]:
        return self._entities(select(StaffRow).order_by(StaffRow.id))


class SessionRepo(_Repo[MonitoringSession]):
    row_cls, entity_cls = SessionRow, MonitoringSession

    def get(self, session_id: int) -> MonitoringSession | None:
        return self._get(session_id)

    def get_by_name(self, name: str) -> MonitoringSession | None:
        return next(iter(self._entities(select(SessionRow).where(SessionRow.name == name))), None)

    def add(self, session: MonitoringSession) -> MonitoringSession:
        return self._add(session)

    def update(self, session: MonitoringSession) -> None:
        self._update(session)

    def baseline(self) -> MonitoringSession | None:
        stmt = select(SessionRow).where(SessionRow.is_baseline.is_(True))
        return next(iter(self._entities(stmt)), None)

    def all(self) -> list[MonitoringSession]:
        return self._entities(select(SessionRow).order_by(SessionRow.id))


class AssignmentRepo(_Repo[Assignment]):
    row_cls, entity_cls = AssignmentRow, Assignment

    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None:
        stmt = select(AssignmentRow).where(AssignmentRow.id == assignment_id)
        if for_update:
            # Serialises writers of one assignment on PostgreSQL; SQLite already holds
            # the database write lock (BEGIN IMMEDIATE, see storage.engine).
            stmt = stmt.with_for_update()
        return next(iter(self._entities(stmt)), None)

    def context(
        self, assignment_id: int, *, for_update: bool = False
    ) -> tuple[Assignment, MonitoringSession, Organisation] | None:
        stmt = _CONTEXT_FOR_UPDATE if for_update else _CONTEXT
        row = self.s.execute(stmt, {"assignment_id": assignment_id}).first()
        if row is None:
            return None
        return (
            _construct(Assignment, row[0]),
            _construct(MonitoringSession, row[1]),
            _construct(Organisation, row[2]),
        )

    def by_token_hash(self, token_hash: str) -> Assignment | None:
        stmt = select(AssignmentRow).where(AssignmentRow.token_hash == token_hash)
        return next(iter(self._entities(stmt)), None)

    def by_short_hash(self, short_hash: str) -> list[Assignment]:
        return self._entities(
            select(AssignmentRow).where(AssignmentRow.token_short_hash == short_hash)
        )

    def for_session(self, session_id: int) -> list[Assignment]:
        stmt = select(AssignmentRow).where(AssignmentRow.session_id == session_id)
        return self._entities(stmt.order_by(AssignmentRow.id))

    def for_organisation(self, org_id: int) -> list[Assignment]:
        stmt = select(AssignmentRow).where(AssignmentRow.organisation_id == org_id)
        return self._entities(stmt.order_by(AssignmentRow.id))

    def find(self, session_id: int, org_id: int, card: str) -> Assignment | None:
        stmt = select(AssignmentRow).where(
            AssignmentRow.session_id == session_id,
            AssignmentRow.organisation_id == org_id,
            AssignmentRow.card == card,
        )
        return next(iter(self._entities(stmt)), None)

    def add(self, assignment: Assignment) -> Assignment:
        return self._add(assignment)

    def update(self, assignment: Assignment) -> None:
        self._update(assignment)

    def touch(self, assignment: Assignment) -> None:
        """Write only what answering changes: position, activity times, revision."""
        params = {
            "assignment_id": assignment.id,
            "cursor": assignment.cursor,
            "started_at": assignment.started_at,
            "last_activity_at": assignment.last_activity_at,
            "revision": assignment.revision,
        }
        self.s.execute(_TOUCH, params, execution_options={"synchronize_session": False})

    def overview(
        self, session_ids: Collection[int], *, unsubmitted_only: bool = False
    ) -> list[AssignmentOverview]:
        return schedule_queries.overview(self.s, session_ids, unsubmitted_only)

    def lock_unsubmitted(self, assignment_ids: Collection[int]) -> set[int]:
        return schedule_queries.lock_unsubmitted(self.s, assignment_ids)


class AnswerRepo(_Repo[AnswerRecord]):
    row_cls, entity_cls = AnswerRow, AnswerRecord

    def _entity(self, row: Any) -> AnswerRecord:
        return _construct(AnswerRecord, row)  # rows of our own schema: the hot path

    def history(self, assignment_id: int) -> list[AnswerRecord]:
        rows = self.s.scalars(_HISTORY, {"assignment_id": assignment_id})
        return [self._entity(r) for r in rows]

    def history_for(self, assignment_ids: Sequence[int]) -> dict[int, list[AnswerRecord]]:
        result: dict[int, list[AnswerRecord]] = {i: [] for i in assignment_ids}
        for start in range(0, len(assignment_ids), 500):
            chunk = list(assignment_ids[start : start + 500])
            stmt = (
                select(AnswerRow)
                .where(AnswerRow.assignment_id.in_(chunk))
                .order_by(AnswerRow.assignment_id, AnswerRow.id)
            )
            for record in self._entities(stmt):
                result[record.assignment_id].append(record)
        return result

    def add(self, answer: AnswerRecord) -> AnswerRecord:
        return self._add(answer)

    def add_many(self, answers: Sequence[AnswerRecord]) -> None:
        # Core executemany (insertmanyvalues): no ORM objects on the hot path.
        if answers:
            rows = [a.model_dump(exclude={"id"}) for a in answers]
            self.s.execute(_ANSWER_TABLE.insert(), rows)

    def latest_values(self, assignment_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        return schedule_queries.latest_answer_values(self.s, assignment_ids)


class OutboxRepo(_Repo[OutboxMessage]):
    row_cls, entity_cls = OutboxRow, OutboxMessage

    def add(self, message: OutboxMessage) -> bool:
        return self._insert_ignoring_duplicates(message.model_dump(exclude={"id"}))

    def add_many(self, messages: Sequence[OutboxMessage]) -> list[str]:
        return outbox_bulk.add_outbox_many(self.s, messages)

    def records_since(self, kinds: Collection[str], since: datetime) -> list[OutboxRecord]:
        return schedule_queries.outbox_records_since(self.s, kinds, since)

    def sent_days(self, session_ids: Collection[int], kinds: Collection[str]) -> list[SentDay]:
        return schedule_queries.sent_days(self.s, session_ids, kinds)

    def get_by_key(self, dedupe_key: str) -> OutboxMessage | None:
        stmt = select(OutboxRow).where(OutboxRow.dedupe_key == dedupe_key)
        return next(iter(self._entities(stmt)), None)

    def all(self, status: str | None = None) -> list[OutboxMessage]:
        stmt = select(OutboxRow).order_by(OutboxRow.id)
        if status is not None:
            stmt = stmt.where(OutboxRow.status == status)
        return self._entities(stmt)

    def cancel_pending_for(self, assignment_id: int, kinds: Iterable[str]) -> int:
        stmt = (
            update(OutboxRow)
            .where(
                OutboxRow.assignment_id == assignment_id,
                OutboxRow.status == "pending",
                OutboxRow.kind.in_(list(kinds)),
            )
            .values(status="cancelled")
        )
        return int(self.s.execute(stmt).rowcount)

    def claim_due(
        self, channel: str, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxMessage]:
        """Lease due messages (also leases that ran out before any attempt)."""
        self.s.execute(
            update(OutboxRow)
            .where(
                OutboxRow.channel == channel,
                OutboxRow.status == "sending",
                OutboxRow.next_attempt_at <= now,
            )
            .values(status="unknown", last_error="dispatcher stopped during the send")
        )
        stmt = (
            select(OutboxRow)
            .where(
                OutboxRow.channel == channel,
                OutboxRow.status.in_(("pending", "leased")),
                OutboxRow.next_attempt_at <= now,
            )
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite holds the write lock
        )
        rows = list(self.s.scalars(stmt))
        for row in rows:
            row.status = "leased"
            row.next_attempt_at = lease_until
        self.s.flush()
        return [self._entity(r) for r in rows]

    def start_sending(self, message_id: int, lease_until: datetime) -> bool:
        """leased → sending, right before the send; False if the lease was lost."""
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id == message_id, OutboxRow.status == "leased")
            .values(status="sending", attempts=OutboxRow.attempts + 1, next_attempt_at=lease_until)
        )
        return bool(self.s.execute(stmt).rowcount)

    def get(self, message_id: int) -> OutboxMessage | None:
        return self._get(message_id)

    def set_delivery(
        self,
        message_id: int,
        *,
        status: str,
        next_attempt_at: datetime | None = None,
        last_error: str | None = None,
        sent_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "last_error": last_error}
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if sent_at is not None:
            values["sent_at"] = sent_at
        self.s.execute(update(OutboxRow).where(OutboxRow.id == message_id).values(**values))

    def backlog(self, now: datetime) -> dict[str, int]:
        stmt = (
            select(OutboxRow.channel, func.count())
            .where(OutboxRow.status.in_(("pending", "leased")), OutboxRow.next_attempt_at <= now)
            .group_by(OutboxRow.channel)
        )
        return {channel: int(count) for channel, count in self.s.execute(stmt)}


class InboundRepo(_Repo[InboundMessage]):
    row_cls, entity_cls = InboundMessageRow, InboundMessage

    def add(self, message: InboundMessage) -> InboundMessage | None:
        if not self._insert_ignoring_duplicates(message.model_dump(exclude={"id"})):
            return None
        stmt = select(InboundMessageRow).where(InboundMessageRow.sha256 == message.sha256)
        return next(iter(self._entities(stmt)), None)

    def get(self, message_id: int) -> InboundMessage | None:
        return self._get(message_id)

    def by_sha256(self, sha256: str) -> InboundMessage | None:
        stmt = select(InboundMessageRow).where(InboundMessageRow.sha256 == sha256)
        return next(iter(self._entities(stmt)), None)

    def with_status(self, statuses: Collection[str], limit: int = 200) -> list[InboundMessage]:
        stmt = select(InboundMessageRow).where(col(InboundMessageRow.status).in_(list(statuses)))
        return self._entities(stmt.order_by(InboundMessageRow.id).limit(limit))

    def set_outcome(
        self,
        message_id: int,
        *,
        status: str,
        expected: str | None = None,
        kind: str | None = None,
        assignment_id: int | None = None,
        error: str | None = None,
    ) -> bool:
        """Record what became of a message; with `expected`, only from that status."""
        stmt = update(InboundMessageRow).where(InboundMessageRow.id == message_id)
        if expected is not None:
            stmt = stmt.where(InboundMessageRow.status == expected)
        values = {"status": status, "kind": kind, "assignment_id": assignment_id, "error": error}
        return bool(self.s.execute(stmt.values(**values)).rowcount)

    def purge_raw(self, before: datetime) -> int:
        """Empty the raw bytes of messages received before `before` (RODO retention)."""
        stmt = (
            update(InboundMessageRow)
            .where(InboundMessageRow.received_at < before, func.length(InboundMessageRow.raw) > 0)
            .values(raw=b"")
        )
        return int(self.s.execute(stmt).rowcount)


# --- Indicators (issue #6): one bulk read of the inputs, snapshots of closed sessions ---

_VALUE_TABLE: Any = IndicatorValueRow.__table__
_COVERAGE_COLUMNS = (
    OrganisationRow.teryt, AssignmentRow.card, func.count(), func.count(AssignmentRow.submitted_at),
)  # fmt: skip
_VALUE_COLUMNS = (
    IndicatorValueRow.level, IndicatorValueRow.teryt, IndicatorValueRow.indicator,
    IndicatorValueRow.value, IndicatorValueRow.numerator, IndicatorValueRow.denominator,
    IndicatorValueRow.reason, IndicatorValueRow.cards,
)  # fmt: skip


class IndicatorRepo:
    """Reads for the indicators, in bulk, and the append-only snapshots."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def submitted_cards(self, session_id: int) -> list[tuple[int, str, str]]:
        stmt = (
            select(AssignmentRow.id, OrganisationRow.teryt, AssignmentRow.card)
            .join(OrganisationRow, OrganisationRow.id == AssignmentRow.organisation_id)
            .where(
                AssignmentRow.session_id == session_id,
                col(AssignmentRow.submitted_at).is_not(None),
            )
        )
        return [(int(i), t, c) for i, t, c in self.s.execute(stmt)]

    def submitted_answers(
        self, session_id: int, question_ids: Collection[str]
    ) -> Iterator[tuple[int, str, str | None]]:
        # Versions are appended, so within an assignment the answer id orders them; this
        # order is also the index order on SQLite (no sort). The value stays JSON text:
        # decoding a million JSON cells row by row would cost more than the query.
        stmt = (
            select(AnswerRow.assignment_id, AnswerRow.question_id, cast(AnswerRow.value, String))
            .join(AssignmentRow, AssignmentRow.id == AnswerRow.assignment_id)
            .where(
                AssignmentRow.session_id == session_id,
                col(AssignmentRow.submitted_at).is_not(None),
                col(AnswerRow.question_id).in_(sorted(question_ids)),
            )
            .order_by(AssignmentRow.id, AnswerRow.id)
        )
        return iter(_driver_rows(self.s, stmt))

    def coverage(self, session_id: int) -> list[tuple[str, str, int, int]]:
        stmt = (
            select(*_COVERAGE_COLUMNS)
            .join(OrganisationRow, OrganisationRow.id == AssignmentRow.organisation_id)
            .where(AssignmentRow.session_id == session_id)
            .group_by(OrganisationRow.teryt, AssignmentRow.card)
        )
        return [(t, c, int(a), int(s)) for t, c, a, s in self.s.execute(stmt)]

    def add_snapshot(
        self, snapshot: IndicatorSnapshot, values: Sequence[StoredValue]
    ) -> IndicatorSnapshot:
        row = IndicatorSnapshotRow(
            session_id=snapshot.session_id,
            definition_version=snapshot.definition_version,
            definitions=snapshot.definitions,
            coverage=snapshot.coverage,
            created_at=snapshot.created_at,
        )
        self.s.add(row)
        self.s.flush()
        if values:
            # Core executemany: a national snapshot is ~150,000 rows.
            params = [{"snapshot_id": row.id, **_value_dict(v)} for v in values]
            self.s.execute(_VALUE_TABLE.insert(), params)
        return _snapshot(row)

    def snapshots(self, session_id: int) -> list[IndicatorSnapshot]:
        stmt = select(IndicatorSnapshotRow).where(IndicatorSnapshotRow.session_id == session_id)
        return [_snapshot(r) for r in self.s.scalars(stmt.order_by(IndicatorSnapshotRow.id))]

    def snapshot_values(
        self, snapshot_id: int, level: str | None = None, prefix: str = ""
    ) -> list[StoredValue]:
        stmt = select(*_VALUE_COLUMNS).where(IndicatorValueRow.snapshot_id == snapshot_id)
        if level is not None:
            stmt = stmt.where(IndicatorValueRow.level == level)
        if prefix:
            stmt = stmt.where(col(IndicatorValueRow.teryt).startswith(prefix, autoescape=True))
        # A national snapshot holds ~150,000 values: plain driver rows (see _driver_rows).
        return [
            StoredValue(*row) for row in _driver_rows(self.s, stmt.order_by(IndicatorValueRow.id))
        ]


def _driver_rows(session: Session, stmt: Any) -> list[Any]:
    """The statement's rows as plain tuples from the driver's cursor, in this transaction.

    SQLAlchemy wraps every row in a Row object (~1 µs each); for the indicators' read of
    a whole session (a million rows at national scale) that is half the time, and these
    columns need no result processing.
    """
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _value_dict(value: StoredValue) -> dict[str, Any]:
    return {
        "level": value.level, "teryt": value.teryt, "indicator": value.indicator,
        "value": value.value, "numerator": value.numerator, "denominator": value.denominator,
        "reason": value.reason, "cards": value.cards,
    }  # fmt: skip


def _snapshot(row: IndicatorSnapshotRow) -> IndicatorSnapshot:
    return IndicatorSnapshot(
        session_id=row.session_id,
        definition_version=row.definition_version,
        created_at=row.created_at,
        definitions=row.definitions,
        coverage=row.coverage,
        id=row.id,
    )
