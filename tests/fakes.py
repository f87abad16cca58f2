"""Hand-written fakes of our own ports, for service-level tests (no mock.patch)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

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
from services.mail_ports import MailboxState, SentMail
from services.ports import (
    AssignmentOverview,
    ConflictError,
    ContactAddress,
    OutboxRecord,
    SentDay,
)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # the date in a scheduler dedupe key


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        """The fake now."""
        return self.current

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's keyword arguments."""
        self.current += timedelta(**delta)


@dataclass
class Store:
    """The fake database: plain dicts of entities, keyed by id."""

    rows: dict[str, dict[Any, Any]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def table(self, name: str) -> dict[Any, Any]:
        return self.rows.setdefault(name, {})

    def next_id(self, name: str) -> int:
        self.ids[name] = self.ids.get(name, 0) + 1
        return self.ids[name]


class _Table:
    name: str

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def rows(self) -> dict[Any, Any]:
        return self.store.table(self.name)

    def _all(self) -> list[Any]:
        return [r.model_copy(deep=True) for _, r in sorted(self.rows.items())]

    def _get(self, key: Any) -> Any:
        row = self.rows.get(key)
        return row.model_copy(deep=True) if row is not None else None

    def _add(self, entity: Any) -> Any:
        entity = entity.model_copy(deep=True)
        entity.id = self.store.next_id(self.name)
        self.rows[entity.id] = entity
        return entity.model_copy(deep=True)

    def _update(self, entity: Any) -> None:
        if entity.id not in self.rows:
            raise LookupError(entity.id)
        self.rows[entity.id] = entity.model_copy(deep=True)

    def _where(self, **match: Any) -> list[Any]:
        return [r for r in self._all() if all(getattr(r, k) == v for k, v in match.items())]


class FakeTerritories(_Table):
    name = "territory"

    def get(self, teryt: str) -> Territory | None:
        return self._get(teryt)

    def upsert(self, territory: Territory) -> None:
        self.rows[territory.teryt] = territory.model_copy()

    def all(self) -> list[Territory]:
        return self._all()


class FakeOrganisations(_Table):
    name = "organisation"

    def get(self, org_id: int) -> Organisation | None:
        return self._get(org_id)

    def get_by_external_id(self, external_id: str) -> Organisation | None:
        return next(iter(self._where(external_id=external_id)), None)

    def add(self, organisation: Organisation) -> Organisation:
        if self.get_by_external_id(organisation.external_id):
            raise ConflictError("external_id")
        return self._add(organisation)

    def update(self, organisation: Organisation) -> None:
        self._update(organisation)

    def all(self) -> list[Organisation]:
        return sorted(self._all(), key=lambda o: o.external_id)


class FakeContacts(_Table):
    name = "contact"

    def get(self, contact_id: int) -> Contact | None:
        return self._get(contact_id)

    def for_organisation(self, org_id: int) -> list[Contact]:
        return self._where(organisation_id=org_id)

    def by_telegram_user(self, telegram_user_id: int) -> list[Contact]:
        return self._where(telegram_user_id=telegram_user_id)

    def by_email(self, email: str) -> list[Contact]:
        return [c for c in self._all() if (c.email or "").lower() == email.lower()]

    def add(self, contact: Contact) -> Contact:
        return self._add(contact)

    def update(self, contact: Contact) -> None:
        self._update(contact)

    def for_organisations(self, org_ids: Collection[int]) -> dict[int, list[Contact]]:
        wanted, result = set(org_ids), {}
        for contact in self._all():
            if contact.organisation_id in wanted:
                result.setdefault(contact.organisation_id, []).append(contact)
        return result

    def addresses(self, org_ids: Collection[int]) -> dict[int, list[ContactAddress]]:
        return {
            org: [ContactAddress(*(getattr(c, f) for f in ContactAddress._fields)) for c in found]
            for org, found in self.for_organisations(org_ids).items()
        }


class FakeStaff(_Table):
    name = "staff"

    def get_by_email(self, email: str) -> Staff | None:
        return next((s for s in self._all() if s.email.lower() == email.lower()), None)

    def by_telegram_id(self, telegram_id: int) -> Staff | None:
        return next(iter(self._where(telegram_id=telegram_id)), None)

    def add(self, staff: Staff) -> Staff:
        return self._add(staff)

    def update(self, staff: Staff) -> None:
        self._update(staff)

    def all(self) -> list[Staff]:
        return self._all()


class FakeSessions(_Table):
    name = "session"

    def get(self, session_id: int) -> MonitoringSession | None:
        return self._get(session_id)

    def get_by_name(self, name: str) -> MonitoringSession | None:
        return next(iter(self._where(name=name)), None)

    def add(self, session: MonitoringSession) -> MonitoringSession:
        return self._add(session)

    def update(self, session: MonitoringSession) -> None:
        self._update(session)

    def baseline(self) -> MonitoringSession | None:
        return next(iter(self._where(is_baseline=True)), None)

    def all(self) -> list[MonitoringSession]:
        return self._all()


class FakeAssignments(_Table):
    name = "assignment"

    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None:
        return self._get(assignment_id)

    def context(
        self, assignment_id: int, *, for_update: bool = False
    ) -> tuple[Assignment, MonitoringSession, Organisation] | None:
        assignment = self.get(assignment_id)
        if assignment is None:
            return None
        session = self.store.table("session")[assignment.session_id].model_copy(deep=True)
        org = self.store.table("organisation")[assignment.organisation_id].model_copy(deep=True)
        return assignment, session, org

    def context_and_answer_count(
        self, assignment_id: int, *, for_update: bool = False
    ) -> tuple[Assignment, MonitoringSession, Organisation, int] | None:
        context = self.context(assignment_id)
        return (*context, FakeAnswers(self.store).count(assignment_id)) if context else None

    def by_token_hash(self, token_hash: str) -> Assignment | None:
        return next(iter(self._where(token_hash=token_hash)), None)

    def by_short_hash(self, short_hash: str) -> list[Assignment]:
        return self._where(token_short_hash=short_hash)

    def for_session(self, session_id: int) -> list[Assignment]:
        return self._where(session_id=session_id)

    def for_organisation(self, org_id: int) -> list[Assignment]:
        return self._where(organisation_id=org_id)

    def for_telegram_user(
        self, telegram_user_id: int
    ) -> list[tuple[Assignment, MonitoringSession, Organisation]]:
        contacts = self.store.table("contact").values()
        orgs = {c.organisation_id for c in contacts if c.telegram_user_id == telegram_user_id}
        found = [self.context(a.id or 0) for a in self._all() if a.organisation_id in orgs]
        return [context for context in found if context is not None]  # by id, as _all()

    def find(self, session_id: int, org_id: int, card: str) -> Assignment | None:
        return next(
            iter(self._where(session_id=session_id, organisation_id=org_id, card=card)), None
        )

    def add(self, assignment: Assignment) -> Assignment:
        if self.find(assignment.session_id, assignment.organisation_id, assignment.card):
            raise ConflictError("assignment exists")
        return self._add(assignment)

    def update(self, assignment: Assignment) -> None:
        self._update(assignment)

    def touch(self, assignment: Assignment) -> None:
        self._update(assignment)

    def mark_asked(self, assignment_id: int, question_id: str) -> None:
        assignment = self._get(assignment_id)
        if assignment is not None and assignment.cursor == question_id:
            self._update(assignment.model_copy(update={"asked": question_id}))

    def overview(
        self, session_ids: Collection[int], *, unsubmitted_only: bool = False
    ) -> list[AssignmentOverview]:
        orgs, found = self.store.table("organisation"), []
        for a in self._all():
            if a.session_id not in session_ids or (unsubmitted_only and a.submitted_at):
                continue
            org = orgs[a.organisation_id]
            row = (a.id, a.session_id, a.organisation_id, a.card, a.channel, a.extended_until,
                   a.submitted_at, a.started_at, a.last_activity_at,
                   org.external_id, org.name, org.teryt)  # fmt: skip
            found.append(AssignmentOverview(*row))
        return found

    def lock_unsubmitted(self, assignment_ids: Collection[int]) -> set[int]:
        return {i for i in assignment_ids if i in self.rows and self.rows[i].submitted_at is None}


class FakeAnswers(_Table):
    name = "answer"

    def history(self, assignment_id: int) -> list[AnswerRecord]:
        return self._where(assignment_id=assignment_id)

    def count(self, assignment_id: int) -> int:
        return len(self.history(assignment_id))

    def history_for(self, assignment_ids: Sequence[int]) -> dict[int, list[AnswerRecord]]:
        return {i: self.history(i) for i in assignment_ids}

    def add(self, answer: AnswerRecord) -> AnswerRecord:
        key = (answer.assignment_id, answer.question_id, answer.version)
        if any((r.assignment_id, r.question_id, r.version) == key for r in self.rows.values()):
            raise ConflictError("answer version exists")
        return self._add(answer)

    def add_many(self, answers: Sequence[AnswerRecord], *, touch: Assignment | None = None) -> None:
        for answer in answers:
            self.add(answer)
        if touch is not None:
            FakeAssignments(self.store).touch(touch)

    def latest_values(self, assignment_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        result: dict[int, dict[str, Any]] = {}
        for r in sorted(self.rows.values(), key=lambda r: r.version):
            if r.assignment_id in assignment_ids:
                result.setdefault(r.assignment_id, {})[r.question_id] = r.value
        return result


class FakeOutbox(_Table):
    name = "outbox"

    def add(self, message: OutboxMessage) -> bool:
        if self.get_by_key(message.dedupe_key) is not None:
            return False
        self._add(message)
        return True

    def add_many(self, messages: Sequence[OutboxMessage]) -> list[str]:
        ordered = sorted(messages, key=lambda m: m.dedupe_key)
        return [m.dedupe_key for m in ordered if self.add(m)]

    def records_since(self, kinds: Collection[str], since: datetime) -> list[OutboxRecord]:
        return [
            OutboxRecord(m.assignment_id, m.kind, m.dedupe_key, m.created_at)
            for m in self.rows.values()
            if m.kind in kinds and m.created_at >= since
        ]

    def sent_days(self, session_ids: Collection[int], kinds: Collection[str]) -> list[SentDay]:
        assignments = self.store.table("assignment")
        latest: dict[tuple[int | None, str], SentDay] = {}
        wanted = {(sid, kind) for sid in session_ids for kind in kinds}
        for m in sorted(self.rows.values(), key=lambda m: m.created_at):
            a = assignments.get(m.assignment_id)
            if a is None or a.submitted_at or (a.session_id, m.kind) not in wanted:
                continue
            part = [*m.dedupe_key.split(":"), "", ""][2]
            day = date.fromisoformat(part) if _ISO_DAY.fullmatch(part) else None
            key = (m.assignment_id, m.kind)
            before = latest.get(key)
            best = max((d for d in (day, before and before.day) if d), default=None)
            latest[key] = SentDay(m.assignment_id, m.kind, best, m.created_at)
        return list(latest.values())

    def get_by_key(self, dedupe_key: str) -> OutboxMessage | None:
        return next(iter(self._where(dedupe_key=dedupe_key)), None)

    def all(self, status: str | None = None) -> list[OutboxMessage]:
        return [m for m in self._all() if status is None or m.status == status]

    def cancel_pending_for(self, assignment_id: int, kinds: Iterable[str]) -> int:
        kinds = set(kinds)
        count = 0
        for m in self.rows.values():
            if m.assignment_id == assignment_id and m.status == "pending" and m.kind in kinds:
                m.status = "cancelled"
                count += 1
        return count

    def claim_due(
        self, channel: str, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxMessage]:
        mine = [m for m in self.rows.values() if m.channel == channel]
        for m in mine:
            if m.status == "sending" and m.next_attempt_at <= now:
                m.status, m.last_error = "unknown", "dispatcher stopped during the send"
        due = [m for m in mine if m.status in ("pending", "leased") and m.next_attempt_at <= now]
        due.sort(key=lambda m: (m.next_attempt_at, m.id))
        for m in due[:limit]:
            m.status, m.next_attempt_at = "leased", lease_until
        return [m.model_copy(deep=True) for m in due[:limit]]

    def start_sending(self, message_id: int, lease_until: datetime) -> bool:
        m = self.rows[message_id]
        if m.status != "leased":
            return False
        m.status, m.attempts, m.next_attempt_at = "sending", m.attempts + 1, lease_until
        return True

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
        m = self.rows[message_id]
        m.status, m.last_error = status, last_error
        if next_attempt_at is not None:
            m.next_attempt_at = next_attempt_at
        if sent_at is not None:
            m.sent_at = sent_at
        if attempts is not None:
            m.attempts = attempts

    def backlog(self, now: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.rows.values():
            if m.status in ("pending", "leased") and m.next_attempt_at <= now:
                counts[m.channel] = counts.get(m.channel, 0) + 1
        return counts


class FakeInbound(_Table):
    name = "inbound"

    def add(self, message: InboundMessage) -> InboundMessage | None:
        place = (message.folder, message.uidvalidity, message.uid)
        for m in self.rows.values():
            same_place = message.uid is not None and (m.folder, m.uidvalidity, m.uid) == place
            if m.sha256 == message.sha256 or same_place:
                return None
        return self._add(message)

    def get(self, message_id: int) -> InboundMessage | None:
        return self._get(message_id)

    def by_sha256(self, sha256: str) -> InboundMessage | None:
        return next(iter(self._where(sha256=sha256)), None)

    def with_status(self, statuses: Collection[str], limit: int = 200) -> list[InboundMessage]:
        return [m for m in self._all() if m.status in statuses][:limit]

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
        m = self.rows.get(message_id)
        if m is None or (expected is not None and m.status != expected):
            return False
        m.status, m.kind, m.assignment_id, m.error = status, kind, assignment_id, error
        return True

    def purge_raw(self, before: datetime) -> int:
        old = [m for m in self.rows.values() if m.received_at < before and m.raw]
        for m in old:
            m.raw = b""
        return len(old)


class FakeMailboxes(_Table):
    name = "mailbox_state"

    def get(self, mailbox: str) -> MailboxState | None:
        return copy.deepcopy(self.rows.get(mailbox))

    def save(self, state: MailboxState) -> None:
        self.rows[state.mailbox] = copy.deepcopy(state)


class FakeSentMail(_Table):
    name = "mail_sent"

    def add(self, sent: SentMail) -> bool:
        for s in self.rows.values():
            if s.outbox_id == sent.outbox_id or s.message_id == sent.message_id:
                return False
        self.rows[self.store.next_id(self.name)] = sent
        return True

    def by_message_ids(self, message_ids: Sequence[str]) -> list[SentMail]:
        return [s for _, s in sorted(self.rows.items()) if s.message_id in message_ids]


class FakeIndicators:
    """Indicator inputs read from the other fake tables; snapshots kept as copies."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def submitted_cards(self, session_id: int) -> list[tuple[int, str, str]]:
        orgs = self.store.table("organisation")
        return [
            (i, orgs[a.organisation_id].teryt, a.card)
            for i, a in sorted(self.store.table("assignment").items())
            if a.session_id == session_id and a.submitted_at is not None
        ]

    def submitted_answers(
        self, session_id: int, question_ids: Collection[str]
    ) -> Iterator[tuple[int, str, str | None]]:
        cards = {i for i, _, _ in self.submitted_cards(session_id)}
        records = sorted(self.store.table("answer").values(), key=lambda r: (r.assignment_id, r.id))
        return iter(
            [
                (r.assignment_id, r.question_id, json.dumps(r.value))
                for r in records
                if r.assignment_id in cards and r.question_id in question_ids
            ]
        )

    def coverage(self, session_id: int) -> list[tuple[str, str, int, int]]:
        counts: dict[tuple[str, str], list[int]] = {}
        orgs = self.store.table("organisation")
        for a in self.store.table("assignment").values():
            if a.session_id == session_id:
                total = counts.setdefault((orgs[a.organisation_id].teryt, a.card), [0, 0])
                total[0] += 1
                total[1] += a.submitted_at is not None
        return [(t, c, n, s) for (t, c), (n, s) in sorted(counts.items())]

    def add_snapshot(
        self, snapshot: IndicatorSnapshot, values: Sequence[StoredValue]
    ) -> IndicatorSnapshot:
        snapshots = self.store.table("indicator_snapshot")
        key = (snapshot.session_id, snapshot.definition_version)
        if any((s.session_id, s.definition_version) == key for s in snapshots.values()):
            raise ConflictError("snapshot exists")
        stored = copy.deepcopy(snapshot)
        stored.id = self.store.next_id("indicator_snapshot")
        snapshots[stored.id] = stored
        self.store.table("indicator_value")[stored.id] = list(values)
        return copy.deepcopy(stored)

    def snapshots(self, session_id: int) -> list[IndicatorSnapshot]:
        snapshots = sorted(self.store.table("indicator_snapshot").items())
        return [copy.deepcopy(s) for _, s in snapshots if s.session_id == session_id]

    def snapshot_values(
        self, snapshot_id: int, level: str | None = None, prefix: str = ""
    ) -> list[StoredValue]:
        values = self.store.table("indicator_value").get(snapshot_id, [])
        return [
            v for v in values
            if (level is None or v.level == level) and v.teryt.startswith(prefix)
        ]  # fmt: skip


class FakeUnitOfWork:
    """Transactions over the shared Store: a snapshot restored unless committed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.commits = 0

    def __enter__(self) -> Self:
        self._snapshot = copy.deepcopy((self.store.rows, self.store.ids))
        s = self.store
        self.territories = FakeTerritories(s)
        self.organisations = FakeOrganisations(s)
        self.contacts = FakeContacts(s)
        self.staff = FakeStaff(s)
        self.sessions = FakeSessions(s)
        self.assignments = FakeAssignments(s)
        self.answers = FakeAnswers(s)
        self.outbox = FakeOutbox(s)
        self.inbound = FakeInbound(s)
        self.indicators = FakeIndicators(s)
        self.mailboxes = FakeMailboxes(s)
        self.sent_mail = FakeSentMail(s)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self._snapshot = copy.deepcopy((self.store.rows, self.store.ids))
        self.commits += 1

    def rollback(self) -> None:
        self.store.rows, self.store.ids = copy.deepcopy(self._snapshot)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = copy.deepcopy((self.store.rows, self.store.ids))
        try:
            yield
        except BaseException:
            self.store.rows, self.store.ids = saved
            raise
