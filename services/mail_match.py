"""Which assignment an incoming email is about, and whether its sender is trusted.

channels.md "Incoming replies: matching and trust", strongest first: the token in
the recipient plus-address; `In-Reply-To`/`References` equal to a Message-ID we
sent; the subject tag's short token; the sender's address when that contact has
exactly one open assignment. The sender is trusted when the address is a registered
contact of the assignment's organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.entities import Assignment, Contact, MonitoringSession, Organisation, SessionState
from domain.tokens import hash_token, looks_like_token
from services.mail_ports import IncomingMail
from services.ports import UnitOfWork


@dataclass(frozen=True)
class Match:
    """The assignment a message is about and who sent it."""

    assignment: Assignment
    session: MonitoringSession
    organisation: Organisation
    contacts: tuple[Contact, ...]  # the organisation's registered contacts
    how: str  # token | thread | subject | sender
    sender: Contact | None  # the registered contact the From address belongs to

    @property
    def trusted(self) -> bool:
        """The sender is a registered contact of the organisation."""
        return self.sender is not None

    @property
    def registered_address(self) -> str | None:
        """Where confirmations go: the sender when registered, else the primary contact."""
        if self.sender is not None and self.sender.email and not self.sender.email_unreachable:
            return self.sender.email
        usable = [c for c in self.contacts if c.email and not c.email_unreachable]
        primary = next((c for c in usable if c.is_primary), usable[0] if usable else None)
        return primary.email if primary else None


def _by_token(uow: UnitOfWork, mail: IncomingMail) -> Assignment | None:
    if not mail.token or not looks_like_token(mail.token):
        return None
    found = uow.assignments.by_token_hash(hash_token(mail.token))
    return found if found is not None and not found.token_revoked else None


def _by_thread(uow: UnitOfWork, mail: IncomingMail) -> Assignment | None:
    ids = [i for i in (mail.in_reply_to, *reversed(mail.references), mail.original_message_id) if i]
    sent = {s.message_id: s for s in uow.sent_mail.by_message_ids(list(dict.fromkeys(ids)))}
    for message_id in ids:  # In-Reply-To first, then the newest reference
        hit = sent.get(message_id)
        if hit is not None and hit.assignment_id is not None:
            return uow.assignments.get(hit.assignment_id)
    return None


def _by_subject(uow: UnitOfWork, mail: IncomingMail) -> Assignment | None:
    if not mail.short_token:
        return None
    found = [
        a
        for a in uow.assignments.by_short_hash(hash_token(mail.short_token))
        if not a.token_revoked
    ]
    return found[0] if len(found) == 1 else None


def _by_sender(uow: UnitOfWork, mail: IncomingMail) -> Assignment | None:
    if not mail.from_address:
        return None
    open_ones: dict[int, Assignment] = {}
    for contact in uow.contacts.by_email(mail.from_address):
        for a in uow.assignments.for_organisation(contact.organisation_id):
            session = uow.sessions.get(a.session_id)
            if session is not None and session.state == SessionState.OPEN:
                open_ones[a.id or 0] = a
    return next(iter(open_ones.values())) if len(open_ones) == 1 else None


STRATEGIES = (
    ("token", _by_token),
    ("thread", _by_thread),
    ("subject", _by_subject),
    ("sender", _by_sender),
)


def match(uow: UnitOfWork, mail: IncomingMail, assignment_id: int | None = None) -> Match | None:
    """The assignment and trust of one message, or None (quarantine, no reply).

    `assignment_id`: staff named the assignment (a quarantined message under review).
    """
    if assignment_id is not None:
        forced = uow.assignments.get(assignment_id)
        return _context(uow, forced, "staff", mail.from_address) if forced else None
    for how, strategy in STRATEGIES:
        assignment = strategy(uow, mail)
        if assignment is not None:
            return _context(uow, assignment, how, mail.from_address)
    return None


def _context(uow: UnitOfWork, assignment: Assignment, how: str, sender: str | None) -> Match | None:
    context = uow.assignments.context(assignment.id or 0)
    if context is None:
        return None
    assignment, session, organisation = context
    contacts = tuple(uow.contacts.for_organisation(organisation.id or 0))
    address = (sender or "").strip().lower()
    registered = next((c for c in contacts if address and (c.email or "").lower() == address), None)
    return Match(assignment, session, organisation, contacts, how, registered)
