"""Staff messages through the service: late-submission alerts, the daily digest, problems."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidAnswer
from kartomat.bootstrap import App
from services.card_state import Provenance
from tests.service.schedule_support import (
    IZUS,
    NGOS,
    assignment_id,
    clock_of,
    days,
    messages,
    sent_log,
    start_session,
    tick,
    waw,
)

PROBLEM = Provenance(channel="telegram", source_message_id="upd-42", contact_id=None)


def test_late_alert_groups_each_staff_members_territories_by_gmina(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    app.registry.add_staff("Kasia Mazowiecka", "kasia@cm.example", ["14"])  # nothing late there
    assert tick(app, "2026-12-01 07:59").total == 0
    assert tick(app, "2026-12-01 08:00").enqueued == {"overdue": 5, "staff_alert": 2}
    alerts = {m.recipient: m for m in messages(app, ["staff_alert"])}
    assert set(alerts) == {"5001", "piotr@cm.example"}
    ola, piotr = alerts["5001"], alerts["piotr@cm.example"]
    assert (ola.channel, piotr.channel) == ("telegram", "email")
    assert ola.dedupe_key.startswith("staff_alert:session1-staff") and ola.assignment_id is None
    grouped = [
        (g["teryt"], g["gmina"], [a["external_id"] for a in g["assignments"]])
        for g in ola.payload["gminy"]
    ]
    assert grouped == [
        ("0617011", "Świdnik", ["IZUS-SWI", "NGO-003"]),
        ("0663011", "Lublin", ["IZUS-LUB", "NGO-001", "NGO-002"]),
    ]
    assert [g["teryt"] for g in piotr.payload["gminy"]] == ["0617011"]
    entry = ola.payload["gminy"][1]["assignments"][1]
    assert entry["organisation"] == "Fundacja Dobry Start" and entry["card"] == "ngo"
    assert entry["channel"] == "telegram" and entry["last_activity_at"] is None
    assert entry["days_late"] == 1 and entry["deadline"] == "2026-11-30"
    assert sorted(ola.payload["new"]) == sorted(assignment_id(app, o) for o in NGOS + IZUS)


def test_digest_cadence(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    log = sent_log(app, days("2026-12-01", "2026-12-09"), ("08:00", "08:59", "09:00", "15:59"))
    ola = [(when, kind) for when, kind, who in log if who == "staff:5001"]
    assert ola == [
        ("2026-12-01 08:00", "staff_alert"),
        ("2026-12-02 09:00", "digest"),  # at staff_digest_time, not at duty start
        ("2026-12-03 09:00", "digest"),
        ("2026-12-04 09:00", "digest"),
        ("2026-12-07 09:00", "digest"),  # none at the weekend
        ("2026-12-08 09:00", "digest"),
        ("2026-12-09 09:00", "digest"),
    ]
    digest = next(m for m in messages(app, ["digest"]) if m.dedupe_key.endswith("2026-12-09"))
    assert digest.payload["late_count"] == 5 and digest.payload["new"] == []


def test_digest_stops_when_nothing_is_late_and_a_missed_day_is_not_doubled(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    tick(app, "2026-12-01 08:00")
    # Down from 1 Dec 12:00 to 3 Dec 10:00: one digest that day, none for the 2nd.
    assert tick(app, "2026-12-03 10:00").enqueued == {"digest": 2}
    clock_of(app).current = waw("2026-12-03 11:00")
    for org in NGOS + IZUS:
        app.sessions.extend("S", org, date(2026, 12, 18))
    assert [tick(app, f"{d} 09:00").total for d in ("2026-12-04", "2026-12-07")] == [0, 0]


def test_a_transmission_problem_reaches_covering_staff_at_once_in_duty_hours(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    clock_of(app).current = waw("2026-11-10 11:17")
    ngo = assignment_id(app, "NGO-003")  # Świdnik: both Ola (06) and Piotr (0617) cover it
    assert app.schedule.report_problem(ngo, "  Nie działa mi załącznik.  ", PROBLEM) == 2
    assert app.schedule.report_problem(ngo, "Nie działa mi załącznik.", PROBLEM) == 2
    alerts = messages(app, ["problem_alert"])
    assert len(alerts) == 2  # the same report twice (a redelivered update): alerted once
    assert {m.next_attempt_at for m in alerts} == {waw("2026-11-10 11:17")}
    assert {m.recipient for m in alerts} == {"5001", "piotr@cm.example"}
    payload = alerts[0].payload
    assert payload["text"] == "Nie działa mi załącznik." and payload["external_id"] == "NGO-003"
    assert payload["assignment_id"] == ngo and payload["channel"] == "telegram"


def test_a_problem_at_night_waits_for_the_next_duty_window(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    clock_of(app).current = waw("2026-11-13 20:30")  # Friday evening
    ngo = assignment_id(app, "NGO-001")  # Lublin: only Ola covers it
    assert app.schedule.report_problem(ngo, "Bot nie odpowiada", PROBLEM) == 1
    (alert,) = messages(app, ["problem_alert"])
    assert alert.next_attempt_at == waw("2026-11-16 08:00") and alert.recipient == "5001"


def test_a_problem_nobody_covers_goes_to_every_staff_member(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    app.registry.add_staff("Ola Wojewódzka", "ola@cm.example", ["14"], telegram_id=5001)
    clock_of(app).current = waw("2026-11-10 12:00")
    assert app.schedule.report_problem(assignment_id(app, "NGO-001"), "x", PROBLEM) == 2


def test_an_empty_problem_report_is_refused(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    with pytest.raises(InvalidAnswer):
        app.schedule.report_problem(assignment_id(app, "NGO-001"), "   ", PROBLEM)
    assert messages(app, ["problem_alert"]) == []
