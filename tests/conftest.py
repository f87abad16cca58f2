"""Shared fixtures: the three backends (fake, SQLite, PostgreSQL) and a fake clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from services.ports import UnitOfWork
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, uow_factory
from tests.fakes import FakeClock, FakeUnitOfWork, Store

# PTB 22 warns (an error under filterwarnings=error) when it builds RetryAfter with
# integer periods unless this opt-in is set; the bot sets it too (bot/application.py).
os.environ.setdefault("PTB_TIMEDELTA", "true")

PG_ADMIN_URL = os.environ.get(
    "KARTOMAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = b"test-secret-key-for-tokens"
BACKENDS = ["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TABLES = (
    "answer, outbox, inbound_message, assignment, contact, organisation, "
    "monitoring_session, staff, territory, mail_sent, mailbox_state"
)


@pytest.fixture
def clock() -> FakeClock:
    """Monday 2 November 2026, 10:00 in Warsaw (09:00 UTC)."""
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """A throw-away PostgreSQL database for this test run, migrated once."""
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"kartomat_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        if os.environ.get("KARTOMAT_REQUIRE_POSTGRES"):
            raise  # make test / CI: PostgreSQL tests must run, never be skipped
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error}")
    engine = make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", pool_size=10)
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def sqlite_engine(path: Path) -> Engine:
    """A migrated SQLite database file."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, object]]:
    """(name, engine-or-store) for each backend the service scenarios run on."""
    name = request.param
    if name == "fake":
        yield name, Store()
    elif name == "sqlite":
        engine = sqlite_engine(tmp_path / "kartomat.db")
        yield name, engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("pg_engine")
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        yield name, engine


@pytest.fixture
def app(backend: tuple[str, object], clock: FakeClock, tmp_path: Path) -> App:
    """The wired application on the current backend, with the fake clock."""
    name, handle = backend
    settings = Settings(
        database_url="sqlite://",
        secret_key_file=tmp_path / "secret",
        mail_from="monitoring@cm.example",
        mail_reply_to="monitoring+{token}@cm.example",
    )
    if name == "fake":
        store = handle
        assert isinstance(store, Store)

        def fake_uow() -> UnitOfWork:
            return FakeUnitOfWork(store)

        return wire(settings, fake_uow, clock, SECRET)
    assert isinstance(handle, Engine)
    sessions = uow_factory(handle)

    def sql_uow() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    return wire(settings, sql_uow, clock, SECRET, handle)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many PostgreSQL tests ran, so CI output shows they were not skipped."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in counts:
        for report in terminalreporter.stats.get(outcome, []):
            if "postgres" in getattr(report, "keywords", {}):
                counts[outcome] += 1
    total = sum(counts.values())
    terminalreporter.write_line(
        f"PostgreSQL-backed tests ran against 127.0.0.1:5432: {total} "
        f"(passed {counts['passed']}, failed {counts['failed']}, skipped {counts['skipped']})"
    )
