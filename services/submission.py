"""Summary and submission of a card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.cards.catalog import CardCatalog
from domain.cards.checks import ConsistencyWarning as CheckWarning
from domain.cards.model import Lang, Question, Section
from domain.cards.values import display, parse_value, to_json
from domain.entities import AnswerRecord, OutboxMessage
from domain.errors import NotAllowed
from services.card_state import CardState, Provenance, local_date
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.unit import PreviousAnswers, ensure_open, load_state, with_retries

REMINDER_KINDS = ("reminder", "overdue")


@dataclass(frozen=True)
class SummaryLine:
    """One answered (or missing) question in the summary."""

    question: Question
    text: str | None  # None: not answered


@dataclass(frozen=True)
class SummaryGroup:
    """The summary lines of one part or sphere."""

    section: Section
    lines: tuple[SummaryLine, ...]


@dataclass(frozen=True)
class Receipt:
    """Proof of submission shown to the respondent."""

    submission_no: str
    submitted_at: datetime
    corrected: bool


class NeedsConfirmation(NotAllowed):
    """Submission waits for the respondent to confirm the consistency warnings."""

    def __init__(self, warnings: list[CheckWarning]) -> None:
        super().__init__(
            "Niektóre odpowiedzi wyglądają na niespójne. Prosimy je sprawdzić i potwierdzić "
            "albo poprawić przed wysłaniem.",
            "Some answers look inconsistent. Please check and confirm or correct them.",
        )
        self.warnings = warnings


class Incomplete(NotAllowed):
    """Submission refused: required questions are still unanswered."""

    def __init__(self, missing: list[Question]) -> None:
        codes = ", ".join(q.code for q in missing[:10])
        more = f" i {len(missing) - 10} innych" if len(missing) > 10 else ""
        super().__init__(
            f"Karta nie jest kompletna – brakuje odpowiedzi na pytania: {codes}{more}.",
            f"The card is not complete; missing answers: {codes}.",
        )
        self.missing = missing


class SubmissionService:
    """Builds the summary and submits cards on explicit confirmation."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.previous = PreviousAnswers(catalog)

    def summary(self, assignment_id: int, lang: Lang = "pl") -> list[SummaryGroup]:
        """All applicable questions grouped by part and sphere, with the answers given."""
        with self.uow() as uow:
            state = load_state(uow, self.catalog, self.clock, assignment_id)
        return summarise(state, lang)

    def submit(
        self, assignment_id: int, provenance: Provenance, *, confirm_warnings: bool = False
    ) -> Receipt:
        """Submit a complete card; warnings need `confirm_warnings`."""

        def work(uow: UnitOfWork) -> Receipt:
            receipt = self.submit_in(uow, assignment_id, provenance, confirm_warnings)
            uow.commit()
            return receipt

        return with_retries(self.uow, work)

    def submit_in(
        self, uow: UnitOfWork, assignment_id: int, provenance: Provenance, confirm_warnings: bool
    ) -> Receipt:
        """`submit` inside the caller's unit of work, which commits it (an email reply's
        answers, submission and reply in one transaction). Raises before writing."""
        state = load_state(uow, self.catalog, self.clock, assignment_id, for_update=True)
        self.previous.warnings_for(uow, state)
        _check_submittable(state, confirm_warnings)
        corrected = state.assignment.submitted_at is not None
        _stamp_system_date(uow, state, provenance)
        assignment = state.assignment
        if not corrected:
            assignment.submitted_at = state.now
            assignment.submission_no = submission_number(state)
        assignment.last_activity_at = state.now
        assignment.cursor = None
        uow.assignments.update(assignment)
        uow.outbox.cancel_pending_for(assignment.id or 0, REMINDER_KINDS)
        _queue_receipt(uow, state, corrected)
        assert assignment.submission_no and assignment.submitted_at
        return Receipt(assignment.submission_no, assignment.submitted_at, corrected)


def _check_submittable(state: CardState, confirm_warnings: bool) -> None:
    ensure_open(state.session)
    if state.assignment.submitted_at is not None and local_date(state.now) > state.deadline:
        raise NotAllowed(
            "Karta została już wysłana, a termin korekt minął.",
            "The card was already submitted and the correction period is over.",
        )
    if state.missing:
        raise Incomplete(state.missing)
    if state.warnings and not confirm_warnings:
        raise NeedsConfirmation(state.warnings)


def submission_number(state: CardState) -> str:
    """A stable, human-quotable submission number, e.g. MP/2026-H2/NGO/000042."""
    return f"MP/{state.session.name}/{state.card.card.value.upper()}/{state.assignment.id:06d}"


def _stamp_system_date(uow: UnitOfWork, state: CardState, provenance: Provenance) -> None:
    """Set the system date questions (ngo.III.3, izus.III.3) to the submission day."""
    for question in state.card.questions:
        if not question.system:
            continue
        today = local_date(state.now)
        value = parse_value(question, None, today.isoformat(), today=today).value
        previous = state.latest.get(question.id)
        uow.answers.add(
            AnswerRecord(
                assignment_id=state.assignment.id or 0,
                question_id=question.id,
                value=to_json(question, value),
                version=(previous.version + 1) if previous else 1,
                channel="system",
                source_message_id=provenance.source_message_id,
                contact_id=provenance.contact_id,
                recorded_at=state.now,
            )
        )


def _queue_receipt(uow: UnitOfWork, state: CardState, corrected: bool) -> None:
    """The email confirmation goes to the registered address only (channels.md)."""
    contact = state.contact
    if contact is None or not contact.email or contact.email_unreachable:
        return
    assignment = state.assignment
    kind = "confirmation"
    stamp = state.now.isoformat(timespec="seconds")
    uow.outbox.add(
        OutboxMessage(
            channel="email",
            recipient=contact.email,
            kind=kind,
            payload={"assignment_id": assignment.id, "corrected": corrected, "at": stamp},
            dedupe_key=f"{kind}:{assignment.id}:{assignment.revision}:{stamp}",
            next_attempt_at=state.now,
            created_at=state.now,
            assignment_id=assignment.id,
        )
    )


def summarise(state: CardState, lang: Lang) -> list[SummaryGroup]:
    """Group the applicable questions by section with display values."""
    groups: dict[str, list[SummaryLine]] = {}
    for question in state.applicable:
        value = state.answers.get(question.id)
        record = state.latest.get(question.id)
        text = None
        if value is not None:
            other = record.other_text if record else None
            text = display(question, state.card.options_of(question), value, lang, other)
        groups.setdefault(question.section, []).append(SummaryLine(question, text))
    return [SummaryGroup(state.card.section(sid), tuple(lines)) for sid, lines in groups.items()]
