"""Helpers for the scheduler scenarios: Warsaw times, a session with staff, ticks that log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.entities import OutboxMessage
from kartomat.bootstrap import App
from services.schedule import TickResult
from tests.fakes import FakeClock
from tests.sample import registry_csv

WAW = ZoneInfo("Europe/Warsaw")
SCHEDULER_KINDS = ("invitation", "reminder", "overdue", "staff_alert", "digest", "problem_alert")
# The sample registry: three NGOs and two IZUS in lubelskie (tests/sample.py).
NGOS = ("NGO-001", "NGO-002", "NGO-003")
IZUS = ("IZUS-LUB", "IZUS-SWI")


def waw(text: str) -> datetime:
    """A Warsaw wall-clock datetime from "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def clock_of(app: App) -> FakeClock:
    """The fake clock the app fixture wires."""
    assert isinstance(app.clock, FakeClock)
    return app.clock


def start_session(
    app: App,
    opens: str,
    deadline: str,
    *,
    open_at: str | None = None,
    harmonogram: dict[str, Any] | None = None,
    name: str = "S",
) -> None:
    """Registry, two staff members and an opened session (opened at `open_at`, Warsaw)."""
    report = app.registry.import_csv(registry_csv())
    assert report.ok, report.errors
    app.registry.add_staff("Ola Wojewódzka", "ola@cm.example", ["06"], telegram_id=5001)
    app.registry.add_staff("Piotr Powiatowy", "piotr@cm.example", ["0617"])
    clock_of(app).current = waw(open_at or f"{opens} 07:00")
    app.sessions.create(
        name, date.fromisoformat(opens), date.fromisoformat(deadline), ["ngo", "izus"], ["06"],
        harmonogram,
    )  # fmt: skip
    app.sessions.open(name)


def tick(app: App, when: str) -> TickResult:
    """Move the clock to a Warsaw time and run one tick."""
    clock_of(app).current = waw(when)
    return app.schedule.tick()


def messages(app: App, kinds: Iterable[str] = SCHEDULER_KINDS) -> list[OutboxMessage]:
    """The outbox rows of these kinds, oldest first."""
    wanted = set(kinds)
    with app.uow() as uow:
        return [m for m in uow.outbox.all() if m.kind in wanted]


def sent_log(
    app: App, days: Iterable[date], times: Iterable[str] = ("07:59", "08:00", "12:00", "16:00")
) -> list[tuple[str, str, str]]:
    """Tick at these Warsaw times on each day; (tick time, kind, external id) of what went."""
    log = []
    for day in days:
        for hhmm in times:
            when = f"{day.isoformat()} {hhmm}"
            before = {m.dedupe_key for m in messages(app)}
            tick(app, when)
            for m in messages(app):
                if m.dedupe_key not in before:
                    who = m.payload.get("external_id") or f"staff:{m.recipient}"
                    log.append((when, m.kind, who))
    return log


def days(first: str, last: str) -> list[date]:
    """Every calendar day from first to last, inclusive."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def of(log: list[tuple[str, str, str]], who: str) -> list[tuple[str, str]]:
    """The (tick time, kind) entries of one organisation."""
    return [(when, kind) for when, kind, w in log if w == who]


def assignment_id(app: App, external_id: str, session: str = "S") -> int:
    """The id of an organisation's assignment in the session."""
    with app.uow() as uow:
        org = uow.organisations.get_by_external_id(external_id)
        s = uow.sessions.get_by_name(session)
        assert org and s
        found = uow.assignments.find(s.id or 0, org.id or 0, org.kind)
        assert found is not None
        return found.id or 0


def bind_telegram(app: App, external_id: str, user_id: int, *, unreachable: bool = False) -> None:
    """Bind a Telegram account to the organisation's contact (as /start would)."""
    with app.uow() as uow:
        org = uow.organisations.get_by_external_id(external_id)
        assert org is not None
        contact = uow.contacts.for_organisation(org.id or 0)[0]
        contact.telegram_user_id, contact.telegram_unreachable = user_id, unreachable
        uow.contacts.update(contact)
        uow.commit()
