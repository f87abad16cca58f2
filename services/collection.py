"""The collection service: one channel-agnostic way to fill a card.

Telegram and email are thin adapters over it. Every accepted answer is committed,
together with the respondent's position and any outbox message it causes, before
the adapter replies (channels.md, "The database is the truth").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.cards.catalog import CardCatalog
from domain.cards.checks import ConsistencyWarning
from domain.cards.model import Question
from domain.cards.values import ParsedValue, parse_value, to_json
from domain.entities import AnswerRecord
from domain.errors import InvalidAnswer, UserError
from services import texts
from services.card_state import CardState, Provenance, local_date
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.unit import CardStateCache, PreviousAnswers, ensure_open, load_state, with_retries


@dataclass
class RecordResult:
    """The outcome of one answer: accepted (with what follows) or rejected (with why)."""

    accepted: bool
    question: Question
    state: CardState
    error: InvalidAnswer | None = None
    parsed: ParsedValue | None = None
    stale: bool = False
    warnings: list[ConsistencyWarning] = field(default_factory=list)

    @property
    def next_question(self) -> Question | None:
        """What to ask next (None: the card is ready for the summary)."""
        return self.state.current_question()


@dataclass
class BatchResult:
    """The outcome of several answers given at once (an email reply, a paper card)."""

    state: CardState
    accepted: dict[str, ParsedValue] = field(default_factory=dict)  # by question id
    rejected: dict[str, UserError] = field(default_factory=dict)  # by code

    @property
    def warnings(self) -> list[ConsistencyWarning]:
        """Consistency warnings of the card after the batch."""
        return self.state.warnings


class CollectionService:
    """Open, answer, navigate and correct cards; see services.submission for submit."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.previous = PreviousAnswers(catalog)
        self.cache = CardStateCache()  # histories between transactions (see its docstring)

    def state(self, assignment_id: int, *, with_warnings: bool = False) -> CardState:
        """The current state of an assignment's card."""
        with self.uow() as uow:
            state = load_state(uow, self.catalog, self.clock, assignment_id, cache=self.cache)
            return self.previous.warnings_for(uow, state) if with_warnings else state

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
            state = self._locked(uow, assignment_id)
            question = _question(state, question_id)
            if expected_current and (_is_stale(state, question) or _replayed(state, provenance)):
                return RecordResult(False, question, state, stale=True)
            self._ensure_writable(state, question)
            try:
                parsed = self._parse(state, question, raw)
            except InvalidAnswer as error:
                return RecordResult(False, question, state, error=error)
            fresh = self._commit(uow, state, [(question, parsed)], provenance, after=question)
            mine = [w for w in fresh.warnings if question.code in w.about]
            return RecordResult(True, question, fresh, parsed=parsed, warnings=mine)

        return with_retries(self.uow, work)

    def record_by_code(
        self, assignment_id: int, code: str, raw: str, provenance: Provenance
    ) -> RecordResult:
        """Set an answer by its code (`II.3.4 = 5` in the chat, staff corrections)."""
        return self.record(assignment_id, code.strip().strip("[]"), raw, provenance)

    def record_many(
        self, assignment_id: int, raws: dict[str, str], provenance: Provenance
    ) -> BatchResult:
        """Parse several answers by code and store the valid ones in one transaction.

        Bad values are returned as rejected; the others still count (email-cases 14).
        """

        def work(uow: UnitOfWork) -> BatchResult:
            state = self._locked(uow, assignment_id)
            ensure_open(state.session)
            staged, rejected = self._stage(state, raws)
            if not staged:
                return BatchResult(self.previous.warnings_for(uow, state), {}, rejected)
            fresh = self._commit(uow, state, staged, provenance, after=None)
            return BatchResult(fresh, {q.id: p for q, p in staged}, rejected)

        return with_retries(self.uow, work)

    def record_many_in(
        self, uow: UnitOfWork, state: CardState, raws: dict[str, str], provenance: Provenance
    ) -> BatchResult:
        """`record_many` inside the caller's unit of work, which commits it (an email
        reply's answers and its outcome in one transaction). `state`: loaded in `uow`
        with `for_update=True`. A closed session raises before anything is written."""
        ensure_open(state.session)
        staged, rejected = self._stage(state, raws)
        if not staged:
            return BatchResult(self.previous.warnings_for(uow, state), {}, rejected)
        fresh = self._commit(uow, state, staged, provenance, after=None, commit=False)
        return BatchResult(fresh, {q.id: p for q, p in staged}, rejected)

    def confirm_prefill(
        self, assignment_id: int, question_id: str, provenance: Provenance
    ) -> RecordResult:
        """Accept the value known from the registry as the answer."""
        state = self.state(assignment_id)
        value = prefill_value(state, state.card.question(question_id))
        if value is None:
            raise InvalidAnswer(
                "Nie mamy zapisanej wartości – prosimy wpisać odpowiedź.",
                "There is no stored value; please type the answer.",
            )
        return self.record(assignment_id, question_id, value, provenance, expected_current=True)

    def skip(self, assignment_id: int, question_id: str, provenance: Provenance) -> RecordResult:
        """Skip an optional question (stored as an empty answer, so it is not asked again)."""

        def work(uow: UnitOfWork) -> RecordResult:
            state = self._locked(uow, assignment_id)
            question = _question(state, question_id)
            if question.required:
                raise texts.cannot_skip_required()
            if _replayed(state, provenance):
                return RecordResult(False, question, state, stale=True)
            self._ensure_writable(state, question)
            fresh = self._commit(uow, state, [(question, None)], provenance, after=question)
            return RecordResult(True, question, fresh)

        return with_retries(self.uow, work)

    def back(self, assignment_id: int) -> CardState:
        """Move the respondent to the previous applicable question."""

        def work(uow: UnitOfWork) -> CardState:
            state = self._locked(uow, assignment_id)
            ensure_open(state.session)
            ids = [q.id for q in state.applicable]
            current = state.current_question()
            index = ids.index(current.id) if current is not None else len(ids)
            return self._move(uow, state, ids[max(index - 1, 0)] if ids else None)

        return with_retries(self.uow, work)

    def goto(self, assignment_id: int, question_id: str) -> CardState:
        """Put the respondent on a given question (corrections from the summary)."""

        def work(uow: UnitOfWork) -> CardState:
            state = self._locked(uow, assignment_id)
            question = _question(state, question_id)
            self._ensure_writable(state, question)
            return self._move(uow, state, question.id)

        return with_retries(self.uow, work)

    # -- internals -----------------------------------------------------------------

    def _locked(self, uow: UnitOfWork, assignment_id: int) -> CardState:
        return load_state(
            uow,
            self.catalog,
            self.clock,
            assignment_id,
            for_update=True,
            with_contact=False,
            cache=self.cache,
        )

    def _move(self, uow: UnitOfWork, state: CardState, cursor: str | None) -> CardState:
        state.assignment.cursor = cursor
        uow.assignments.update(state.assignment)
        uow.commit()
        return state

    def _stage(
        self, state: CardState, raws: dict[str, str]
    ) -> tuple[list[tuple[Question, ParsedValue]], dict[str, UserError]]:
        staged: list[tuple[Question, ParsedValue]] = []
        rejected: dict[str, UserError] = {}
        for code, raw in raws.items():
            question = state.card.by_code(code)
            try:
                if question is None:
                    raise texts.unknown_code(code, state.card.asked_questions[-1].code)
                self._ensure_writable(state, question, check_applicable=False)
                staged.append((question, self._parse(state, question, raw)))
            except UserError as error:
                rejected[code] = error
        return staged, rejected

    def _ensure_writable(
        self, state: CardState, question: Question, *, check_applicable: bool = True
    ) -> None:
        ensure_open(state.session)
        if question.system:
            raise texts.system_question(question.code)
        if check_applicable and question.id not in state.applicable_ids:
            raise texts.not_asked(question.code)
        if state.assignment.submitted_at is not None and local_date(state.now) > state.deadline:
            raise texts.correction_after_deadline(state.deadline.strftime("%d.%m.%Y"))

    def _parse(self, state: CardState, question: Question, raw: str) -> ParsedValue:
        options = state.card.options_of(question)
        return parse_value(question, options, raw, today=local_date(state.now))

    def _commit(
        self,
        uow: UnitOfWork,
        state: CardState,
        items: Sequence[tuple[Question, ParsedValue | None]],
        provenance: Provenance,
        after: Question | None,
        *,
        commit: bool = True,
    ) -> CardState:
        """Append the versions, move the position, evaluate warnings, commit once
        (`commit=False`: the caller's unit of work commits)."""
        records = new_versions(state, items, provenance)
        fresh = state.with_records(records)
        assignment = fresh.assignment
        assignment.started_at = assignment.started_at or state.now
        assignment.last_activity_at = state.now
        assignment.revision += 1
        nxt = fresh.next_question(after=after.id if after else None)
        assignment.cursor = nxt.id if nxt is not None else None
        uow.answers.add_many(records, touch=assignment)  # one statement on PostgreSQL
        self.previous.warnings_for(uow, fresh)
        if commit:
            uow.commit()
            self.cache.store(fresh)  # only once committed: the caller's might roll back
        return fresh


def new_versions(
    state: CardState,
    items: Sequence[tuple[Question, ParsedValue | None]],
    provenance: Provenance,
) -> list[AnswerRecord]:
    """The next version of each answer (None: skipped/cleared), with provenance."""
    records = []
    for question, parsed in items:
        previous = state.latest.get(question.id)
        records.append(
            AnswerRecord(
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
        )
    return records


def _question(state: CardState, question_id_or_code: str) -> Question:
    """A question of this card by id (ngo.II.3.4) or code (II.3.4)."""
    card = state.card
    if question_id_or_code.startswith(f"{card.card.value}."):
        try:
            return card.question(question_id_or_code)
        except KeyError:
            pass
    question = card.by_code(question_id_or_code)
    if question is None:
        raise texts.unknown_code(question_id_or_code, card.asked_questions[-1].code)
    return question


def _replayed(state: CardState, provenance: Provenance) -> bool:
    """The message already answered a question: Telegram redelivers an update a bot stopped
    before confirming (getUpdates offset, webhook retry), and a chat message answers one
    question only, never the next one as well."""
    source = provenance.source_message_id
    return source is not None and any(r.source_message_id == source for r in state.latest.values())


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
