"""Reminders and the life of an assignment: submission, extension, channels, filling, closing."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import UserError
from domain.schedule import Harmonogram
from kartomat.bootstrap import App
from services.card_state import Provenance
from tests.sample import registry_csv
from tests.service.schedule_support import (
    assignment_id,
    bind_telegram,
    clock_of,
    days,
    messages,
    of,
    sent_log,
    start_session,
    tick,
    waw,
)
from tests.service.test_collection import fill

TG = Provenance(channel="telegram", source_message_id="upd-7", contact_id=None)


def test_submission_cancels_the_pending_reminder_and_stops_the_rest(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    tick(app, "2026-11-23 08:00")
    ngo = assignment_id(app, "NGO-001")
    clock_of(app).current = waw("2026-11-23 09:00")
    fill(app, ngo)
    app.submission.submit(ngo, TG)
    mine = [m for m in messages(app, ["reminder"]) if m.assignment_id == ngo]
    assert [m.status for m in mine] == ["cancelled"]
    log = sent_log(app, days("2026-11-24", "2026-12-10"))
    assert of(log, "NGO-001") == []
    assert len(of(log, "NGO-002")) == 4
    alert = next(m for m in messages(app, ["staff_alert"]) if m.recipient == "5001")
    listed = [a["external_id"] for g in alert.payload["gminy"] for a in g["assignments"]]
    assert "NGO-001" not in listed and len(listed) == 4


def test_extension_moves_reminders_and_lateness(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    tick(app, "2026-11-23 08:00")
    clock_of(app).current = waw("2026-11-25 10:00")
    app.sessions.extend("S", "NGO-001", date(2026, 12, 14))
    log = sent_log(app, days("2026-11-26", "2026-12-16"))
    assert of(log, "NGO-001") == [
        ("2026-12-07 08:00", "reminder"),  # new D-7
        ("2026-12-11 08:00", "reminder"),  # new D-3 with D-1 (Sunday 13th)
        ("2026-12-15 08:00", "overdue"),
    ]
    first_alert = next(m for m in messages(app, ["staff_alert"]) if m.recipient == "5001")
    assert first_alert.payload["late_count"] == 4
    # 15 Dec: NGO-001 is late now; staff get an alert naming it, not a digest.
    alerts = [m for m in messages(app, ["staff_alert"]) if m.dedupe_key.endswith("2026-12-15")]
    assert {m.recipient for m in alerts} == {"5001"}  # Piotr (0617) does not cover Lublin
    assert alerts[0].payload["new"] == [assignment_id(app, "NGO-001")]
    assert alerts[0].payload["late_count"] == 5


def test_extension_cancels_a_queued_overdue_notice(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    tick(app, "2026-12-01 08:00")
    clock_of(app).current = waw("2026-12-01 08:05")
    app.sessions.extend("S", "NGO-002", date(2026, 12, 18))
    statuses = {m.payload["external_id"]: m.status for m in messages(app, ["overdue"])}
    assert statuses["NGO-002"] == "cancelled" and statuses["NGO-001"] == "pending"


def test_channel_follows_the_harmonogram_order_and_reachability(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    bind_telegram(app, "NGO-001", 7001)
    bind_telegram(app, "NGO-003", 7003, unreachable=True)
    bind_telegram(app, "IZUS-LUB", 7004)  # Karta IZUS goes by email only (default harmonogram)
    tick(app, "2026-11-23 08:00")
    sent = {m.payload["external_id"]: (m.channel, m.recipient) for m in messages(app, ["reminder"])}
    assert sent == {
        "NGO-001": ("telegram", "7001"),  # one channel only: not nagged twice
        "NGO-002": ("email", "jan@razem.example"),
        "NGO-003": ("email", "ewa@swit.example"),
        "IZUS-LUB": ("email", "mops@lublin.example"),
        "IZUS-SWI": ("email", "cus@swidnik.example"),
    }
    reminder = next(m for m in messages(app, ["reminder"]) if m.recipient == "7001")
    assert reminder.dedupe_key == f"reminder:{assignment_id(app, 'NGO-001')}:2026-11-23"


def test_harmonogram_can_send_ngo_cards_by_email_only(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30", harmonogram={"channels": {"ngo": ["email"]}})
    bind_telegram(app, "NGO-001", 7001)
    tick(app, "2026-11-23 08:00")
    assert {m.channel for m in messages(app, ["reminder"])} == {"email"}


def test_no_reachable_channel_is_reported_not_hidden(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    with app.uow() as uow:
        org = uow.organisations.get_by_external_id("IZUS-SWI")
        assert org is not None
        contact = uow.contacts.for_organisation(org.id or 0)[0]
        contact.email_unreachable = True
        uow.contacts.update(contact)
        uow.commit()
    result = tick(app, "2026-11-23 08:00")
    assert result.enqueued == {"reminder": 4} and result.unreachable == 1


def test_invitation_by_telegram_when_the_email_bounced_before_opening(app: App) -> None:
    assert app.registry.import_csv(registry_csv()).ok
    bind_telegram(app, "NGO-002", 7002)
    with app.uow() as uow:
        org = uow.organisations.get_by_external_id("NGO-002")
        assert org is not None
        contact = uow.contacts.for_organisation(org.id or 0)[0]
        contact.email_unreachable = True
        uow.contacts.update(contact)
        uow.commit()
    clock_of(app).current = waw("2026-11-07 10:00")  # opened on a Saturday
    app.sessions.create("S", date(2026, 11, 2), date(2026, 11, 30), ["ngo", "izus"], ["06"])
    app.sessions.open("S")
    invitations = messages(app, ["invitation"])
    assert len(invitations) == 4
    assert {m.next_attempt_at for m in invitations} == {waw("2026-11-09 08:00")}
    assert tick(app, "2026-11-09 08:00").enqueued == {"invitation": 1}
    late = [m for m in messages(app, ["invitation"]) if m.channel == "telegram"]
    assert [(m.recipient, m.payload["external_id"]) for m in late] == [("7002", "NGO-002")]
    assert tick(app, "2026-11-10 08:00").total == 0


def test_reminders_list_what_is_missing_and_wait_while_the_card_is_being_filled(
    app: App,
) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    ngo = assignment_id(app, "NGO-001")
    clock_of(app).current = waw("2026-11-23 07:55")
    assert app.collection.record(ngo, "ngo.I.2", "fundacja", TG).accepted
    result = tick(app, "2026-11-23 08:00")
    assert result.enqueued == {"reminder": 4} and result.deferred == 1
    assert tick(app, "2026-11-23 08:10").enqueued == {"reminder": 1}
    reminders = {m.payload["external_id"]: m.payload for m in messages(app, ["reminder"])}
    assert "I.2" in reminders["NGO-002"]["missing"]
    assert "I.2" not in reminders["NGO-001"]["missing"] and reminders["NGO-001"]["missing"]
    assert reminders["NGO-001"]["days_left"] == 7 and reminders["NGO-001"]["gmina"] == "Lublin"
    assert "missing" in reminders["IZUS-LUB"] and reminders["IZUS-LUB"]["card"] == "izus"


def test_closing_the_session_stops_everything(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    tick(app, "2026-12-01 08:00")
    clock_of(app).current = waw("2026-12-01 10:00")
    app.sessions.close("S")
    assert {m.status for m in messages(app, ["overdue"])} == {"cancelled"}
    log = sent_log(app, days("2026-12-02", "2026-12-10"))
    assert log == []


def test_a_draft_session_sends_nothing(app: App) -> None:
    assert app.registry.import_csv(registry_csv()).ok
    app.sessions.create("S", date(2026, 11, 2), date(2026, 11, 30), ["ngo"], ["06"])
    assert tick(app, "2026-11-23 08:00").total == 0


def test_create_validates_the_harmonogram(app: App) -> None:
    bad = {"duty_hours": {"start": "16:00", "end": "08:00"}, "overdue": {"max": -1}, "x": 1}
    with pytest.raises(UserError) as error:
        app.sessions.create("S", date(2026, 11, 2), date(2026, 11, 30), ["ngo"], [], bad)
    text = error.value.message_pl
    assert text.startswith("Harmonogram jest niepoprawny")
    assert "duty_hours" in text and "overdue.max" in text and "x: unknown setting" in text
    good = {"staff_digest_time": "10:00"}
    session = app.sessions.create("S", date(2026, 11, 2), date(2026, 11, 30), ["ngo"], [], good)
    assert session.harmonogram == good
    assert Harmonogram.model_validate(session.harmonogram).staff_digest_time.hour == 10
