"""Bounded ticks: the batch limit and the staff list limit never lose anything."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.entities import MonitoringSession, Staff
from domain.schedule import PlannedMessage, WorkCalendar, load_harmonogram
from kartomat.bootstrap import App
from services.schedule import ScheduleService
from services.schedule_facts import SessionPlan
from services.schedule_messages import STAFF_LIST_LIMIT, staff_payload
from tests.service.schedule_support import (
    assignment_id,
    clock_of,
    messages,
    start_session,
    waw,
)


def test_a_batch_limit_spreads_the_messages_over_ticks(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    small = ScheduleService(app.uow, app.catalog, app.clock, batch_limit=2)
    clock_of(app).current = waw("2026-11-23 08:00")
    first = small.tick()
    assert (first.enqueued, first.remaining) == ({"reminder": 2}, 3)
    clock_of(app).current = waw("2026-11-23 08:01")
    assert small.tick().enqueued == {"reminder": 2}
    clock_of(app).current = waw("2026-11-23 08:02")
    last = small.tick()
    assert (last.enqueued, last.remaining) == ({"reminder": 1}, 0)
    assert len({m.assignment_id for m in messages(app, ["reminder"])}) == 5


def test_unreachable_assignments_do_not_crowd_out_the_rest(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    with app.uow() as uow:  # the first two assignments in id order lose every channel
        for external_id in ("IZUS-LUB", "IZUS-SWI"):
            org = uow.organisations.get_by_external_id(external_id)
            assert org is not None
            for contact in uow.contacts.for_organisation(org.id or 0):
                contact.email_unreachable = True
                uow.contacts.update(contact)
        uow.commit()
    assert assignment_id(app, "IZUS-LUB") < assignment_id(app, "NGO-001")
    small = ScheduleService(app.uow, app.catalog, app.clock, batch_limit=2)
    clock_of(app).current = waw("2026-11-23 08:00")
    result = small.tick()
    assert result.enqueued == {"reminder": 2} and result.unreachable == 2
    assert result.remaining == 1


def _plan() -> SessionPlan:
    harmonogram = load_harmonogram()
    session = MonitoringSession(
        id=1, name="S", opens=date(2026, 11, 2), deadline=date(2026, 11, 30), cards=["ngo"]
    )
    return SessionPlan(session, harmonogram, WorkCalendar(harmonogram))


def test_a_staff_message_lists_at_most_the_limit_and_counts_everything() -> None:
    ids = [str(i) for i in range(STAFF_LIST_LIMIT + 250)]
    groups = (("0663011", tuple(ids[:900])), ("0617011", tuple(ids[900:])))
    at = datetime(2026, 12, 2, 9, tzinfo=ZoneInfo("Europe/Warsaw"))
    planned = PlannedMessage("digest", "session1-staff1", at, at.date(), late_by_gmina=groups)
    staff = Staff(id=1, name="Ola", email="ola@cm.example", territories=["PL"])

    def entry(aid: int) -> dict[str, Any]:
        return {"assignment_id": aid}

    payload = staff_payload(planned, _plan(), staff, entry, {"0663011": "Lublin"})
    assert payload["late_count"] == STAFF_LIST_LIMIT + 250
    assert payload["listed"] == STAFF_LIST_LIMIT
    lublin, swidnik = payload["gminy"]
    assert (lublin["late_count"], len(lublin["assignments"])) == (900, 900)
    assert (swidnik["late_count"], len(swidnik["assignments"])) == (350, STAFF_LIST_LIMIT - 900)
    assert lublin["gmina"] == "Lublin" and swidnik["gmina"] is None
