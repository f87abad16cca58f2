"""What to do with one stored message: the second transaction of the ingestion.

`decide` works the outcome out inside the caller's unit of work (the answers applied
and the card submitted there, not committed) and `record` adds the outcome with its
outbox rows (the reply, the confirmation) to it: the caller commits both at once, so a
crash leaves a message either untouched (processed again, from scratch) or finished.

channels.md "Incoming replies": auto-replies, bounces, receipts and our own mail are
stored and never answered (a hard bounce marks the address unreachable and alerts
staff); a reply is matched to an assignment; a registered sender's answers are
applied; a valid match from another sender waits for staff review (staff told, the
registered contact told); no match is quarantined without a reply (no backscatter);
a closed session or the baseline is refused with a notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.entities import InboundMessage, Organisation, OutboxMessage
from services import mail_notify as notify
from services.card_state import Provenance, local_date
from services.mail_apply import Applied, MailApplier
from services.mail_match import Match, match
from services.mail_ports import Destination, IncomingMail, MailParser
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory

# Statuses whose message stays with staff (moved to `Kwarantanna`).
REVIEW_STATUSES = frozenset({"quarantined", "pending_review", "needs_review"})
FINAL_STATUSES = frozenset({"applied", "empty", "refused", "ignored", "rejected"}) | REVIEW_STATUSES


def destination(status: str) -> Destination:
    """Where a message with this status is filed in the mailbox."""
    return "quarantine" if status in REVIEW_STATUSES else "processed"


@dataclass
class Outcome:
    """The result of processing one message, written in one transaction."""

    status: str
    kind: str | None = None
    assignment_id: int | None = None
    error: str | None = None
    outbox: list[OutboxMessage] = field(default_factory=list)
    staff: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (reason, payload)
    unreachable: str | None = None  # an address a hard bounce put out of use
    receipt_in_reply: bool = False  # our reply carries the receipt: no separate confirmation


def threading(mail: IncomingMail) -> dict[str, Any]:
    """In-Reply-To/References/subject for our answer to this message (RFC 5322 3.6.4)."""
    references = [*mail.references, mail.message_id] if mail.message_id else mail.references
    return {"in_reply_to": mail.message_id, "references": references[-10:], "subject": mail.subject}


class MailProcessor:
    """Parses, matches and applies one stored message; records the outcome once."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CardCatalog,
        clock: Clock,
        parser: MailParser,
        applier: MailApplier,
    ) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.parser = parser
        self.applier = applier

    def today(self) -> date:
        """The local day answers are checked against (dates may not be in the future)."""
        return local_date(self.clock.now())

    def parse(self, inbound: InboundMessage) -> IncomingMail:
        """The stored message parsed without a card (no database access)."""
        return self.parser(inbound.raw, None, self.today())

    def decide(
        self,
        uow: UnitOfWork,
        inbound: InboundMessage,
        mail: IncomingMail | None = None,
        *,
        trust: bool = False,
        assignment_id: int | None = None,
    ) -> Outcome:
        """The outcome of a stored message, its answers staged in `uow` (`mail`: the
        message already parsed; `trust`: staff approved the sender and may name the
        assignment)."""
        mail = mail or self.parse(inbound)
        if inbound.status == "oversize":
            return self._oversize(uow, inbound, mail)
        if mail.kind == "unknown":
            return Outcome("quarantined", "unknown", error="; ".join(mail.errors)[:500])
        if mail.kind == "bounce":
            return self._bounce(inbound, mail)
        if mail.kind != "reply":
            return Outcome("ignored", mail.kind)
        found = match(uow, mail, assignment_id)
        if found is None:
            return Outcome("quarantined", "reply", error="no_match")
        if found.assignment.card != mail.card:  # the assignment's card is the truth
            mail = self.parser(inbound.raw, self.catalog.get(found.assignment.card), self.today())
        if not (found.trusted or trust):
            return self._pending(inbound, mail, found)
        return self._trusted(uow, inbound, mail, found)

    def _trusted(
        self, uow: UnitOfWork, inbound: InboundMessage, mail: IncomingMail, found: Match
    ) -> Outcome:
        address = found.registered_address
        a_id = found.assignment.id or 0
        outcome = Outcome("applied", "reply", a_id)
        if mail.needs_review and not mail.answers:
            outcome.status = "needs_review"
            outcome.staff.append(("needs_template", {"detail": "; ".join(mail.needs_review)}))
            if address:
                outcome.outbox.append(
                    notify.notice(
                        address,
                        "needs_template",
                        a_id,
                        threading(mail),
                        self.clock.now(),
                        _attachments(mail),
                    )
                )
            return outcome
        source = f"{mail.message_id or ''} #inbound:{inbound.id}".strip()
        contact = found.sender.id if found.sender else None
        applied = self.applier.apply(uow, found, mail, Provenance("email", source, contact))
        return self._reply(inbound, mail, found, applied, outcome)

    def _reply(
        self,
        inbound: InboundMessage,
        mail: IncomingMail,
        found: Match,
        applied: Applied,
        outcome: Outcome,
    ) -> Outcome:
        outcome.status = applied.status
        address, a_id, now = found.registered_address, outcome.assignment_id or 0, self.clock.now()
        if mail.needs_review:
            outcome.staff.append(("needs_template", {"detail": "; ".join(mail.needs_review)}))
        if address is None:
            return outcome
        if applied.notice is not None:
            reason = applied.notice
            outcome.outbox.append(notify.notice(address, reason, a_id, threading(mail), now))
        else:
            payload = {**applied.payload, **threading(mail)}
            outcome.outbox.append(notify.reply(address, a_id, inbound.id or 0, payload, now))
            outcome.receipt_in_reply = applied.submitted
        return outcome

    def _pending(self, inbound: InboundMessage, mail: IncomingMail, found: Match) -> Outcome:
        a_id = found.assignment.id or 0
        outcome = Outcome(
            "pending_review", "reply", a_id, error=f"unregistered_sender: {mail.from_address}"
        )
        outcome.staff.append(("unregistered_sender", {"sender": mail.from_address}))
        address = found.registered_address
        if address:
            outcome.outbox.append(
                notify.notice(
                    address, "pending_review", a_id, {}, self.clock.now(), mail.from_address or "?"
                )
            )
        return outcome

    def _oversize(self, uow: UnitOfWork, inbound: InboundMessage, mail: IncomingMail) -> Outcome:
        """Too large to download (only its headers are stored): quarantined, staff told,
        a registered sender told politely (once a day)."""
        size = (inbound.error or "").partition(":")[2].strip()
        outcome = Outcome("quarantined", "oversize", error=inbound.error)
        outcome.staff.append(("too_large", {"detail": size}))
        found = match(uow, mail) if mail.kind == "reply" else None
        if found is not None:
            outcome.assignment_id = found.assignment.id
            if found.trusted and found.registered_address:
                outcome.outbox.append(
                    notify.notice(
                        found.registered_address,
                        "too_large",
                        found.assignment.id or 0,
                        threading(mail),
                        self.clock.now(),
                        size,
                    )
                )
        return outcome

    def _bounce(self, inbound: InboundMessage, mail: IncomingMail) -> Outcome:
        recipient = mail.bounced_recipient
        outcome = Outcome(
            "ignored", "bounce", error=f"bounce: {recipient} {mail.bounce_reason or ''}"[:500]
        )
        if mail.bounce_hard is True and recipient:
            outcome.unreachable = recipient
        elif mail.bounce_hard is None:  # unknown: never switch an address off on a guess
            outcome.staff.append(("bounce_unknown", {"recipient": recipient}))
        return outcome

    def record(
        self, uow: UnitOfWork, inbound: InboundMessage, outcome: Outcome, *, expected: str
    ) -> bool:
        """Add the outcome with its outbox rows to `uow` (once: only from the `expected`
        status; False when another worker recorded one first, and then the caller must
        roll back what `decide` staged)."""
        if not uow.inbound.set_outcome(
            inbound.id or 0,
            status=outcome.status,
            expected=expected,
            kind=outcome.kind,
            assignment_id=outcome.assignment_id,
            error=outcome.error,
        ):
            return False
        if outcome.receipt_in_reply and outcome.assignment_id:
            uow.outbox.cancel_pending_for(outcome.assignment_id, ("confirmation",))
        for row in outcome.outbox:
            uow.outbox.add(row)
        if outcome.unreachable:
            self._unreachable(uow, inbound, outcome.unreachable, outcome)
        self._alert(uow, inbound, outcome)
        return True

    def _unreachable(
        self, uow: UnitOfWork, inbound: InboundMessage, address: str, outcome: Outcome
    ) -> None:
        for contact in uow.contacts.by_email(address):
            contact.email_unreachable = True
            uow.contacts.update(contact)
            org = uow.organisations.get(contact.organisation_id)
            payload = {
                "failed_channel": "email",
                "contact_id": contact.id,
                "recipient": address,
                "reason": outcome.error,
                "inbound_id": inbound.id,
            }
            notify.alert_staff(
                uow, "delivery_failed", org, payload, f"bounce:{inbound.id}", self.clock.now()
            )

    def _alert(self, uow: UnitOfWork, inbound: InboundMessage, outcome: Outcome) -> None:
        if not outcome.staff:
            return
        org = None
        if outcome.assignment_id:
            context = uow.assignments.context(outcome.assignment_id)
            org = context[2] if context else None
        for reason, extra in outcome.staff:
            payload = {
                "reason": reason,
                "inbound_id": inbound.id,
                "assignment_id": outcome.assignment_id,
                **extra,
            }
            for owner in [org] if org else _owners(uow, extra.get("recipient")):
                notify.alert_staff(
                    uow, "mail_review", owner, payload, f"{inbound.id}:{reason}", self.clock.now()
                )


def _owners(uow: UnitOfWork, address: str | None) -> list[Organisation | None]:
    """The organisations whose contact has this address (a bounce's recipient: their
    territory's staff are told), else [None] (every staff member)."""
    contacts = uow.contacts.by_email(address) if address else []
    found = {c.organisation_id: uow.organisations.get(c.organisation_id) for c in contacts}
    return [o for o in found.values() if o is not None] or [None]


def _attachments(mail: IncomingMail) -> str:
    return "; ".join(mail.needs_review)[:200]
