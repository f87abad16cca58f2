"""Paper cards: answers typed in from CSV by staff, all-or-nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from domain.cards.catalog import CardCatalog
from domain.cards.values import ParsedValue, parse_value
from domain.errors import InvalidAnswer, UserError
from domain.registry import decode_registry_bytes
from services.card_state import CardState, Provenance, local_date
from services.collection import new_versions
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.sessions import find_session
from services.submission import Receipt, SubmissionService
from services.unit import ensure_open, load_state

COLUMNS = ("external_id", "card", "code", "value")


@dataclass(frozen=True)
class PaperError:
    """One problem of the file, with its line number (header = line 1)."""

    line: int
    message: str


@dataclass
class PaperImportReport:
    """What the import did."""

    answers: int = 0
    cards: int = 0
    submitted: list[Receipt] = field(default_factory=list)
    not_submitted: dict[str, str] = field(default_factory=dict)
    errors: list[PaperError] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    external_id: str
    card: str
    code: str
    value: str


class PaperImportService:
    """Imports answers of cards that arrived on paper."""

    def __init__(
        self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock, submit: SubmissionService
    ) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.submission = submit

    def import_csv(self, session_name: str, data: bytes, *, submit: bool) -> PaperImportReport:
        """Validate every row, then store all answers in one transaction (or none)."""
        report = PaperImportReport()
        rows, report.errors = _read_rows(decode_registry_bytes(data))
        if report.errors:
            return report
        with self.uow() as uow:
            session = find_session(uow, session_name)
            ensure_open(session)
            staged = self._stage(uow, session.id or 0, rows, report)
            if report.errors:
                return report
            provenance = Provenance(channel="paper")
            for state, items in staged.values():
                pairs = [(state.card.question(qid), parsed) for qid, parsed in items]
                records = new_versions(state, pairs, provenance)
                uow.answers.add_many(records)
                fresh = state.with_records(records)
                fresh.assignment.started_at = fresh.assignment.started_at or fresh.now
                fresh.assignment.last_activity_at = fresh.now
                fresh.assignment.revision += 1
                uow.assignments.update(fresh.assignment)
                report.answers += len(records)
            uow.commit()
        report.cards = len(staged)
        if submit:
            self._submit_complete(staged, report)
        return report

    def _stage(
        self, uow: UnitOfWork, session_id: int, rows: list[_Row], report: PaperImportReport
    ) -> dict[int, tuple[CardState, list[tuple[str, ParsedValue]]]]:
        staged: dict[int, tuple[CardState, list[tuple[str, ParsedValue]]]] = {}
        for row in rows:
            try:
                state = self._state_for(uow, session_id, row, staged)
                question = state.card.by_code(row.code.strip("[] "))
                if question is None or question.system:
                    raise UserError(f"Nieznany kod pytania „{row.code}” (np. II.3.4).")
                options = state.card.options_of(question)
                today = local_date(self.clock.now())
                parsed = parse_value(question, options, row.value, today=today)
                items = staged[state.assignment.id or 0][1]
                if any(qid == question.id for qid, _ in items):
                    raise UserError(
                        f"Kod {question.code} występuje w pliku drugi raz dla "
                        f"„{row.external_id}” – zostaw jeden wiersz z właściwą wartością."
                    )
                items.append((question.id, parsed))
            except (InvalidAnswer, UserError) as error:
                report.errors.append(PaperError(row.line, f"{row.code}: {error.message_pl}"))
        return staged

    def _state_for(
        self,
        uow: UnitOfWork,
        session_id: int,
        row: _Row,
        staged: dict[int, tuple[CardState, list[tuple[str, ParsedValue]]]],
    ) -> CardState:
        org = uow.organisations.get_by_external_id(row.external_id)
        if org is None:
            raise UserError(f"Nie ma w rejestrze organizacji „{row.external_id}”.")
        assignment = uow.assignments.find(session_id, org.id or 0, row.card)
        if assignment is None:
            raise UserError(
                f"Organizacja „{row.external_id}” nie ma w tej sesji karty „{row.card}” "
                f"(rodzaj karty: ngo albo izus)."
            )
        if assignment.id not in staged:
            state = load_state(uow, self.catalog, self.clock, assignment.id or 0, for_update=True)
            if state.assignment.submitted_at and local_date(state.now) > state.deadline:
                raise UserError(
                    f"Karta „{row.external_id}” została wysłana, a termin korekt minął."
                )
            staged[assignment.id or 0] = (state, [])
        return staged[assignment.id or 0][0]

    def _submit_complete(
        self,
        staged: dict[int, tuple[CardState, list[tuple[str, ParsedValue]]]],
        report: PaperImportReport,
    ) -> None:
        for assignment_id, (state, _items) in staged.items():
            try:
                receipt = self.submission.submit(
                    assignment_id, Provenance(channel="paper"), confirm_warnings=True
                )
                report.submitted.append(receipt)
            except UserError as error:
                report.not_submitted[state.organisation.external_id] = error.message_pl


def _read_rows(text: str) -> tuple[list[_Row], list[PaperError]]:
    """CSV rows (comma or semicolon), with line numbers; header problems reported."""
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [
            PaperError(1, f"Brak kolumn: {', '.join(missing)} (wymagane: {','.join(COLUMNS)}).")
        ]
    reader.fieldnames = header
    rows, errors = [], []
    for record in reader:
        line = reader.line_num
        values = {k: (record.get(k) or "").strip() for k in COLUMNS}
        if not any(values.values()):
            continue
        if not values["external_id"] or not values["code"]:
            errors.append(PaperError(line, "Wiersz bez identyfikatora organizacji lub kodu."))
            continue
        rows.append(_Row(line, **values))
    return rows, errors
