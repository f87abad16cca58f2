"""SQL repositories: they map rows to domain entities and never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

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
from storage.driver import Compiled, DriverStatement, Transactional
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

# Statements of the answering hot path, built once (constants, not state) and run on the
# driver's cursor (storage.driver): building a statement, and SQLAlchemy's execution
# machinery, cost more than SQLite takes to run one.
_ASSIGNMENT: Any = AssignmentRow.__table__
_SESSION: Any = SessionRow.__table__
_ORGANISATION: Any = OrganisationRow.__table__
_ANSWER_TABLE: Any = AnswerRow.__table__


def _entity_columns(table: Any, entity_cls: type[BaseModel]) -> list[Any]:
    return [table.c[name] for name in entity_cls.model_fields]


_CONTEXT_ENTITIES = (
    (Assignment, _entity_columns(_ASSIGNMENT, Assignment)),
    (MonitoringSession, _entity_columns(_SESSION, MonitoringSession)),
    (Organisation, _entity_columns(_ORGANISATION, Organisation)),
)
_CONTEXT_SELECT = (
    select(*(c for _, columns in _CONTEXT_ENTITIES for c in columns))
    .join_from(_ASSIGNMENT, _SESSION, _SESSION.c.id == _ASSIGNMENT.c.session_id)
    .join(_ORGANISATION, _ORGANISATION.c.id == _ASSIGNMENT.c.organisation_id)
    .where(_ASSIGNMENT.c.id == bindparam("assignment_id"))
)
_CONTEXT = DriverStatement(_CONTEXT_SELECT)
_CONTEXT_FOR_UPDATE = DriverStatement(_CONTEXT_SELECT.with_for_update(of=_ASSIGNMENT))
# A chat's respondent: every assignment of the organisations their contacts belong to.
_CONTACT: Any = ContactRow.__table__
_OF_TELEGRAM_USER = DriverStatement(
    select(*(c for _, columns in _CONTEXT_ENTITIES for c in columns))
    .join_from(_ASSIGNMENT, _SESSION, _SESSION.c.id == _ASSIGNMENT.c.session_id)
    .join(_ORGANISATION, _ORGANISATION.c.id == _ASSIGNMENT.c.organisation_id)
    .where(
        _ASSIGNMENT.c.organisation_id.in_(
            select(_CONTACT.c.organisation_id).where(
                _CONTACT.c.telegram_user_id == bindparam("telegram_user_id")
            )
        )
    )
    .order_by(_ASSIGNMENT.c.id)
)
_CONTACT_FIELDS = tuple(Contact.model_fields)
_CONTACTS_OF_TELEGRAM_USER = DriverStatement(
    select(*_entity_columns(_CONTACT, Contact))
    .where(_CONTACT.c.telegram_user_id == bindparam("telegram_user_id"))
    .order_by(_CONTACT.c.id)
)


# The rows _context_of decoded last, by entity class and id: (driver row, entity).
_SEEN: dict[tuple[type[BaseModel], Any], tuple[Sequence[Any], BaseModel]] = {}
_SEEN_LIMIT = 4096
_CONTEXT_FIELDS = tuple((cls, tuple(cls.model_fields)) for cls, _ in _CONTEXT_ENTITIES)


def _context_of(
    values: Sequence[Any], compiled: Compiled
) -> tuple[Assignment, MonitoringSession, Organisation]:
    """An assignment, its session and its organisation from one driver row of
    _CONTEXT_SELECT (see _entity_of)."""
    start, entities = 0, []
    for entity_cls, names in _CONTEXT_FIELDS:
        end = start + len(names)
        entities.append(_entity_of(entity_cls, names, values, start, end, compiled))
        start = end
    assignment, session, organisation = entities
    assert isinstance(assignment, Assignment)
    assert isinstance(session, MonitoringSession)
    assert isinstance(organisation, Organisation)
    return assignment, session, organisation


def _entity_of(
    entity_cls: type[BaseModel],
    names: tuple[str, ...],
    values: Sequence[Any],
    start: int,
    end: int,
    compiled: Compiled,
) -> BaseModel:
    """The entity of columns `start:end` of a driver row. When a row of the same entity
    was decoded before, only the columns that differ from it are decoded (an unchanged
    session or organisation: none; an assignment: what answering changed), on a copy of
    the entity made then, so the callers' changes never reach it."""
    raw = values[start:end]
    key = (entity_cls, raw[0])  # the id comes first (entity field order)
    seen = _SEEN.get(key)
    if seen is None:
        fields = compiled.process(values, start, end)
        entity = entity_cls.model_construct(**dict(zip(names, fields, strict=True)))
    elif seen[0] == raw:
        return _copy(seen[1])
    else:
        before = seen[0]
        changed = {
            name: compiled.value(values, start + i)
            for i, name in enumerate(names)
            if raw[i] != before[i]
        }
        entity = _copy(seen[1], changed)
    if len(_SEEN) >= _SEEN_LIMIT:
        _SEEN.clear()
    _SEEN[key] = (raw, _copy(entity))
    return entity


def _copy(entity: BaseModel, update: dict[str, Any] | None = None) -> BaseModel:
    """`entity.model_copy(update=update)` for the context entities, which have neither
    extra fields nor private attributes (tests/integration/test_answer_path.py):
    pydantic's generic copy costs a few µs an entity, three entities an answer."""
    clone = object.__new__(type(entity))
    fields = entity.__dict__.copy()
    fields_set = set(entity.__pydantic_fields_set__)
    if update:
        fields.update(update)
        fields_set.update(update)
    object.__setattr__(clone, "__dict__", fields)
    object.__setattr__(clone, "__pydantic_extra__", None)
    object.__setattr__(clone, "__pydantic_fields_set__", fields_set)
    object.__setattr__(clone, "__pydantic_private__", None)
    return clone


_ANSWER_FIELDS = tuple(AnswerRecord.model_fields)
_HISTORY = DriverStatement(
    select(*_entity_columns(_ANSWER_TABLE, AnswerRecord))
    .where(_ANSWER_TABLE.c.assignment_id == bindparam("assignment_id"))
    .order_by(_ANSWER_TABLE.c.id)
)
_ANSWER_COUNT = DriverStatement(
    select(func.count())
    .select_from(_ANSWER_TABLE)
    .where(_ANSWER_TABLE.c.assignment_id == bindparam("assignment_id"))
)
# SQLite: the context and the number of answer versions in one statement. BEGIN
# IMMEDIATE already holds the database's write lock and a statement reads one snapshot,
# so this is the count a statement of its own would read next (PostgreSQL: see
# AssignmentRepo.context_and_answer_count).
_COUNTED_CONTEXT = DriverStatement(
    _CONTEXT_SELECT.add_columns(
        select(func.count())
        .select_from(_ANSWER_TABLE)
        .where(_ANSWER_TABLE.c.assignment_id == _ASSIGNMENT.c.id)
        .scalar_subquery()
    )
)
_ANSWER_INSERT_FIELDS = tuple(f for f in _ANSWER_FIELDS if f != "id")
_ANSWER_INSERT = DriverStatement(
    _ANSWER_TABLE.insert()
    .inline()  # no RETURNING of the new ids: nothing reads them
    .values({f: bindparam(f) for f in _ANSWER_INSERT_FIELDS})
)
_TOUCH_FIELDS = ("cursor", "started_at", "last_activity_at", "revision")
_TOUCH = DriverStatement(
    update(_ASSIGNMENT)
    .where(_ASSIGNMENT.c.id == bindparam("assignment_id"))
    .values({f: bindparam(f) for f in _TOUCH_FIELDS})
)
# PostgreSQL: an answer version and the touch in one statement (a data-modifying WITH,
# run once whether or not the UPDATE reads it): a round trip fewer per chat answer.
_ANSWER_INSERT_AND_TOUCH = DriverStatement(
    update(_ASSIGNMENT)
    .where(_ASSIGNMENT.c.id == bindparam("touched_id"))
    .values({f: bindparam(f) for f in _TOUCH_FIELDS})
    .add_cte(
        _ANSWER_TABLE.insert().values({f: bindparam(f) for f in _ANSWER_INSERT_FIELDS}).cte("added")
    )
)
_MARK_ASKED = DriverStatement(
    update(_ASSIGNMENT)
    .where(
        _ASSIGNMENT.c.id == bindparam("assignment_id"),
        _ASSIGNMENT.c.cursor == bindparam("question_id"),
    )
    .values(asked=bindparam("asked"))
)


def _touch_values(assignment: Assignment, id_name: str) -> dict[str, Any]:
    """The parameters of a touch: what answering changes, and the assignment's id."""
    values = {f: assignment.__dict__[f] for f in _TOUCH_FIELDS}
    values[id_name] = assignment.id
    return values


def _answer_count(tx: Transactional, assignment_id: int) -> int:
    return int(_ANSWER_COUNT.rows(tx, {"assignment_id": assignment_id})[0][0])


def _construct(entity_cls: type[E], row: Any) -> E:
    """An entity from a row of our own schema, without re-validation (hot paths only)."""
    return entity_cls.model_construct(**{f: getattr(row, f) for f in entity_cls.model_fields})


class SessionSource(Transactional, Protocol):
    """What repositories run on: a unit of work's connection (driver statements) and its
    ORM session, which it creates only when a repository first asks for it."""

    @property
    def session(self) -> Session: ...


class _Repo(Generic[E]):
    """Field-by-field mapping between one table and one entity class."""

    row_cls: Any
    entity_cls: type[E]

    def __init__(self, source: SessionSource) -> None:
        self.tx: SessionSource = source  # DriverStatements run on its connection

    @property
    def s(self) -> Session:
        """The unit of work's ORM session."""
        return self.tx.session

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
        rows = _CONTACTS_OF_ORGANISATION.rows(self.tx, {"organisation_id": org_id})
        return [Contact.model_construct(**dict(zip(_CONTACT_FIELDS, r, strict=True))) for r in rows]

    def by_telegram_user(self, telegram_user_id: int) -> list[Contact]:
        rows = _CONTACTS_OF_TELEGRAM_USER.rows(self.tx, {"telegram_user_id": telegram_user_id})
        return [Contact.model_construct(**dict(zip(_CONTACT_FIELDS, r, strict=True))) for r in rows]

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
        rows, compiled = stmt.raw_rows(self.tx, {"assignment_id": assignment_id})
        if not rows:
            return None
        return _context_of(rows[0], compiled)

    def context_and_answer_count(
        self, assignment_id: int, *, for_update: bool = False
    ) -> tuple[Assignment, MonitoringSession, Organisation, int] | None:
        if self.tx.connection().dialect.name == "sqlite":
            rows, compiled = _COUNTED_CONTEXT.raw_rows(self.tx, {"assignment_id": assignment_id})
            return (*_context_of(rows[0], compiled), int(rows[0][-1])) if rows else None
        # PostgreSQL (READ COMMITTED): a subquery of SELECT … FOR UPDATE would count on the
        # snapshot taken before the lock wait (only the locked row is re-checked); a
        # statement of its own, after the lock, sees every writer that committed before it.
        context = self.context(assignment_id, for_update=for_update)
        return (*context, _answer_count(self.tx, assignment_id)) if context else None

    def for_telegram_user(
        self, telegram_user_id: int
    ) -> list[tuple[Assignment, MonitoringSession, Organisation]]:
        rows, compiled = _OF_TELEGRAM_USER.raw_rows(self.tx, {"telegram_user_id": telegram_user_id})
        return [_context_of(row, compiled) for row in rows]

    def by_token_hash(self, token_hash: str) -> Assignment | None:
        rows = _BY_TOKEN_HASH.rows(self.tx, {"token_hash": token_hash})
        if not rows:
            return None
        return Assignment.model_construct(**dict(zip(_ASSIGNMENT_FIELDS, rows[0], strict=True)))

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
        _TOUCH.execute(self.tx, _touch_values(assignment, "assignment_id"))

    def mark_asked(self, assignment_id: int, question_id: str) -> None:
        params = {"assignment_id": assignment_id, "question_id": question_id, "asked": question_id}
        _MARK_ASKED.execute(self.tx, params)

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
        rows = _HISTORY.rows(self.tx, {"assignment_id": assignment_id})
        construct, fields = AnswerRecord.model_construct, _ANSWER_FIELDS
        return [construct(**dict(zip(fields, row, strict=True))) for row in rows]

    def count(self, assignment_id: int) -> int:
        """How many answer versions the assignment has (versions are only ever added)."""
        return _answer_count(self.tx, assignment_id)

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

    def add_many(self, answers: Sequence[AnswerRecord], *, touch: Assignment | None = None) -> None:
        postgresql = self.tx.connection().dialect.name == "postgresql"
        if touch is not None and len(answers) == 1 and postgresql:
            values = {**answers[0].__dict__, **_touch_values(touch, "touched_id")}
            _ANSWER_INSERT_AND_TOUCH.execute(self.tx, values)
            return
        # One executemany on the driver: no ORM objects, no re-validation on the hot path.
        _ANSWER_INSERT.execute_many(self.tx, [a.__dict__ for a in answers])  # the field values
        if touch is not None:
            _TOUCH.execute(self.tx, _touch_values(touch, "assignment_id"))

    def latest_values(self, assignment_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        return schedule_queries.latest_answer_values(self.s, assignment_ids)


class OutboxRepo(_Repo[OutboxMessage]):
    row_cls, entity_cls = OutboxRow, OutboxMessage

    def add(self, message: OutboxMessage) -> bool:
        values = {f: getattr(message, f) for f in _OUTBOX_INSERT_FIELDS}
        return bool(_OUTBOX_INSERT[_dialect(self.s)].rows(self.tx, values))

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
        attempts: int | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "last_error": last_error}
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if sent_at is not None:
            values["sent_at"] = sent_at
        if attempts is not None:
            values["attempts"] = attempts
        self.s.execute(update(OutboxRow).where(OutboxRow.id == message_id).values(**values))

    def backlog(self, now: datetime) -> dict[str, int]:
        stmt = (
            select(OutboxRow.channel, func.count())
            .where(OutboxRow.status.in_(("pending", "leased")), OutboxRow.next_attempt_at <= now)
            .group_by(OutboxRow.channel)
        )
        return {channel: int(count) for channel, count in self.s.execute(stmt)}


# Statements of the mail ingestion path (bench/mail.py), run like the answering ones
# above: each reply is stored, matched by its token and recorded with its outcome and
# reply, a few statements whose building cost more than their execution.
_INBOUND: Any = InboundMessageRow.__table__
_OUTBOX: Any = OutboxRow.__table__
_INBOUND_FIELDS = tuple(InboundMessage.model_fields)
_OUTBOX_INSERT_FIELDS = tuple(f for f in OutboxMessage.model_fields if f != "id")


def _insert_ignoring(table: Any, fields: Sequence[str], returning: Sequence[Any]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING, one DriverStatement per dialect."""
    return {
        name: DriverStatement(
            dialect.insert(table)
            .values({f: bindparam(f) for f in fields})
            .on_conflict_do_nothing()
            .returning(*returning)
        )
        for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
    }


_INBOUND_INSERT = _insert_ignoring(
    _INBOUND,
    [f for f in _INBOUND_FIELDS if f != "id"],
    _entity_columns(_INBOUND, InboundMessage),
)
_OUTBOX_INSERT = _insert_ignoring(_OUTBOX, _OUTBOX_INSERT_FIELDS, [_OUTBOX.c.id])
_OUTCOME_VALUES: dict[str, Any] = {
    "status": bindparam("status"),
    "kind": bindparam("kind"),
    "assignment_id": bindparam("assignment_id"),
    "error": bindparam("error"),
}
_SET_OUTCOME = DriverStatement(
    update(_INBOUND).where(_INBOUND.c.id == bindparam("message_id")).values(_OUTCOME_VALUES)
)
_SET_OUTCOME_FROM = DriverStatement(
    update(_INBOUND)
    .where(_INBOUND.c.id == bindparam("message_id"), _INBOUND.c.status == bindparam("expected"))
    .values(_OUTCOME_VALUES)
)
_ASSIGNMENT_FIELDS = tuple(Assignment.model_fields)
_BY_TOKEN_HASH = DriverStatement(
    select(*_entity_columns(_ASSIGNMENT, Assignment)).where(
        _ASSIGNMENT.c.token_hash == bindparam("token_hash")
    )
)
_CONTACTS_OF_ORGANISATION = DriverStatement(
    select(*_entity_columns(_CONTACT, Contact))
    .where(_CONTACT.c.organisation_id == bindparam("organisation_id"))
    .order_by(_CONTACT.c.id)
)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


class InboundRepo(_Repo[InboundMessage]):
    row_cls, entity_cls = InboundMessageRow, InboundMessage

    def add(self, message: InboundMessage) -> InboundMessage | None:
        values = {f: getattr(message, f) for f in _INBOUND_FIELDS if f != "id"}
        rows = _INBOUND_INSERT[_dialect(self.s)].rows(self.tx, values)
        if not rows:
            return None
        return InboundMessage.model_construct(**dict(zip(_INBOUND_FIELDS, rows[0], strict=True)))

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
        values = {
            "message_id": message_id, "status": status, "kind": kind,
            "assignment_id": assignment_id, "error": error,
        }  # fmt: skip
        if expected is None:
            return bool(_SET_OUTCOME.execute(self.tx, values))
        return bool(_SET_OUTCOME_FROM.execute(self.tx, {**values, "expected": expected}))

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

    def __init__(self, source: SessionSource) -> None:
        self.source = source

    @property
    def s(self) -> Session:
        """The unit of work's ORM session."""
        return self.source.session

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
