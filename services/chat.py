"""The chat's view of a respondent: who writes, which card they are on, pauses, language.

Everything a chat adapter needs to know between two messages lives in the database:
the contact (and its language), the assignment's position (`cursor`) and its
`last_activity_at`. The card a person is on is the open, unsubmitted assignment they
touched last, so any bot process behind a load balancer reaches the same answer.
A cursor of None means "not inside the card" (a fresh invitation, after /przerwij or
"Później"): the next message resumes at the first unanswered question instead of
being taken as an answer (channels.md, Resume).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.cards.catalog import CardCatalog
from domain.cards.model import Lang
from domain.entities import Assignment, Contact, MonitoringSession, Organisation, SessionState
from domain.errors import NotAllowed
from services.card_state import CardState
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.unit import ensure_open, load_state, with_retries

EPOCH = datetime.min


@dataclass(frozen=True)
class CardChoice:
    """One open assignment a respondent may fill, with what the greeting shows."""

    assignment: Assignment
    session: MonitoringSession
    organisation: Organisation

    @property
    def id(self) -> int:
        """The assignment id."""
        return self.assignment.id or 0


@dataclass(frozen=True)
class Respondent:
    """A Telegram account bound to a contact, and the cards it may fill."""

    contact: Contact
    choices: tuple[CardChoice, ...]

    @property
    def lang(self) -> Lang:
        """The contact's language (Polish unless they chose English)."""
        return "en" if self.contact.language == "en" else "pl"

    @property
    def active(self) -> CardChoice | None:
        """The card being filled: the unsubmitted one touched last, else the latest submitted."""
        if not self.choices:
            return None

        def recency(choice: CardChoice) -> tuple[bool, datetime, int]:
            a = choice.assignment
            touched = (a.last_activity_at or EPOCH).replace(tzinfo=None)
            return (a.submitted_at is None, touched, -choice.id)

        return max(self.choices, key=recency)

    def choice(self, assignment_id: int) -> CardChoice | None:
        """The choice with this assignment id, if this respondent may fill it."""
        return next((c for c in self.choices if c.id == assignment_id), None)


def changed_since_submission(state: CardState) -> bool:
    """Whether answers were corrected after the card was last submitted (or never submitted)."""
    if state.assignment.submitted_at is None:
        return True
    stamps = [r.recorded_at for r in state.latest.values() if r.channel == "system"]
    last = max(stamps, default=state.assignment.submitted_at)
    return any(r.recorded_at > last for r in state.latest.values() if r.channel != "system")


class ChatService:
    """Respondents in a chat: identify, choose a card, pause, confirm a warning, language."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock

    def respondent(self, telegram_user_id: int) -> Respondent | None:
        """The contact bound to this account and its open assignments (None: not bound)."""
        with self.uow() as uow:
            contacts = uow.contacts.by_telegram_user(telegram_user_id)
            if not contacts:
                return None
            return Respondent(contacts[0], tuple(_choices(uow, telegram_user_id)))

    def choose(self, telegram_user_id: int, assignment_id: int) -> CardState:
        """Make this card the one being filled and put the respondent on its current question."""

        def work(uow: UnitOfWork) -> CardState:
            state = self._locked(uow, telegram_user_id, assignment_id)
            current = state.current_question()
            state.assignment.cursor = current.id if current is not None else None
            state.assignment.last_activity_at = state.now
            uow.assignments.update(state.assignment)
            uow.commit()
            return state

        return with_retries(self.uow, work)

    def mark_asked(self, assignment_id: int, question_id: str) -> None:
        """The question reached the chat: a message from now on may answer it.

        Until then a message is not taken as an answer (the bot may have stopped between
        storing the previous answer and asking this question; a person repeating that
        answer must not answer this one). No-op when the respondent has moved on.
        """
        with self.uow() as uow:
            uow.assignments.mark_asked(assignment_id, question_id)
            uow.commit()

    def pause(self, telegram_user_id: int, assignment_id: int) -> None:
        """Step out of the card (the draft stays); the next message resumes it."""

        def work(uow: UnitOfWork) -> None:
            state = self._locked(uow, telegram_user_id, assignment_id)
            state.assignment.cursor = None
            uow.assignments.update(state.assignment)
            uow.commit()

        with_retries(self.uow, work)

    def confirm_warning(
        self, telegram_user_id: int, assignment_id: int, question_id: str, revision: int
    ) -> CardState | None:
        """ "Tak, zgadza się": move on past the question; None when the card changed since."""

        def work(uow: UnitOfWork) -> CardState | None:
            state = self._locked(uow, telegram_user_id, assignment_id)
            if state.assignment.revision != revision or question_id not in state.applicable_ids:
                return None
            following = state.next_question(after=question_id)
            state.assignment.cursor = following.id if following is not None else None
            uow.assignments.update(state.assignment)
            uow.commit()
            return state

        return with_retries(self.uow, work)

    def set_language(self, telegram_user_id: int, lang: Lang) -> None:
        """Remember the language of every contact bound to this account."""
        with self.uow() as uow:
            for contact in uow.contacts.by_telegram_user(telegram_user_id):
                contact.language = lang
                uow.contacts.update(contact)
            uow.commit()

    def language(self, telegram_user_id: int) -> Lang:
        """The language to write to this account in (Polish when unknown)."""
        with self.uow() as uow:
            contacts = uow.contacts.by_telegram_user(telegram_user_id)
        return "en" if contacts and contacts[0].language == "en" else "pl"

    def _locked(self, uow: UnitOfWork, telegram_user_id: int, assignment_id: int) -> CardState:
        """The card's state, locked, once this account is known to be allowed to touch it."""
        if not any(c.id == assignment_id for c in _choices(uow, telegram_user_id)):
            raise NotAllowed(
                "Ta karta nie należy do Państwa organizacji albo jej sesja jest zamknięta.",
                "This card does not belong to your organisation or its session is closed.",
            )
        state = load_state(uow, self.catalog, self.clock, assignment_id, for_update=True)
        ensure_open(state.session)
        return state


def _choices(uow: UnitOfWork, telegram_user_id: int) -> list[CardChoice]:
    """Open assignments of the organisations of the contacts bound to this account (one query)."""
    return [
        CardChoice(assignment, session, organisation)
        for assignment, session, organisation in uow.assignments.for_telegram_user(telegram_user_id)
        if session.state == SessionState.OPEN
    ]
