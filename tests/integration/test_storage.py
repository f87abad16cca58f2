"""Storage on the real databases: migrations, WAL, uniqueness and concurrent writers."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from kartomat.bootstrap import App
from services.card_state import Provenance
from storage.engine import make_engine
from storage.migrate import current_revision, head_revision, upgrade
from tests.conftest import sqlite_engine
from tests.service.test_collection import assignment_of, open_session

pytestmark = pytest.mark.integration


def test_sqlite_uses_wal_and_is_migrated(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "k.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # idempotent
    assert "outbox" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.postgres
def test_postgres_is_migrated(pg_engine: Engine) -> None:
    assert current_revision(pg_engine) == head_revision()
    tables = set(inspect(pg_engine).get_table_names())
    assert {"answer", "outbox", "inbound_message", "assignment", "territory"} <= tables


def test_postgres_url_without_driver_is_accepted() -> None:
    engine = make_engine("postgresql://postgres@127.0.0.1:5432/test")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_two_concurrent_writers_lose_no_answer(app: App) -> None:
    """Two threads answer different questions of one assignment at once: all versions land."""
    open_session(app, deadline=date(2026, 12, 31))
    a = assignment_of(app, "IZUS-LUB")
    codes = ["II.0.1", "II.0.2", "II.0.3", "II.0.4", "II.0.5", "II.1.1", "II.1.2", "II.1.3"]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(offset: int) -> None:
        try:
            barrier.wait()
            for round_ in range(5):
                for code in codes[offset::2]:
                    prov = Provenance(channel="telegram", source_message_id=f"{offset}-{round_}")
                    assert app.collection.record_by_code(a, code, str(round_), prov).accepted
                for code in codes:  # both threads also write the same questions
                    app.collection.record_by_code(a, code, str(10 + round_), Provenance("email"))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with app.uow() as uow:
        history = uow.answers.history(a)
    per_code = {
        c: sorted(r.version for r in history if r.question_id == f"izus.{c}") for c in codes
    }
    for versions in per_code.values():
        assert versions == list(range(1, len(versions) + 1))  # no gaps, no duplicates
        assert len(versions) == 5 + 10  # 5 own + 2 × 5 shared writes
    if app.engine is not None:
        with app.engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM answer")).scalar()
        assert count == len(history)
