"""The collection service: one channel-agnostic way to fill a card.

Telegram and email are thin adapters over it. Every accepted answer is committed,
together with the respondent's position and any outbox message it causes, before
the adapter replies (channels.md, "The database is the truth").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.cards.catalog import CardCatalog
from domain.cards.checks import Warning as CheckWarning
from domain.cards.model import Question
from domain.cards.values import ParsedValue, parse_value, to_json
from domain.entities import AnswerRecord
from domain.errors import InvalidAnswer
from services import texts
from services.card_state import CardState, Provenance, local_date
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.unit import ensure_open, load_state, with_retries


@dataclass
class RecordResult:
    """The outcome of one answer: accepted (with what follows) or rejected (with why)."""

    accepted: bool
    question: Question
    state: CardState
    error: InvalidAnswer | None = None
    parsed: ParsedValue | None = None
    stale: bool = False
    warnings: list[CheckWarning] = field(default_factory=list)

    @property
    def next_question(self) -> Question | None:
        """What to ask next (None: the card is ready for the summary)."""
        return self.state.current_question()


class CollectionService:
    """Open, answer, navigate and correct cards; see services.submission for submit."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock

    def state(self, assignment_id: int, *, with_warnings: bool = False) -> CardState:
        """The current state of an assignment's card."""
        with self.uow() as uow:
            return load_state(
                uow, self.catalog, self.clock, assignment_id, with_warnings=with_warnings
            )

    def record(
        self,
        assignment_id: int,
        question_id: str,
        raw: str,
        provenance: Provenance,
        *,
        expected_current: bool = False,
    ) -> RecordResult:
        """Parse and store one answer; with `expected_current`, only for the current question."""

        def work(uow: UnitOfWork) -> RecordResult:
            state = load_state(uow, self.catalog, self.clock, assignment_id, for_update=True)
            question = state.card.question(question_id)
            if expected_current and _is_stale(state, question):
                return RecordResult(False, question, state, stale=True)
            self._ensure_writable(state, question)
            try:
                parsed = self._parse(state, question, raw)
            except InvalidAnswer as error:
                return RecordResult(False, question, state, error=error)
            append_answer(uow, state, question, parsed, provenance)
            return self._after_write(uow, assignment_id, question, parsed)

        return with_retries(self.uow, work)

    def record_by_code(
        self, assignment_id: int, code: str, raw: str, provenance: Provenance
    ) -> RecordResult:
        """Set an answer by its code (`II.3.4 = 5` in the chat, a paper card, staff)."""
        question = self._question_by_code(assignment_id, code)
        return self.record(assignment_id, question.id, raw, provenance)

    def confirm_prefill(
        self, assignment_id: int, question_id: str, provenance: Provenance
    ) -> RecordResult:
        """Accept the value known from the registry as the answer."""
        state = self.state(assignment_id)
        value = prefill_value(state, state.card.question(question_id))
        if value is None:
            raise InvalidAnswer("Brak zapisanej wartości – wpisz odpowiedź.", "No stored value.")
        return self.record(assignment_id, question_id, value, provenance, expected_current=True)

    def skip(self, assignment_id: int, question_id: str, provenance: Provenance) -> RecordResult:
        """Skip an optional question (stored as an empty answer, so it is not asked again)."""

        def work(uow: UnitOfWork) -> RecordResult:
            state = load_state(uow, self.catalog, self.clock, assignment_id, for_update=True)
            question = state.card.question(question_id)
            if question.required:
                raise texts.cannot_skip_required()
            self._ensure_writable(state, question)
            append_answer(uow, state, question, None, provenance)
            return self._after_write(uow, assignment_id, question, None)

        return with_retries(self.uow, work)

    def back(self, assignment_id: int) -> CardState:
        """Move the respondent to the previous applicable question."""

        def work(uow: UnitOfWork) -> CardState:
            state = load_state(uow, self.catalog, self.clock, assignment_id, for_update=True)
            ensure_open(state.session)
            applicable = state.applicable
            current = state.current_question()
            ids = [q.id for q in applicable]
            index = ids.index(current.id) if current is not None and current.id in ids else len(ids)
            target = applicable[max(index - 1, 0)] if applicable else None
            state.assignment.cursor = target.id if target else None
            uow.assignments.update(state.assignment)
            uow.commit()
            return state

        return with_retries(self.uow, work)

    def goto(self, assignment_id: int, question_id: str) -> CardState:
        """Put the respondent on a given question (corrections from the summary)."""

        def work(uow: UnitOfWork) -> CardState:
            state = load_state(uow, self.catalog, self.clock, assignment_id, for_update=True)
            question = state.card.question(question_id)
            self._ensure_writable(state, question)
            state.assignment.cursor = question.id
            uow.assignments.update(state.assignment)
            uow.commit()
            return state

        return with_retries(self.uow, work)

    # -- internals -----------------------------------------------------------------

    def _question_by_code(self, assignment_id: int, code: str) -> Question:
        state = self.state(assignment_id)
        question = state.card.by_code(code.strip().strip("[]"))
        if question is None:
            raise texts.unknown_code(code, state.card.asked_questions[-1].code)
        return question

    def _ensure_writable(self, state: CardState, question: Question) -> None:
        ensure_open(state.session)
        if question.system:
            raise texts.system_question(question.code)
        if question not in state.applicable:
            raise texts.not_asked(question.code)
        if state.assignment.submitted_at is not None and local_date(state.now) > state.deadline:
            raise texts.correction_after_deadline(state.deadline.strftime("%d.%m.%Y"))

    def _parse(self, state: CardState, question: Question, raw: str) -> ParsedValue:
        options = state.card.options_of(question)
        return parse_value(question, options, raw, today=local_date(state.now))

    def _after_write(
        self, uow: UnitOfWork, assignment_id: int, question: Question, parsed: ParsedValue | None
    ) -> RecordResult:
        fresh = load_state(uow, self.catalog, self.clock, assignment_id, with_warnings=True)
        nxt = fresh.next_question(after=question.id)
        fresh.assignment.cursor = nxt.id if nxt is not None else None
        uow.assignments.update(fresh.assignment)
        uow.commit()
        code = question.code
        mine = [w for w in fresh.warnings if code in w.about]
        return RecordResult(True, question, fresh, parsed=parsed, warnings=mine)


def _is_stale(state: CardState, question: Question) -> bool:
    """An answer for a question other than the one being asked changes nothing."""
    current = state.current_question()
    return current is None or current.id != question.id


def prefill_value(state: CardState, question: Question) -> str | None:
    """The registry's value for a prefill question, as the respondent would type it."""
    org, contact = state.organisation, state.contact
    sources: dict[str, str | None] = {
        "organisation.name": org.name,
        "organisation.miejscowosc": org.miejscowosc,
        "organisation.powiat": org.powiat,
        "organisation.wojewodztwo": org.wojewodztwo,
        "organisation.org_type": org.org_type,
        "organisation.territory": f"{org.miejscowosc}, powiat {org.powiat}",
        "contact.name": contact.name if contact else None,
        "contact.phone": contact.phone if contact else None,
        "contact.email": contact.email if contact else None,
    }
    return sources.get(question.prefill or "") or None


def append_answer(
    uow: UnitOfWork,
    state: CardState,
    question: Question,
    parsed: ParsedValue | None,
    provenance: Provenance,
) -> None:
    """Append a new version of one answer (None: skipped/cleared) and touch the assignment."""
    previous = state.latest.get(question.id)
    record = AnswerRecord(
        assignment_id=state.assignment.id or 0,
        question_id=question.id,
        value=to_json(question, parsed.value) if parsed is not None else None,
        other_text=parsed.other_text if parsed is not None else None,
        version=(previous.version + 1) if previous else 1,
        channel=provenance.channel,
        source_message_id=provenance.source_message_id,
        contact_id=provenance.contact_id,
        recorded_at=state.now,
    )
    uow.answers.add(record)
    state.latest[question.id] = record
    assignment = state.assignment
    assignment.started_at = assignment.started_at or state.now
    assignment.last_activity_at = state.now
    assignment.revision += 1
    assignment.cursor = None  # recomputed from the fresh state by the caller
    uow.assignments.update(assignment)
