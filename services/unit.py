"""Helpers shared by the use cases: retries and loading one assignment's state."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from threading import Lock
from typing import Any, TypeVar

from domain.cards.catalog import CardCatalog
from domain.cards.checks import evaluate_checks, evaluate_checks_since
from domain.cards.model import CardDefinition
from domain.cards.values import AnswerValue
from domain.entities import AnswerRecord, Assignment, MonitoringSession, SessionState
from domain.errors import NotFound
from services import texts
from services.card_state import CardState, Checked, build_answers, latest_records
from services.ports import Clock, ConflictError, UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
RETRIES = 8
PreviousKey = tuple[int, int, str]
CLOSED_SESSIONS_TTL = timedelta(minutes=1)
CACHED_CARDS = 1024  # assignments whose history a process keeps (CardStateCache)


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
    cache: CardStateCache | None = None,
) -> CardState:
    """The card state of one assignment, read inside the given unit of work.

    With a `cache`, the answer history is taken from it when still current.
    """
    if cache is not None:
        counted = uow.assignments.context_and_answer_count(assignment_id, for_update=for_update)
        context, count = (counted[:3], counted[3]) if counted is not None else (None, 0)
    else:
        context, count = uow.assignments.context(assignment_id, for_update=for_update), 0
    if context is None:
        raise NotFound("Nie znaleziono tej karty.", "This card was not found.")
    assignment, session, organisation = context
    card = catalog.get(assignment.card)
    if cache is not None:
        entry = cache.current(uow, assignment_id, card, count)
    else:
        history = uow.answers.history(assignment_id)
        entry = _Entry(card, len(history), latest_records(history), build_answers(card, history))
    contact = None
    if with_contact:
        contacts = uow.contacts.for_organisation(organisation.id or 0)
        contact = next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)
    state = CardState(
        assignment=assignment,
        session=session,
        organisation=organisation,
        contact=contact,
        card=card,
        latest=entry.latest,
        answers=entry.answers,
        now=clock.now(),
        history_size=entry.size,
        checked=entry.checked,
    )
    state.adopt(entry.derived)
    return state


@dataclass(frozen=True)
class _Entry:
    card: CardDefinition
    size: int  # answer versions
    latest: dict[str, AnswerRecord]
    answers: dict[str, AnswerValue]
    derived: dict[str, Any] = field(default_factory=dict)
    checked: Checked | None = None


class CardStateCache:
    """Each assignment's answer history as this process last saw it, to skip re-reading it.

    Answer versions are only ever added (never changed or deleted), so how many versions
    an assignment has identifies its history: an entry is used only when the count read
    now equals the count it was built from, whoever wrote since (this process, another
    one, another unit of work). The count is read with the context
    (`context_and_answer_count`), after the assignment is locked when writing: in the
    same statement on SQLite (BEGIN IMMEDIATE already holds the write lock), in a
    statement of its own on PostgreSQL, so that under READ COMMITTED it sees every writer
    that committed before the lock was granted. Entries are stored only
    after the transaction that wrote them committed (`store`), and are treated as
    read-only: states built from them share their dicts, and `CardState.with_records`
    copies before changing anything.
    """

    def __init__(self, size: int = CACHED_CARDS) -> None:
        self.size = size
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._lock = Lock()

    def current(
        self, uow: UnitOfWork, assignment_id: int, card: CardDefinition, count: int
    ) -> _Entry:
        """The entry, if it still is the assignment's history (`count`: its answer versions,
        read now); else read the history (and keep it)."""
        with self._lock:
            entry = self._entries.get(assignment_id)
            if entry is not None and entry.card is card and entry.size == count:
                self._entries.move_to_end(assignment_id)
                return entry
        # The history's own length, not `count`: a writer may have committed in between
        # (PostgreSQL), and versions are only added, so the length identifies what was read.
        history = uow.answers.history(assignment_id)
        entry = _Entry(card, len(history), latest_records(history), build_answers(card, history))
        self._put(assignment_id, entry)
        return entry

    def store(self, state: CardState) -> None:
        """Keep a state whose answers were just committed (`history_size` counts them)."""
        entry = _Entry(state.card, state.history_size, state.latest, state.answers,
                       state.derived(), state.checked)  # fmt: skip
        self._put(state.assignment.id or 0, entry)

    def _put(self, assignment_id: int, entry: _Entry) -> None:
        with self._lock:
            self._entries[assignment_id] = entry
            self._entries.move_to_end(assignment_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


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
        """The state with its consistency warnings evaluated.

        When the state knows the warnings of earlier answers (`state.checked`, kept by
        CardStateCache), only the rules that read a changed answer are evaluated again.
        """
        card, previous, basis = state.card, self.of(uow, state), state.checked
        if basis is not None and basis.previous is previous:
            warnings = evaluate_checks_since(
                card, state.answers, previous, basis.answers, basis.warnings, effective=True
            )
        else:
            warnings = evaluate_checks(card, state.answers, previous)
        state.warnings = warnings
        state.checked = Checked(state.answers, previous, tuple(warnings))
        return state


def ensure_open(session: MonitoringSession) -> None:
    """Refuse changes to a draft or closed session, naming the baseline when it is one."""
    if session.is_baseline:
        raise texts.baseline_frozen(session.name)
    if session.state == SessionState.CLOSED:
        raise texts.session_closed(session.name)
    if session.state == SessionState.DRAFT:
        raise texts.session_not_open(session.name)
