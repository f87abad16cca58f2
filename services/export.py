"""Export of a session's answers in long format (CSV, XLSX, JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.cards.skip import effective_answers
from services.card_state import CardState, answers_from_records, latest_records
from services.ports import Clock, UnitOfWorkFactory
from services.sessions import find_session

COLUMNS = (
    "external_id", "card", "code", "value", "version", "channel", "recorded_at", "status", "other",
)  # fmt: skip


@dataclass(frozen=True)
class ExportRow:
    """One answer version; `value` as cards.md "Value representation"."""

    external_id: str
    card: str
    code: str
    value: Any
    version: int
    channel: str
    recorded_at: datetime
    status: str  # the assignment's status: pending | in_progress | submitted | late
    other: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping in column order."""
        return {
            "external_id": self.external_id,
            "card": self.card,
            "code": self.code,
            "value": self.value,
            "version": self.version,
            "channel": self.channel,
            "recorded_at": self.recorded_at.isoformat(),
            "status": self.status,
            "other": self.other,
        }


class ExportService:
    """Reads a session's answers for analysts."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock

    def rows(self, session_name: str, *, history: bool = False) -> list[ExportRow]:
        """Answers in force (or every version with `history`), card order per assignment."""
        with self.uow() as uow:
            session = find_session(uow, session_name)
            assignments = uow.assignments.for_session(session.id or 0)
            histories = uow.answers.history_for([a.id or 0 for a in assignments])
            orgs = {o.id: o for o in uow.organisations.all()}
        now = self.clock.now()
        result: list[ExportRow] = []
        for a in assignments:
            card = self.catalog.get(a.card)
            records = histories[a.id or 0]
            latest = latest_records(records)
            answers = effective_answers(card, answers_from_records(card, latest))
            state = CardState(a, session, orgs[a.organisation_id], None, card, latest, answers, now)
            order = {q.id: i for i, q in enumerate(card.questions)}
            chosen = records if history else [latest[q] for q in answers if q in latest]
            chosen = sorted(chosen, key=lambda r: (order.get(r.question_id, 999), r.version))
            for record in chosen:
                result.append(
                    ExportRow(
                        external_id=state.organisation.external_id,
                        card=a.card,
                        code=record.question_id.split(".", 1)[1],
                        value=record.value,
                        version=record.version,
                        channel=record.channel,
                        recorded_at=record.recorded_at,
                        status=state.status.value,
                        other=record.other_text,
                    )
                )
        return result
