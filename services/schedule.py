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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.cards.catalog import CardCatalog
from domain.entities import MonitoringSession, OutboxMessage, SessionState
from domain.errors import NotFound
from domain.schedule import (
    HarmonogramError,
    PlannedMessage,
    SentRecord,
    WorkCalendar,
    due_now,
    load_harmonogram,
    problem_alert_due_at,
)
from domain.schedule.calendar import require_aware
from services.card_state import Provenance
from services.indicators import collector_paused
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
    Address,
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

# Respondent messages one tick writes at most. The rest stay due and the next tick (a
# minute later) writes them: the state is in the database, so nothing is lost. This
# bounds the tick's transaction, and so how long it holds the row locks a respondent's
# answer waits for (bench/schedule.py); no dispatcher sends faster than this anyway.
BATCH_LIMIT = 1000

Due = tuple[AssignmentOverview, PlannedMessage]  # the message as planned for its group
Addressed = tuple[AssignmentOverview, PlannedMessage, Address]


@dataclass(frozen=True)
class TickResult:
    """What one tick did."""

    enqueued: dict[str, int] = field(default_factory=dict)  # rows written, by kind
    unreachable: int = 0  # due, but no channel of the organisation works (logged)
    deferred: int = 0  # due, but the respondent is filling the card right now
    remaining: int = 0  # due, left for the next tick by the batch limit

    @property
    def total(self) -> int:
        """Messages written by this tick."""
        return sum(self.enqueued.values())


class ScheduleService:
    """Reminders, overdue notices and staff alerts, enqueued into the outbox."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CardCatalog,
        clock: Clock,
        batch_limit: int = BATCH_LIMIT,
    ) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.batch_limit = batch_limit
        self.calendars = Calendars()
        self.missing = MissingCodes(catalog)

    def tick(self, at: datetime | None = None) -> TickResult:
        """One pass: enqueue everything due at `at` (default: now) that is not enqueued yet."""
        now = at or self.clock.now()
        require_aware(now)
        # A tick over 25,000 assignments allocates some 100,000 short-lived tuples (rows,
        # what went, late entries), none in reference cycles; the collector would rescan
        # the whole process several times over (~40 % of a first late-day tick).
        with collector_paused():
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
            days = uow.outbox.sent_days([session.id or 0], ASSIGNMENT_KINDS)
            contacts = uow.contacts.addresses({r.organisation_id for r in rows})
            staff = uow.staff.all()
            since = opening_midnight(plan)
            staff_records = uow.outbox.records_since(STAFF_KINDS, since)
        sent = assignment_sent(days, lambda _aid: plan.calendar.tz)
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
        addressed, unreachable, remaining = _addressed(uow, due, self.batch_limit)
        if unreachable:
            log.warning("due messages without a working channel", extra={"count": unreachable})
        staff_due = staff_alerts(uow, rows, plans, now)
        gminy = gmina_names(uow) if addressed or staff_due else {}
        messages = self._respondent_messages(uow, addressed, plans, now, gminy)
        messages += staff_messages(staff_due, rows, now, gminy)
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
        return TickResult(dict(sorted(counts.items())), unreachable, deferred, remaining)

    def _respondents_due(
        self,
        uow: UnitOfWork,
        rows: Sequence[AssignmentOverview],
        plans: Mapping[int, SessionPlan],
        now: datetime,
    ) -> tuple[list[Due], int]:
        """The one message due now per assignment, if any (R1–R8), and how many wait."""
        sent = _sent(uow, rows, plans)
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
            # The message of the group: its recipient is set once it is addressed.
            due.append((row, planned[0]))
        return due, deferred

    def _respondent_messages(
        self,
        uow: UnitOfWork,
        due: list[Addressed],
        plans: Mapping[int, SessionPlan],
        now: datetime,
        gminy: Mapping[str, str],
    ) -> list[OutboxMessage]:
        """Outbox rows of the due respondent messages, with what each card still misses."""
        if not due:
            return []
        missing = self.missing.of(uow, [row for row, p, _ in due if p.kind != "invitation"])
        messages = []
        for row, planned, address in due:
            codes = missing.get(row.assignment_id)
            payload = respondent_payload(planned, row, plans[row.session_id], address, gminy, codes)
            messages.append(outbox_message(planned, address, payload, now, row.assignment_id))
        return messages


def _sent(
    uow: UnitOfWork, rows: Sequence[AssignmentOverview], plans: Mapping[int, SessionPlan]
) -> dict[int, frozenset[SentRecord]]:
    """What already went to each of the rows' assignments, from the outbox (one query)."""
    tz_of = {sid: plan.calendar.tz for sid, plan in plans.items()}
    session_of = {r.assignment_id: r.session_id for r in rows}
    days = uow.outbox.sent_days(list(plans), ASSIGNMENT_KINDS)
    fallback = next(iter(tz_of.values()))  # an assignment opened since `rows` were read
    return assignment_sent(days, lambda aid: tz_of.get(session_of.get(aid, -1), fallback))


def _addressed(uow: UnitOfWork, due: list[Due], limit: int) -> tuple[list[Addressed], int, int]:
    """Up to `limit` due messages with their channel; how many have none; how many wait.

    Unreachable ones do not count against the limit, so they can never crowd out the
    rest tick after tick; contacts are read a batch at a time, never for what waits.
    `due` holds each assignment's group message; the addressed ones get their own.
    """
    addressed: list[Addressed] = []
    unreachable, done = 0, 0
    while done < len(due) and len(addressed) < limit:
        batch = due[done : done + limit - len(addressed)]
        done += len(batch)
        contacts = uow.contacts.addresses({row.organisation_id for row, _ in batch})
        for row, planned in batch:
            address = respondent_address(contacts.get(row.organisation_id, []), planned.channels)
            if address is None:
                unreachable += 1  # reported each tick it stays due, never dropped
            else:
                mine = PlannedMessage(
                    planned.kind, str(row.assignment_id), planned.due_at, planned.local_day,
                    planned.reasons, planned.channels,
                )  # fmt: skip
                addressed.append((row, mine, address))
    return addressed, unreachable, len(due) - done
