"""The composition root: settings in, a wired application out. Nothing else builds things."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from domain.cards.catalog import CardCatalog
from domain.indicators import builtin_indicators
from kartomat.settings import Settings
from mailer.wiring import MailServices, wire_mail
from services.access import AccessService
from services.chat import ChatService
from services.collection import CollectionService
from services.export import ExportService
from services.indicators import IndicatorService
from services.paper import PaperImportService
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.registry import RegistryService
from services.report import ReportService
from services.schedule import ScheduleService
from services.sessions import SessionService
from services.staff import StaffService
from services.submission import SubmissionService
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, uow_factory


class SystemClock:
    """The real clock (UTC, timezone-aware)."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


@dataclass
class App:
    """Every service, wired once."""

    settings: Settings
    engine: Engine | None
    uow: UnitOfWorkFactory
    catalog: CardCatalog
    clock: Clock
    secret: bytes
    collection: CollectionService
    submission: SubmissionService
    sessions: SessionService
    registry: RegistryService
    access: AccessService
    paper: PaperImportService
    export: ExportService
    schedule: ScheduleService
    indicators: IndicatorService
    report: ReportService
    chat: ChatService
    staff: StaffService
    mail: MailServices


def load_secret(settings: Settings) -> bytes:
    """The token secret: from the setting, else from (or into) the secret key file."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode("utf-8")
    path = Path(settings.secret_key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode("utf-8")


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> App:
    """Build the application on the configured database (migrated to the newest schema)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = uow_factory(engine)

    def sql_uow() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    return wire(settings, sql_uow, clock or SystemClock(), load_secret(settings), engine)


def wire(
    settings: Settings,
    uow: UnitOfWorkFactory,
    clock: Clock,
    secret: bytes,
    engine: Engine | None = None,
) -> App:
    """Wire every service over one unit-of-work factory (tests pass fakes here)."""
    catalog = CardCatalog.builtin()
    submission = SubmissionService(uow, catalog, clock)
    indicators = IndicatorService(uow, catalog, builtin_indicators(catalog), clock)
    bot = settings.telegram_bot_username
    collection = CollectionService(uow, catalog, clock)
    return App(
        settings=settings,
        engine=engine,
        uow=uow,
        catalog=catalog,
        clock=clock,
        secret=secret,
        collection=collection,
        submission=submission,
        sessions=SessionService(
            uow, catalog, clock, secret, bot, on_close=indicators.store_snapshot
        ),
        registry=RegistryService(uow, catalog),
        access=AccessService(uow),
        paper=PaperImportService(uow, catalog, clock, submission),
        export=ExportService(uow, catalog, clock),
        schedule=ScheduleService(uow, catalog, clock),
        indicators=indicators,
        report=ReportService(uow, indicators, clock),
        chat=ChatService(uow, catalog, clock),
        staff=StaffService(uow, catalog, clock),
        mail=wire_mail(settings, uow, catalog, clock, secret, collection, submission),
    )
