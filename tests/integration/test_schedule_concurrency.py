"""Two scheduler processes ticking one PostgreSQL database at the same moment send once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from services.ports import UnitOfWork
from services.schedule import TickResult
from storage.uow import SqlUnitOfWork, uow_factory
from tests.conftest import SECRET
from tests.fakes import FakeClock
from tests.sample import REGISTRY_HEADER
from tests.service.schedule_support import messages, waw

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
ORGS = 150  # organisations of each kind: 300 assignments, enough for the ticks to overlap


def _registry() -> bytes:
    """NGOs and IZUS spread over ten gminy of lubelskie."""
    rows = [REGISTRY_HEADER]
    for i in range(ORGS):
        teryt = f"06{i % 10:02d}011"
        for kind, org_type in (("ngo", "fundacja"), ("izus", "ops")):
            rows.append(
                f"{kind.upper()}-{i:04d},{kind},Organizacja {kind} {i},{org_type},{teryt},"
                f"Miasto {i % 10},Powiat {i % 10},06,Osoba {i},{kind}{i}@example.org,,email"
            )
    return ("\n".join(rows) + "\n").encode("utf-8")


def _second_process(app: App, engine: Engine, tmp_path: Path) -> App:
    """Another wired application on the same database: nothing shared in memory."""
    sessions = uow_factory(engine)

    def sql_uow() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    settings = Settings(database_url="sqlite://", secret_key_file=tmp_path / "secret2")
    return wire(settings, sql_uow, FakeClock(app.clock.now()), SECRET, engine)


def _tick_together(apps: list[App], at: datetime) -> list[TickResult]:
    """Every app ticks at the same moment, released by one barrier."""
    barrier = threading.Barrier(len(apps))
    results: list[TickResult | None] = [None] * len(apps)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = apps[i].schedule.tick(at)
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return [r for r in results if r is not None]


@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_two_ticks_at_once_enqueue_each_message_once(
    app: App, backend: tuple[str, Engine], tmp_path: Path
) -> None:
    assert app.registry.import_csv(_registry()).ok
    app.registry.add_staff("Ola", "ola@cm.example", ["06"], telegram_id=5001)
    app.registry.add_staff("Piotr", "piotr@cm.example", ["0603"])
    app.sessions.create("S", date(2026, 11, 2), date(2026, 11, 30), ["ngo", "izus"], ["06"])
    app.sessions.open("S")
    apps = [app, _second_process(app, backend[1], tmp_path)]
    expected = {
        "2026-11-23 08:00": {"reminder": 2 * ORGS},
        "2026-11-27 08:00": {"reminder": 2 * ORGS},
        "2026-12-01 08:00": {"overdue": 2 * ORGS, "staff_alert": 2},
        "2026-12-02 09:00": {"digest": 2},
        "2026-12-04 08:00": {"overdue": 2 * ORGS},
    }
    for when, counts in expected.items():
        before = len(messages(app))
        results = _tick_together(apps, waw(when))
        written: Counter[str] = Counter()
        for result in results:
            written.update(result.enqueued)
        assert dict(written) == counts, when  # between them, each message written once
        assert len(messages(app)) - before == sum(counts.values())
    per_day = Counter(
        (m.assignment_id, m.dedupe_key.split(":")[2]) for m in messages(app) if m.assignment_id
    )
    assert max(per_day.values()) == 1  # never two messages to one assignment on one day
