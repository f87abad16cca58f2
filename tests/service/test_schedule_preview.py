"""`schedule preview` through the service, and the tick's messages reaching fake senders."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotFound
from kartomat.bootstrap import App
from services.outbox import OutboxService
from tests.service.schedule_support import (
    assignment_id,
    bind_telegram,
    clock_of,
    days,
    messages,
    sent_log,
    start_session,
    tick,
    waw,
)
from tests.service.test_collection import TG, fill
from tests.service.test_outbox import ScriptedSender


def _lines(app: App, at: str, who: str | None = "NGO-001") -> list[tuple[str, str, str | None]]:
    """(local due time, kind, recipient) of the preview lines of one organisation (or staff)."""
    return [
        (f"{i.due_at:%Y-%m-%d %H:%M}", i.kind, i.recipient)
        for i in app.schedule.preview("S", waw(at))
        if i.external_id == who
    ]


def test_preview_lists_the_plan_with_channel_and_recipient(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    bind_telegram(app, "NGO-001", 7001)
    assert _lines(app, "2026-11-20 12:00") == [
        ("2026-11-23 08:00", "reminder", "7001"),
        ("2026-11-27 08:00", "reminder", "7001"),
        ("2026-12-01 08:00", "overdue", "7001"),
        ("2026-12-04 08:00", "overdue", "7001"),
        ("2026-12-09 08:00", "overdue", "7001"),
    ]
    assert _lines(app, "2026-11-20 12:00", None) == [
        ("2026-12-01 08:00", "staff_alert", "5001"),
        ("2026-12-01 08:00", "staff_alert", "piotr@cm.example"),
        ("2026-12-02 09:00", "digest", "5001"),
        ("2026-12-02 09:00", "digest", "piotr@cm.example"),
    ]
    first = app.schedule.preview("S", waw("2026-11-20 12:00"))[0].as_json()
    assert set(first) == {"external_id", "card", "kind", "due_at", "channel", "recipient"}
    assert first["due_at"] == "2026-11-23T08:00:00+01:00"


def test_preview_shows_the_catch_up_after_downtime_and_skips_what_went(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    assert _lines(app, "2026-11-24 20:00")[:2] == [
        ("2026-11-25 08:00", "reminder", "anna@dobrystart.example"),  # the missed D-7
        ("2026-11-27 08:00", "reminder", "anna@dobrystart.example"),
    ]
    tick(app, "2026-11-25 08:00")
    assert _lines(app, "2026-11-25 12:00")[0][:2] == ("2026-11-27 08:00", "reminder")


def test_preview_drops_a_submitted_assignment_and_a_closed_session(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    clock_of(app).current = waw("2026-11-20 10:00")
    ngo = assignment_id(app, "NGO-001")
    fill(app, ngo)
    app.submission.submit(ngo, TG)
    assert _lines(app, "2026-11-20 12:00") == []
    assert len(_lines(app, "2026-11-20 12:00", "NGO-002")) == 5
    app.sessions.close("S")
    assert app.schedule.preview("S", waw("2026-11-20 12:00")) == []
    with pytest.raises(NotFound):
        app.schedule.preview("nope")


def test_preview_agrees_with_what_the_ticks_then_send(app: App) -> None:
    start_session(app, "2026-12-01", "2026-12-28")
    app.sessions.extend("S", "NGO-002", date(2027, 1, 8))
    planned = {
        (i.external_id, i.kind, i.due_at.date().isoformat())
        for i in app.schedule.preview("S", waw("2026-12-14 12:00"))
        if i.external_id
    }
    log = sent_log(app, days("2026-12-14", "2027-01-25"), ("08:00",))
    sent = {(who, kind, when[:10]) for when, kind, who in log if not who.startswith("staff:")}
    assert planned == sent and len(sent) == 4 * 5 + 6  # NGO-002: D-7 on 31 Dec, D-3, D-1, 3×


async def test_ticked_messages_reach_the_fake_senders_once(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    bind_telegram(app, "NGO-001", 7001)
    outbox = OutboxService(app.uow, app.clock)
    email, telegram = ScriptedSender("email"), ScriptedSender("telegram")
    tick(app, "2026-12-01 08:00")
    await outbox.drain(email, limit=100)
    await outbox.drain(telegram, limit=100)
    tick(app, "2026-12-01 08:01")  # a second pass, as after a restart
    await outbox.drain(email, limit=100)
    await outbox.drain(telegram, limit=100)
    by_kind = sorted((m.kind, m.channel) for m in email.sent + telegram.sent)
    assert by_kind.count(("overdue", "telegram")) == 1
    assert by_kind.count(("overdue", "email")) == 4
    assert by_kind.count(("staff_alert", "telegram")) == 1  # Ola; Piotr by email
    assert by_kind.count(("invitation", "email")) == 5  # queued at opening, due since 2 Nov
    assert {m.status for m in messages(app)} == {"sent"}
