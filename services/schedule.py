"""The scheduler's use case: one tick enqueues whatever the harmonogram says is due now.

A tick holds no state worth keeping: it reads the open sessions, their assignments and
what the outbox already holds (a few bulk queries), asks the domain what is due
(domain.schedule R1–R8 and S1–S5) and writes the due messages under unique dedupe
keys. Two ticks at once, or a tick after a restart, write each message once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from domain.cards.catalog import CardCatalog
from domain.entities import MonitoringSession, OutboxMessage, SessionState
from domain.errors import NotFound
from domain.schedule import (
    HarmonogramError,
    PlannedMessage,
    WorkCalendar,
    due_now,
    load_harmonogram,
    problem_alert_due_at,
)
from domain.schedule.calendar import require_aware
from services.card_state import Provenance
from services.ports import AssignmentOverview, Clock, UnitOfWork, UnitOfWorkFactory
from services.schedule_facts import (
    ASSIGNMENT_KINDS,
    STAFF_KINDS,
    Calendars,
    SessionPlan,
    assignment_sent,
    facts_of,
    staff_sent,
)
from services.schedule_messages import (
    MissingCodes,
    outbox_message,
    respondent_address,
    respondent_payload,
)
from services.schedule_preview import PreviewItem, respondent_items, staff_items
from services.schedule_problems import problem_alerts, problem_text
from services.schedule_staff import gmina_names, opening_midnight, staff_alerts, staff_messages
from services.sessions import find_session
from services.unit import with_retries

log = logging.getLogger(__name__)

# channels.md: reminders "never interrupt a card being filled". Someone who answered
# this recently is filling it now; their reminder waits for a later tick that day.
FILLING_GRACE = timedelta(minutes=10)

Due = tuple[AssignmentOverview, PlannedMessage]


@dataclass(frozen=True)
class TickResult:
    """What one tick did."""

    enqueued: dict[str, int] = field(default_factory=dict)  # rows written, by kind
    unreachable: int = 0  # due, but no channel of the organisation works (logged)
    deferred: int = 0  # due, but the respondent is filling the card right now

    @property
    def total(self) -> int:
        """Messages written by this tick."""
        return sum(self.enqueued.values())


class ScheduleService:
    """Reminders, overdue notices and staff alerts, enqueued into the outbox."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.calendars = Calendars()
        self.missing = MissingCodes(catalog)

    def tick(self, at: datetime | None = None) -> TickResult:
        """One pass: enqueue everything due at `at` (default: now) that is not enqueued yet."""
        now = at or self.clock.now()
        require_aware(now)
        return with_retries(self.uow, lambda uow: self._tick(uow, now))

    def preview(self, name: str, at: datetime | None = None) -> list[PreviewItem]:
        """What the scheduler plans to send for the session from `at` (default: now) on."""
        at = at or self.clock.now()
        require_aware(at)
        with self.uow() as uow:
            session = find_session(uow, name)
            if session.state == SessionState.CLOSED:
                return []  # R7: nothing after the session closed
            plan = self.calendars.plan(session)
            rows = uow.assignments.overview([session.id or 0], unsubmitted_only=True)
            records = uow.outbox.records_for_sessions([session.id or 0], ASSIGNMENT_KINDS)
            contacts = uow.contacts.addresses({r.organisation_id for r in rows})
            staff = uow.staff.all()
            since = opening_midnight(plan)
            staff_records = uow.outbox.records_since(STAFF_KINDS, since)
        sent = assignment_sent(records, lambda _aid: plan.calendar.tz)
        items = [
            item
            for row in rows
            for item in respondent_items(
                row, facts_of(row, plan, sent), plan, contacts.get(row.organisation_id, []), at
            )
        ]
        items += staff_items(rows, plan, staff, staff_sent(staff_records, plan.calendar.tz), at)
        return sorted(items, key=lambda i: (i.due_at, i.external_id or "", i.recipient or ""))

    def report_problem(self, assignment_id: int, text: str, provenance: Provenance) -> int:
        """Tell the staff covering the organisation's gmina of a transmission problem (S5).

        Returns how many staff members will be told (0 only when there are no staff).
        """
        description = problem_text(text)
        now = self.clock.now()

        def work(uow: UnitOfWork) -> int:
            context = uow.assignments.context(assignment_id)
            if context is None:
                raise NotFound("Nie znaleziono tej karty.", "This card was not found.")
            assignment, session, org = context
            due_at = problem_alert_due_at(now, self._calendar(session))
            messages = problem_alerts(
                (assignment_id, session, org, assignment.card),
                description, provenance, uow.staff.all(), now, due_at,
            )  # fmt: skip
            uow.outbox.add_many(messages)
            uow.commit()
            if not messages:
                log.error("problem reported for assignment %s but no staff", assignment_id)
            return len(messages)

        return with_retries(self.uow, work)

    def _calendar(self, session: MonitoringSession) -> WorkCalendar:
        """The session's calendar; the default one when its harmonogram is broken."""
        try:
            return self.calendars.plan(session).calendar
        except HarmonogramError:
            # A broken harmonogram must not swallow a respondent's call for help.
            return WorkCalendar(load_harmonogram())

    def _tick(self, uow: UnitOfWork, now: datetime) -> TickResult:
        """The tick inside one transaction."""
        sessions = [s for s in uow.sessions.all() if s.state == SessionState.OPEN]
        plans = {
            sid: plan
            for sid, plan in self.calendars.plans(sessions).items()
            if plan.calendar.in_duty_hours(now)  # R8/S4: nothing outside duty hours
        }
        if not plans:
            return TickResult()
        rows = uow.assignments.overview(list(plans), unsubmitted_only=True)  # R7
        due, deferred = self._respondents_due(uow, rows, plans, now)
        staff_due = staff_alerts(uow, rows, plans, now)
        messages, unreachable = self._respondent_messages(uow, due, plans, now)
        messages += staff_messages(uow, staff_due, rows, now)
        # Lock what we write to: a submission racing this tick either commits first
        # (its assignment drops out here) or waits and then cancels what we queued.
        assignment_ids = {m.assignment_id for m in messages if m.kind in ASSIGNMENT_KINDS}
        unsubmitted = uow.assignments.lock_unsubmitted(assignment_ids)  # type: ignore[arg-type]
        messages = [
            m for m in messages if m.kind not in ASSIGNMENT_KINDS or m.assignment_id in unsubmitted
        ]
        inserted = set(uow.outbox.add_many(messages))
        uow.commit()
        counts = Counter(m.kind for m in messages if m.dedupe_key in inserted)
        return TickResult(dict(sorted(counts.items())), unreachable, deferred)

    def _respondents_due(
        self,
        uow: UnitOfWork,
        rows: Sequence[AssignmentOverview],
        plans: Mapping[int, SessionPlan],
        now: datetime,
    ) -> tuple[list[Due], int]:
        """The one message due now per assignment, if any (R1–R8), and how many wait."""
        tz_of = {sid: plan.calendar.tz for sid, plan in plans.items()}
        session_of = {r.assignment_id: r.session_id for r in rows}
        records = uow.outbox.records_for_sessions(list(plans), ASSIGNMENT_KINDS)
        mine = (r for r in records if r.assignment_id in session_of)  # submitted: not asked
        sent = assignment_sent(mine, lambda aid: tz_of[session_of[aid]])
        due, deferred = [], 0
        alike: dict[tuple[object, ...], list[PlannedMessage]] = {}
        for row in rows:
            # Assignments that differ only in their id get the same answer from the domain
            # (thousands share a session, a card and what went): ask it once per kind.
            key = (row.session_id, row.card, row.extended_until, sent.get(row.assignment_id))
            planned = alike.get(key)
            if planned is None:
                plan = plans[row.session_id]
                facts = facts_of(row, plan, sent)
                planned = alike[key] = due_now(facts, plan.calendar, plan.harmonogram, now)
            if not planned:
                continue
            if row.last_activity_at is not None and now - row.last_activity_at < FILLING_GRACE:
                deferred += 1
                continue
            due.append((row, replace(planned[0], recipient_id=str(row.assignment_id))))
        return due, deferred

    def _respondent_messages(
        self, uow: UnitOfWork, due: list[Due], plans: Mapping[int, SessionPlan], now: datetime
    ) -> tuple[list[OutboxMessage], int]:
        """Outbox rows of the due respondent messages; the count of unreachable ones."""
        if not due:
            return [], 0
        contacts = uow.contacts.addresses({row.organisation_id for row, _ in due})
        missing = self.missing.of(uow, [row for row, p in due if p.kind != "invitation"])
        gminy = gmina_names(uow)
        messages, unreachable = [], 0
        for row, planned in due:
            address = respondent_address(contacts.get(row.organisation_id, []), planned.channels)
            if address is None:
                unreachable += 1
                log.warning("assignment %s unreachable: no working channel", row.assignment_id)
                continue
            plan = plans[row.session_id]
            codes = missing.get(row.assignment_id)
            payload = respondent_payload(planned, row, plan, address, gminy, codes)
            messages.append(outbox_message(planned, address, payload, now, row.assignment_id))
        return messages, unreachable
