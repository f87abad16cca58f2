"""Who may fill which card: invitation tokens and Telegram accounts."""

from __future__ import annotations

from dataclasses import dataclass

from domain.entities import Assignment, Contact, SessionState
from domain.errors import NotAllowed
from domain.tokens import hash_token, looks_like_token
from services import texts
from services.ports import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Binding:
    """The result of `/start <token>`: the contact now linked and its assignment."""

    contact: Contact
    assignment: Assignment
    already_bound: bool


def assignment_for_token(uow: UnitOfWork, token: str) -> Assignment:
    """The open assignment a token belongs to; unknown, revoked or expired → NotFound."""
    if not looks_like_token(token):
        raise texts.unknown_token()
    assignment = uow.assignments.by_token_hash(hash_token(token))
    if assignment is None or assignment.token_revoked:
        raise texts.unknown_token()
    session = uow.sessions.get(assignment.session_id)
    if session is None or session.state != SessionState.OPEN:
        raise texts.unknown_token()  # tokens expire when the session closes
    return assignment


class AccessService:
    """Binds Telegram accounts to contacts and lists what a contact may fill."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def bind_telegram(self, token: str, telegram_user_id: int, language: str = "pl") -> Binding:
        """Link a Telegram account to the contact invited with this token."""
        with self.uow() as uow:
            assignment = assignment_for_token(uow, token.strip())
            contacts = uow.contacts.for_organisation(assignment.organisation_id)
            if not contacts:
                raise texts.unknown_token()
            contact = next((c for c in contacts if c.is_primary), contacts[0])
            _check_binding(uow, contact, telegram_user_id)
            already = contact.telegram_user_id == telegram_user_id
            if not already:
                contact.telegram_user_id = telegram_user_id
                contact.telegram_unreachable = False
                contact.language = language if language in ("pl", "en") else "pl"
                uow.contacts.update(contact)
                uow.commit()
            return Binding(contact, assignment, already)

    def assignments_for_telegram(self, telegram_user_id: int) -> list[Assignment]:
        """Open assignments of every contact bound to this Telegram account."""
        with self.uow() as uow:
            result = []
            for contact in uow.contacts.by_telegram_user(telegram_user_id):
                for a in uow.assignments.for_organisation(contact.organisation_id):
                    session = uow.sessions.get(a.session_id)
                    if session is not None and session.state == SessionState.OPEN:
                        result.append(a)
            return result

    def contact_for_telegram(self, telegram_user_id: int) -> Contact | None:
        """The (first) contact bound to this Telegram account."""
        with self.uow() as uow:
            return next(iter(uow.contacts.by_telegram_user(telegram_user_id)), None)

    def may_fill(self, telegram_user_id: int, assignment_id: int) -> bool:
        """Whether this Telegram account may touch this assignment (its own organisation)."""
        return any(a.id == assignment_id for a in self.assignments_for_telegram(telegram_user_id))


def _check_binding(uow: UnitOfWork, contact: Contact, telegram_user_id: int) -> None:
    """One account per person: refuse someone else's link or an account bound elsewhere."""
    if contact.telegram_user_id not in (None, telegram_user_id):
        raise NotAllowed(
            "Ten link został już użyty na innym koncie Telegram. Jeśli to Państwa "
            "organizacja, prosimy o kontakt z Centrum Monitoringu (/problem).",
            "This link has already been used by another Telegram account. If this is your "
            "organisation, please contact the Centrum Monitoringu (/problem).",
        )
    for other in uow.contacts.by_telegram_user(telegram_user_id):
        same_person = bool(other.email and contact.email) and (
            (other.email or "").lower() == (contact.email or "").lower()
        )
        if other.id != contact.id and not same_person:
            raise NotAllowed(
                "To konto Telegram jest już powiązane z inną osobą kontaktową. Jedno konto "
                "może wypełniać karty tylko jednej osoby – prosimy użyć własnego konta.",
                "This Telegram account is already linked to another contact person.",
            )
