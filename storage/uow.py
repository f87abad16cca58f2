"""The SQL unit of work: one session, one transaction, committed by the use case."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from services import ports
from services.mail_ports import MailboxStateRepository, SentMailRepository
from services.ports import ConflictError
from storage import mail_repositories as mail
from storage import repositories as r


class SqlUnitOfWork:
    """A UnitOfWork over SQLAlchemy; rolls back unless committed."""

    territories: ports.TerritoryRepository
    organisations: ports.OrganisationRepository
    contacts: ports.ContactRepository
    staff: ports.StaffRepository
    sessions: ports.SessionRepository
    assignments: ports.AssignmentRepository
    answers: ports.AnswerRepository
    outbox: ports.OutboxRepository
    inbound: ports.InboundRepository
    indicators: ports.IndicatorRepository
    mailboxes: MailboxStateRepository
    sent_mail: SentMailRepository

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def __enter__(self) -> Self:
        self.session = self._factory()
        s = self.session
        self.territories = r.TerritoryRepo(s)
        self.organisations = r.OrganisationRepo(s)
        self.contacts = r.ContactRepo(s)
        self.staff = r.StaffRepo(s)
        self.sessions = r.SessionRepo(s)
        self.assignments = r.AssignmentRepo(s)
        self.answers = r.AnswerRepo(s)
        self.outbox = r.OutboxRepo(s)
        self.inbound = r.InboundRepo(s)
        self.indicators = r.IndicatorRepo(s)
        self.mailboxes = mail.MailboxStateRepo(s)
        self.sent_mail = mail.SentMailRepo(s)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.session.close()
        if isinstance(exc, IntegrityError):
            raise ConflictError(str(exc.orig)) from exc
        if isinstance(exc, OperationalError) and "deadlock" in str(exc.orig).lower():
            raise ConflictError(str(exc.orig)) from exc

    def commit(self) -> None:
        """Commit; a unique-key race becomes ConflictError (the caller may retry)."""
        try:
            self.session.commit()
        except IntegrityError as exc:
            self.session.rollback()
            raise ConflictError(str(exc.orig)) from exc

    def rollback(self) -> None:
        """Discard everything not committed."""
        self.session.rollback()


def uow_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory for the engine (expire_on_commit off: entities are copies)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
