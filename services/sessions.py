"""Monitoring sessions: create, open (assignments + invitations), close, extend, status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.entities import (
    Assignment,
    AssignmentStatus,
    Contact,
    MonitoringSession,
    Organisation,
    OutboxMessage,
    SessionState,
)
from domain.errors import NotAllowed, NotFound, UserError
from domain.tokens import derive_token, hash_token, new_nonce, short_token
from services import texts
from services.card_state import CardState, build_answers, latest_records
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.schedule_facts import invitation_moment, validated_harmonogram
from services.unit import ensure_open, with_retries


@dataclass(frozen=True)
class AssignmentStatusRow:
    """One line of `kartomat status`."""

    external_id: str
    card: str
    status: AssignmentStatus
    answered: int
    required: int
    deadline: date
    submitted_at: datetime | None
    organisation: str
    teryt: str
    last_activity_at: datetime | None


@dataclass(frozen=True)
class Invite:
    """One line of `kartomat invites`: what staff can hand out by other means."""

    external_id: str
    card: str
    email: str | None
    token: str
    telegram_link: str


def find_session(uow: UnitOfWork, name: str) -> MonitoringSession:
    """The session by name, or a clear NotFound."""
    session = uow.sessions.get_by_name(name)
    if session is None:
        raise NotFound(
            f"Nie ma sesji o nazwie „{name}”. Sprawdź nazwę, np. 2026-H2.",
            f"There is no session named '{name}'.",
        )
    return session


class SessionService:
    """Staff operations on monitoring sessions."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CardCatalog,
        clock: Clock,
        secret: bytes,
        bot_username: str,
        on_close: Callable[[UnitOfWork, MonitoringSession], object] | None = None,
    ) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.secret = secret
        self.bot_username = bot_username
        # Runs inside the closing transaction: the indicator snapshot (issue #6) is
        # stored with the close or not at all.
        self.on_close = on_close

    def create(
        self,
        name: str,
        opens: date,
        deadline: date,
        cards: list[str],
        territories: list[str],
        harmonogram: dict[str, Any] | None = None,
    ) -> MonitoringSession:
        """Create a draft session (the harmonogram validated: defaults for what it omits)."""
        _validate_new(name, opens, deadline, cards, self.catalog)
        harmonogram = validated_harmonogram(harmonogram)
        with self.uow() as uow:
            if uow.sessions.get_by_name(name) is not None:
                raise UserError(f"Sesja „{name}” już istnieje.", f"Session '{name}' exists.")
            session = uow.sessions.add(
                MonitoringSession(
                    name=name,
                    opens=opens,
                    deadline=deadline,
                    cards=cards,
                    territories=territories,
                    harmonogram=harmonogram,
                )
            )
            uow.commit()
            return session

    def open(self, name: str) -> int:
        """Open the session: one assignment per covered organisation and card, invitations queued.

        Idempotent: organisations registered after an earlier open get theirs now.
        """

        def work(uow: UnitOfWork) -> int:
            session = find_session(uow, name)
            if session.state == SessionState.CLOSED:
                raise texts.session_closed(name)
            now = self.clock.now()
            if session.state == SessionState.DRAFT:
                session.state, session.opened_at = SessionState.OPEN, now
                uow.sessions.update(session)
            created = 0
            invite_at = invitation_moment(session, now)
            for org in uow.organisations.all():
                if org.kind in session.cards and session.covers(org.teryt):
                    created += self._assign(uow, session, org, now, invite_at)
            uow.commit()
            return created

        return with_retries(self.uow, work)

    def _assign(
        self,
        uow: UnitOfWork,
        session: MonitoringSession,
        org: Organisation,
        now: datetime,
        invite_at: datetime,
    ) -> int:
        if uow.assignments.find(session.id or 0, org.id or 0, org.kind) is not None:
            return 0
        contacts = uow.contacts.for_organisation(org.id or 0)
        channel = contacts[0].channel if contacts else "email"
        nonce = new_nonce()
        token = derive_token(self.secret, nonce)
        assignment = uow.assignments.add(
            Assignment(
                session_id=session.id or 0,
                organisation_id=org.id or 0,
                card=org.kind,
                token_nonce=nonce,
                token_hash=hash_token(token),
                token_short_hash=hash_token(short_token(token)),
                channel=channel,
            )
        )
        for contact in contacts:
            if contact.email and not contact.email_unreachable:
                uow.outbox.add(_invitation(session, assignment, contact, now, invite_at))
        return 1

    def close(self, name: str) -> MonitoringSession:
        """Close the session; the first session ever closed becomes the baseline."""
        with self.uow() as uow:
            session = find_session(uow, name)
            if session.state == SessionState.CLOSED:
                raise texts.session_closed(name)
            session.state, session.closed_at = SessionState.CLOSED, self.clock.now()
            session.is_baseline = uow.sessions.baseline() is None
            uow.sessions.update(session)
            for assignment in uow.assignments.for_session(session.id or 0):
                uow.outbox.cancel_pending_for(assignment.id or 0, ("reminder", "overdue"))
            if self.on_close is not None:
                self.on_close(uow, session)
            uow.commit()
            return session

    def extend(self, name: str, external_id: str, until: date) -> list[Assignment]:
        """Move one organisation's deadline in this session (and its reminders with it)."""
        with self.uow() as uow:
            session = find_session(uow, name)
            ensure_open(session)
            org = find_organisation(uow, external_id)
            if until < session.deadline:
                raise NotAllowed(
                    f"Nowy termin ({until:%d.%m.%Y}) jest wcześniejszy niż termin sesji "
                    f"({session.deadline:%d.%m.%Y}). Podaj późniejszą datę, np. "
                    f"{session.deadline.replace(day=min(session.deadline.day, 28)):%Y-%m-%d}.",
                    "The new deadline is earlier than the session's deadline.",
                )
            changed = [
                a
                for a in uow.assignments.for_session(session.id or 0)
                if a.organisation_id == org.id
            ]
            for assignment in changed:
                assignment.extended_until = until
                uow.assignments.update(assignment)
                # A queued reminder or overdue notice now states a wrong deadline; the
                # scheduler sends the next one by the new deadline.
                uow.outbox.cancel_pending_for(assignment.id or 0, ("reminder", "overdue"))
            uow.commit()
            return changed

    def status(self, name: str) -> list[AssignmentStatusRow]:
        """Every assignment of the session with its progress."""
        with self.uow() as uow:
            session = find_session(uow, name)
            assignments = uow.assignments.for_session(session.id or 0)
            histories = uow.answers.history_for([a.id or 0 for a in assignments])
            orgs = {o.id: o for o in uow.organisations.all()}
        now = self.clock.now()
        rows = []
        for a in assignments:
            card = self.catalog.get(a.card)
            history = histories[a.id or 0]
            state = CardState(
                a, session, orgs[a.organisation_id], None, card,
                latest_records(history), build_answers(card, history), now,
            )  # fmt: skip
            rows.append(_status_row(state))
        return rows

    def invites(self, name: str) -> list[Invite]:
        """Tokens and deep links of the session's open assignments."""
        with self.uow() as uow:
            session = find_session(uow, name)
            result = []
            for a in uow.assignments.for_session(session.id or 0):
                if a.token_revoked:
                    continue
                org = uow.organisations.get(a.organisation_id)
                contacts = uow.contacts.for_organisation(a.organisation_id)
                token = derive_token(self.secret, a.token_nonce)
                result.append(
                    Invite(
                        external_id=org.external_id if org else "?",
                        card=a.card,
                        email=contacts[0].email if contacts else None,
                        token=token,
                        telegram_link=f"https://t.me/{self.bot_username}?start={token}",
                    )
                )
            return result

    def revoke(self, name: str, external_id: str) -> int:
        """Revoke the tokens of one organisation's assignments (a new one is issued)."""
        with self.uow() as uow:
            session = find_session(uow, name)
            org = find_organisation(uow, external_id)
            count = 0
            for a in uow.assignments.for_session(session.id or 0):
                if a.organisation_id == org.id:
                    nonce = new_nonce()
                    token = derive_token(self.secret, nonce)
                    a.token_nonce, a.token_hash = nonce, hash_token(token)
                    a.token_short_hash = hash_token(short_token(token))
                    uow.assignments.update(a)
                    count += 1
            uow.commit()
            return count


def find_organisation(uow: UnitOfWork, external_id: str) -> Organisation:
    """The organisation by registry id, or a clear NotFound."""
    org = uow.organisations.get_by_external_id(external_id)
    if org is None:
        raise NotFound(
            f"W rejestrze nie ma organizacji o identyfikatorze „{external_id}”.",
            f"No organisation with id '{external_id}' in the registry.",
        )
    return org


def _status_row(state: CardState) -> AssignmentStatusRow:
    return AssignmentStatusRow(
        external_id=state.organisation.external_id,
        card=state.assignment.card,
        status=state.status,
        answered=state.answered_count,
        required=state.required_count,
        deadline=state.deadline,
        submitted_at=state.assignment.submitted_at,
        organisation=state.organisation.name,
        teryt=state.organisation.teryt,
        last_activity_at=state.assignment.last_activity_at,
    )


def _invitation(
    session: MonitoringSession,
    assignment: Assignment,
    contact: Contact,
    now: datetime,
    invite_at: datetime,
) -> OutboxMessage:
    # Every contact gets the invitation by email (it carries the template and the deep
    # link). The key's date is the day it goes: the scheduler reads it as "invited".
    email = contact.email or ""
    return OutboxMessage(
        channel="email",
        recipient=email,
        kind="invitation",
        payload={"assignment_id": assignment.id, "session": session.name, "contact_id": contact.id},
        dedupe_key=f"invitation:{assignment.id}:{invite_at.date().isoformat()}:{email.lower()}",
        next_attempt_at=invite_at,
        created_at=now,
        assignment_id=assignment.id,
    )


def _validate_new(
    name: str, opens: date, deadline: date, cards: list[str], catalog: CardCatalog
) -> None:
    if not name.strip():
        raise UserError("Podaj nazwę sesji, np. 2026-H2.", "Give the session a name.")
    if deadline < opens:
        raise UserError(
            f"Termin ({deadline:%d.%m.%Y}) nie może być wcześniejszy niż otwarcie "
            f"({opens:%d.%m.%Y}).",
            "The deadline cannot be before the opening.",
        )
    unknown = [c for c in cards if c not in catalog.kinds]
    if unknown or not cards:
        raise UserError(
            f"Nieznany rodzaj karty: {', '.join(unknown) or '(brak)'}. Użyj np. --cards ngo,izus.",
            "Unknown card kind; use e.g. --cards ngo,izus.",
        )
