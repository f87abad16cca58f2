"""The SQL unit of work: one connection, one transaction, committed by the use case.

The ORM session is bound to the unit of work's connection and joins its transaction;
it is created only when a repository first needs it. The answering hot path
(storage.driver) runs on that connection without the session, whose machinery costs
more per transaction than SQLite takes to store an answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from services import ports
from services.mail_ports import MailboxStateRepository, SentMailRepository
from services.ports import ConflictError
from storage import mail_repositories as mail
from storage import repositories as r

_KEPT_PER_ENGINE = 4


def _idle_connections(engine: Engine) -> list[Connection] | None:
    """The connections a SQLite engine's units of work left for the next ones, kept on
    the engine (collected with it, closed by its dispose()); None on other databases
    (PostgreSQL's pool pings a connection at each check-out, which a restarted server
    needs: docs/reliability.md)."""
    if engine.dialect.name != "sqlite":
        return None
    idle: list[Connection] | None = engine.__dict__.get("_kartomat_idle")
    if idle is None:
        idle = engine.__dict__.setdefault("_kartomat_idle", [])

        def close_idle(_engine: Engine, kept: list[Connection] = idle) -> None:
            while kept:
                kept.pop().close()

        event.listen(engine, "engine_disposed", close_idle)
    return idle


class SqlUnitOfWork:
    """A UnitOfWork over SQLAlchemy; rolls back unless committed.

    On SQLite a unit of work keeps its connection for the next one (up to
    _KEPT_PER_ENGINE per engine): checking a connection out of the pool and back in
    costs more than SQLite takes to store an answer. A kept connection is outside any
    transaction, and one that was invalidated is not kept.
    """

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
        engine = factory.kw.get("bind")
        assert isinstance(engine, Engine), "uow_factory(engine) binds the sessions"
        self._engine = engine
        self._idle = _idle_connections(engine)

    def __enter__(self) -> Self:
        self._connection = self._kept() or self._engine.connect()
        self._session: Session | None = None
        self.territories = r.TerritoryRepo(self)
        self.organisations = r.OrganisationRepo(self)
        self.contacts = r.ContactRepo(self)
        self.staff = r.StaffRepo(self)
        self.sessions = r.SessionRepo(self)
        self.assignments = r.AssignmentRepo(self)
        self.answers = r.AnswerRepo(self)
        self.outbox = r.OutboxRepo(self)
        self.inbound = r.InboundRepo(self)
        self.indicators = r.IndicatorRepo(self)
        self.mailboxes = mail.MailboxStateRepo(self)
        self.sent_mail = mail.SentMailRepo(self)
        return self

    def _kept(self) -> Connection | None:
        try:
            return self._idle.pop() if self._idle is not None else None
        except IndexError:  # another thread took the last one
            return None

    @property
    def session(self) -> Session:
        """The ORM session on this unit of work's connection, created when first used:
        a transaction of driver statements only (answering) never pays for one."""
        session = self._session
        if session is None:
            # rollback_only: session.commit() flushes and leaves the connection's
            # transaction to commit(); a rollback of the session rolls it back.
            session = self._factory(bind=self._connection, join_transaction_mode="rollback_only")
            self._session = session
        return session

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
            if self._session is not None:
                self._session.close()
        finally:
            connection, idle = self._connection, self._idle
            if (
                idle is not None
                and len(idle) < _KEPT_PER_ENGINE
                and not connection.invalidated
                and not connection.in_transaction()
            ):
                idle.append(connection)
            else:
                connection.close()
        if isinstance(exc, IntegrityError):
            raise ConflictError(str(exc.orig)) from exc
        if isinstance(exc, OperationalError) and "deadlock" in str(exc.orig).lower():
            raise ConflictError(str(exc.orig)) from exc

    def commit(self) -> None:
        """Commit; a unique-key race becomes ConflictError (the caller may retry)."""
        try:
            session = self._session
            if session is not None and (session.in_transaction() or len(session.identity_map)):
                session.commit()  # else nothing to flush
            if self._connection.in_transaction():
                self._connection.commit()
        except IntegrityError as exc:
            self.rollback()
            raise ConflictError(str(exc.orig)) from exc

    def rollback(self) -> None:
        """Discard everything not committed."""
        if self._session is not None and self._session.in_transaction():
            self._session.rollback()
        if self._connection.in_transaction():
            self._connection.rollback()

    def connection(self) -> Connection:
        """The connection, in a transaction (begun here unless the session began it)."""
        connection = self._connection
        if not connection.in_transaction():
            connection.begin()
        return connection

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """SAVEPOINT … RELEASE; ROLLBACK TO SAVEPOINT when the block raises."""
        nested = self.session.begin_nested()
        # SAVEPOINT now, not at the session's next statement: the driver statements
        # (storage.driver) write on the connection without going through the session.
        self.session.connection()
        try:
            yield
        except BaseException as exc:
            if nested.is_active:
                nested.rollback()
            if isinstance(exc, IntegrityError) or (
                isinstance(exc, OperationalError) and "deadlock" in str(exc.orig).lower()
            ):
                raise ConflictError(str(exc.orig)) from exc
            raise
        nested.commit()


def uow_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory for the engine (expire_on_commit off: entities are copies)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
