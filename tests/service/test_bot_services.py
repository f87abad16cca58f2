"""The chat and staff use cases behind the Telegram bot, on every backend."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotAllowed, NotFound
from kartomat.bootstrap import App
from services.card_state import Provenance
from services.chat import changed_since_submission
from tests.service.test_collection import assignment_of, fill, open_session

TG = Provenance("telegram", "tg-update:1")


def _bound(app: App, external_id: str, telegram_id: int) -> int:
    """Open the session, bind the organisation's invitation to a Telegram account."""
    token = next(i.token for i in app.sessions.invites("2026-H2") if i.external_id == external_id)
    app.access.bind_telegram(token, telegram_id)
    return assignment_of(app, external_id)


def test_the_card_being_filled_pause_and_resume(app: App) -> None:
    open_session(app)
    aid = _bound(app, "NGO-001", 501)
    respondent = app.chat.respondent(501)
    assert respondent is not None and respondent.active is not None
    assert respondent.active.id == aid and respondent.active.assignment.cursor is None
    state = app.chat.choose(501, aid)
    assert state.assignment.cursor == "ngo.I.1a"
    app.chat.pause(501, aid)
    assert app.collection.state(aid).assignment.cursor is None
    assert app.chat.respondent(999) is None
    with pytest.raises(NotAllowed):
        app.chat.choose(501, assignment_of(app, "NGO-002"))  # someone else's card


def test_the_respondent_sees_every_open_card_of_their_organisation_and_no_other(
    app: App,
) -> None:
    open_session(app)
    first = _bound(app, "NGO-001", 501)
    _bound(app, "NGO-002", 502)  # someone else
    app.sessions.create("2027-H1", date(2026, 11, 2), date(2026, 12, 20), ["ngo"], ["06"])
    app.sessions.open("2027-H1")
    second = assignment_of(app, "NGO-001", "2027-H1")
    respondent = app.chat.respondent(501)
    assert respondent is not None
    assert [c.id for c in respondent.choices] == sorted([first, second])
    assert {c.organisation.external_id for c in respondent.choices} == {"NGO-001"}
    assert [c.session.name for c in respondent.choices] == ["2026-H2", "2027-H1"]
    app.sessions.close("2026-H2")
    later = app.chat.respondent(501)
    assert later is not None and [c.id for c in later.choices] == [second]


def test_a_warning_confirmed_moves_on_only_at_the_same_revision(app: App) -> None:
    open_session(app)
    aid = _bound(app, "NGO-001", 501)
    result = app.collection.record(aid, "ngo.II.1.1", "3", TG)
    revision = result.state.assignment.revision
    assert app.chat.confirm_warning(501, aid, "ngo.II.1.1", revision - 1) is None
    moved = app.chat.confirm_warning(501, aid, "ngo.II.1.1", revision)
    assert moved is not None and moved.assignment.cursor == "ngo.II.1.2"  # the next one


def test_language_and_changes_since_submission(app: App) -> None:
    open_session(app)
    aid = _bound(app, "NGO-001", 501)
    app.chat.set_language(501, "en")
    assert app.chat.language(501) == "en" and app.chat.language(404) == "pl"
    fill(app, aid)
    assert changed_since_submission(app.collection.state(aid))
    app.submission.submit(aid, TG)
    assert not changed_since_submission(app.collection.state(aid))
    app.clock.advance(minutes=5)  # type: ignore[attr-defined]
    app.collection.record_by_code(aid, "II.3.4", "7", TG)
    assert changed_since_submission(app.collection.state(aid))


def test_staff_see_and_remind_only_their_territories(app: App) -> None:
    open_session(app)
    lublin = app.registry.add_staff("Ola", "ola@cm.example", ["0663"], telegram_id=9001)
    swidnik = app.registry.add_staff("Piotr", "piotr@cm.example", ["0617"], telegram_id=9002)
    assert app.staff.member(9001) == lublin and app.staff.member(501) is None
    assert {(p.territory, p.card, p.assigned) for p in app.staff.progress(lublin)} == {
        ("0663", "ngo", 2), ("0663", "izus", 1),
    }  # fmt: skip
    assert app.staff.late(lublin) == []
    app.clock.advance(days=40)  # type: ignore[attr-defined]
    [gmina] = app.staff.late(swidnik)
    assert gmina.teryt == "0617011" and {c.external_id for c in gmina.cards} == {
        "NGO-003", "IZUS-SWI",
    }  # fmt: skip
    with pytest.raises(NotAllowed, match="nie leży na terytorium"):
        app.staff.remind(swidnik, "NGO-001")
    with pytest.raises(NotFound):
        app.staff.remind(lublin, "NGO-999")


def test_a_reminder_now_once_a_day(app: App) -> None:
    open_session(app)
    ola = app.registry.add_staff("Ola", "ola@cm.example", ["06"], telegram_id=9001)
    [first] = app.staff.remind(ola, "NGO-003")
    assert first.queued and first.channel == "email"
    [again] = app.staff.remind(ola, "NGO-003")
    assert not again.queued
    with app.uow() as uow:
        [reminder] = [m for m in uow.outbox.all() if m.kind == "reminder"]
    assert reminder.recipient == "ewa@swit.example" and reminder.payload["days_left"] == 28
    assert "I.2" in reminder.payload["missing"] and app.staff.reports() == []
