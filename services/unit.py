"""Helpers shared by the use cases: retries and loading one assignment's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from domain.cards.catalog import CardCatalog
from domain.cards.checks import evaluate_checks
from domain.entities import Assignment, MonitoringSession, SessionState
from domain.errors import NotFound
from services import texts
from services.card_state import CardState, build_answers, latest_records
from services.ports import Clock, ConflictError, UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
RETRIES = 5


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
    with_warnings: bool = False,
) -> CardState:
    """The card state of one assignment, read inside the given unit of work."""
    assignment = uow.assignments.get(assignment_id, for_update=for_update)
    if assignment is None:
        raise NotFound("Nie znaleziono tej karty.", "This card was not found.")
    session = uow.sessions.get(assignment.session_id)
    organisation = uow.organisations.get(assignment.organisation_id)
    assert session is not None and organisation is not None
    card = catalog.get(assignment.card)
    history = uow.answers.history(assignment_id)
    contacts = uow.contacts.for_organisation(organisation.id or 0)
    state = CardState(
        assignment=assignment,
        session=session,
        organisation=organisation,
        contact=next((c for c in contacts if c.is_primary), contacts[0] if contacts else None),
        card=card,
        latest=latest_records(history),
        answers=build_answers(card, history),
        now=clock.now(),
    )
    if with_warnings:
        previous = previous_answers(uow, catalog, session, assignment)
        state.warnings = evaluate_checks(card, state.answers, previous)
    return state


def previous_answers(
    uow: UnitOfWork, catalog: CardCatalog, session: MonitoringSession, assignment: Assignment
) -> dict[str, object] | None:
    """The same organisation's answers of the same card in the latest earlier closed session."""
    earlier = [
        s
        for s in uow.sessions.list()
        if s.state == SessionState.CLOSED and s.id != session.id and s.opens <= session.opens
    ]
    for candidate in sorted(earlier, key=lambda s: s.opens, reverse=True):
        found = uow.assignments.find(candidate.id or 0, assignment.organisation_id, assignment.card)
        if found is not None and found.submitted_at is not None:
            card = catalog.get(found.card)
            return dict(build_answers(card, uow.answers.history(found.id or 0)))
    return None


def ensure_open(session: MonitoringSession) -> None:
    """Refuse changes to a draft or closed session, naming the baseline when it is one."""
    if session.is_baseline:
        raise texts.baseline_frozen(session.name)
    if session.state == SessionState.CLOSED:
        raise texts.session_closed(session.name)
    if session.state == SessionState.DRAFT:
        raise texts.session_not_open(session.name)
