"""Helpers shared by the use cases: retries and loading one assignment's state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from domain.cards.catalog import CardCatalog
from domain.cards.checks import evaluate_checks
from domain.cards.values import AnswerValue
from domain.entities import Assignment, MonitoringSession, SessionState
from domain.errors import NotFound
from services import texts
from services.card_state import CardState, build_answers, latest_records
from services.ports import Clock, ConflictError, UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
RETRIES = 8
PreviousKey = tuple[int, int, str]
CLOSED_SESSIONS_TTL = timedelta(minutes=1)


def with_retries(uow_factory: UnitOfWorkFactory, work: Callable[[UnitOfWork], T]) -> T:
    """Run `work` in a fresh unit of work, retrying when a concurrent writer won."""
    for attempt in range(RETRIES):
        try:
            with uow_factory() as uow:
                return work(uow)
        except ConflictError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def load_state(
    uow: UnitOfWork,
    catalog: CardCatalog,
    clock: Clock,
    assignment_id: int,
    *,
    for_update: bool = False,
    with_contact: bool = True,
) -> CardState:
    """The card state of one assignment, read inside the given unit of work."""
    context = uow.assignments.context(assignment_id, for_update=for_update)
    if context is None:
        raise NotFound("Nie znaleziono tej karty.", "This card was not found.")
    assignment, session, organisation = context
    card = catalog.get(assignment.card)
    history = uow.answers.history(assignment_id)
    contact = None
    if with_contact:
        contacts = uow.contacts.for_organisation(organisation.id or 0)
        contact = next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)
    return CardState(
        assignment=assignment,
        session=session,
        organisation=organisation,
        contact=contact,
        card=card,
        latest=latest_records(history),
        answers=build_answers(card, history),
        now=clock.now(),
    )


class PreviousAnswers:
    """The organisation's answers in the latest earlier closed session, for the 10× check.

    Closed sessions never change (and the baseline is frozen), so their answers are
    cached for the life of the process.
    """

    def __init__(self, catalog: CardCatalog) -> None:
        self.catalog = catalog
        self._cache: dict[PreviousKey, dict[str, AnswerValue] | None] = {}
        self._closed: list[MonitoringSession] = []
        self._closed_at: datetime | None = None

    def _closed_sessions(self, uow: UnitOfWork, now: datetime) -> list[MonitoringSession]:
        # Re-read at most once a minute: a session closing shows up within that minute.
        if self._closed_at is None or now - self._closed_at > CLOSED_SESSIONS_TTL:
            self._closed = [s for s in uow.sessions.all() if s.state == SessionState.CLOSED]
            self._closed_at = now
        return self._closed

    def of(self, uow: UnitOfWork, state: CardState) -> dict[str, AnswerValue] | None:
        """The previous answers of this state's organisation and card (None: none)."""
        earlier = [
            s
            for s in self._closed_sessions(uow, state.now)
            if s.id != state.session.id and s.opens <= state.session.opens
        ]
        if not earlier:
            return None
        previous = max(earlier, key=lambda s: (s.opens, s.id or 0))
        key = (previous.id or 0, state.assignment.organisation_id, state.assignment.card)
        if key not in self._cache:
            self._cache[key] = self._load(uow, previous, state.assignment)
        return self._cache[key]

    def _load(
        self, uow: UnitOfWork, previous: MonitoringSession, assignment: Assignment
    ) -> dict[str, AnswerValue] | None:
        found = uow.assignments.find(previous.id or 0, assignment.organisation_id, assignment.card)
        if found is None or found.submitted_at is None:
            return None
        return build_answers(self.catalog.get(found.card), uow.answers.history(found.id or 0))

    def warnings_for(self, uow: UnitOfWork, state: CardState) -> CardState:
        """The state with its consistency warnings evaluated."""
        state.warnings = evaluate_checks(state.card, state.answers, self.of(uow, state))
        return state


def ensure_open(session: MonitoringSession) -> None:
    """Refuse changes to a draft or closed session, naming the baseline when it is one."""
    if session.is_baseline:
        raise texts.baseline_frozen(session.name)
    if session.state == SessionState.CLOSED:
        raise texts.session_closed(session.name)
    if session.state == SessionState.DRAFT:
        raise texts.session_not_open(session.name)
