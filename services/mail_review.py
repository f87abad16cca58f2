"""Staff review of incoming mail: what waits (pending, quarantined), apply or reject it.

A message from an unregistered sender with a valid token waits for staff; applying
it records its answers as if the registered contact had sent them (the reply and the
receipt still go to the registered address only). A quarantined message without a
match can be applied to an organisation's open assignment named by staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.entities import InboundMessage, SessionState
from domain.errors import NotAllowed, NotFound
from services.mail_process import REVIEW_STATUSES, MailProcessor
from services.ports import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class ReviewItem:
    """One message waiting for staff."""

    id: int
    status: str
    received_at: datetime
    sender: str | None
    subject: str
    organisation: str | None
    card: str | None
    reason: str | None


class MailReviewService:
    """Lists messages for staff and applies or rejects them."""

    def __init__(self, uow: UnitOfWorkFactory, processor: MailProcessor) -> None:
        self.uow = uow
        self.processor = processor

    def pending(self, limit: int = 200) -> list[ReviewItem]:
        """Messages pending review, needing review or quarantined, oldest first."""
        with self.uow() as uow:
            rows = uow.inbound.with_status(sorted(REVIEW_STATUSES), limit)
            return [self._item(uow, row) for row in rows]

    def _item(self, uow: UnitOfWork, row: InboundMessage) -> ReviewItem:
        mail = self.processor.parser(row.raw, None, self.processor.today()) if row.raw else None
        organisation = card = None
        if row.assignment_id:
            context = uow.assignments.context(row.assignment_id)
            if context is not None:
                organisation, card = context[2].external_id, context[0].card
        return ReviewItem(
            row.id or 0, row.status, row.received_at, mail.from_address if mail else None,
            mail.subject if mail else "", organisation, card, row.error,
        )  # fmt: skip

    def apply(self, inbound_id: int, organisation: str | None = None) -> str:
        """Record the message's answers (for `organisation` when it matched none)."""
        row = self._waiting(inbound_id)
        if not row.raw:
            raise NotAllowed("Treść tej wiadomości została już usunięta (okres przechowywania).")
        forced = self._assignment(organisation, row) if organisation else None
        with self.uow() as uow:  # answers, outcome and reply in one transaction
            outcome = self.processor.decide(uow, row, trust=True, assignment_id=forced)
            if outcome.status == "quarantined":
                raise NotAllowed(
                    "Nie wiadomo, której karty dotyczy ta wiadomość. Wskaż organizację, "
                    f"np. kartomat mail review --apply {inbound_id} --org IZUS-LUB."
                )
            if outcome.status == "needs_review":
                raise NotAllowed(
                    "Ta wiadomość nie zawiera odpowiedzi w szablonie (np. tylko PDF). Przepisz "
                    "je (kartomat answers import) i oznacz wiadomość: kartomat mail review "
                    f"--reject {inbound_id}."
                )
            if not self.processor.record(uow, row, outcome, expected=row.status):
                raise NotAllowed(f"Wiadomość nr {inbound_id} została już obsłużona.")
            uow.commit()
        return outcome.status

    def reject(self, inbound_id: int) -> None:
        """Mark the message as handled without recording anything."""
        row = self._waiting(inbound_id)
        with self.uow() as uow:
            uow.inbound.set_outcome(
                inbound_id, status="rejected", expected=row.status, kind=row.kind,
                assignment_id=row.assignment_id, error=row.error,
            )  # fmt: skip
            uow.commit()

    def _waiting(self, inbound_id: int) -> InboundMessage:
        with self.uow() as uow:
            row = uow.inbound.get(inbound_id)
        if row is None:
            raise NotFound(
                f"Nie ma wiadomości nr {inbound_id}. Numery pokazuje: kartomat mail review."
            )
        if row.status not in REVIEW_STATUSES:
            raise NotAllowed(
                f"Wiadomość nr {inbound_id} nie czeka na sprawdzenie (stan: {row.status})."
            )
        return row

    def _assignment(self, external_id: str, row: InboundMessage) -> int:
        with self.uow() as uow:
            org = uow.organisations.get_by_external_id(external_id)
            if org is None:
                raise NotFound(f"W rejestrze nie ma organizacji „{external_id}”, np. IZUS-LUB.")
            found = [
                a
                for a in uow.assignments.for_organisation(org.id or 0)
                if (s := uow.sessions.get(a.session_id)) and s.state == SessionState.OPEN
            ]
        if len(found) != 1:
            raise NotAllowed(
                f"Organizacja {external_id} ma otwartych kart: {len(found)} – potrzebna dokładnie "
                "jedna."
            )
        return found[0].id or 0
