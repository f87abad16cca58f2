"""The collection scenarios, run on the fake, SQLite and PostgreSQL backends alike."""

from __future__ import annotations

from datetime import date

import pytest

from domain.entities import AssignmentStatus
from domain.errors import NotAllowed
from kartomat.bootstrap import App
from services.card_state import Provenance
from services.submission import Incomplete
from tests.fakes import FakeClock
from tests.sample import raw_answer, registry_csv

TG = Provenance(channel="telegram", source_message_id="upd-1", contact_id=None)


def open_session(app: App, name: str = "2026-H2", deadline: date = date(2026, 11, 30)) -> None:
    """Registry imported, session created and opened."""
    report = app.registry.import_csv(registry_csv())
    assert report.ok, report.errors
    app.sessions.create(name, date(2026, 11, 2), deadline, ["ngo", "izus"], ["06"])
    app.sessions.open(name)


def assignment_of(app: App, external_id: str, session: str = "2026-H2") -> int:
    with app.uow() as uow:
        org = uow.organisations.get_by_external_id(external_id)
        s = uow.sessions.get_by_name(session)
        assert org and s
        found = uow.assignments.find(s.id or 0, org.id or 0, org.kind)
        assert found is not None
        return found.id or 0


def fill(app: App, assignment_id: int, limit: int = 200) -> int:
    """Answer every question the card asks, as a respondent would; returns how many."""
    asked = 0
    state = app.collection.state(assignment_id)
    while (question := state.current_question()) is not None and asked < limit:
        one = Provenance("telegram", f"upd-{asked}")  # one chat message, one answer
        if question.prefill:
            result = app.collection.confirm_prefill(assignment_id, question.id, one)
        else:
            result = app.collection.record(
                assignment_id, question.id, raw_answer(question), one, expected_current=True
            )
        assert result.accepted, (question.id, result.error and result.error.message_pl)
        state = result.state
        asked += 1
    return asked


def test_open_creates_assignments_and_invitations(app: App) -> None:
    open_session(app)
    rows = app.sessions.status("2026-H2")
    assert {(r.external_id, r.card) for r in rows} == {
        ("NGO-001", "ngo"), ("NGO-002", "ngo"), ("NGO-003", "ngo"),
        ("IZUS-LUB", "izus"), ("IZUS-SWI", "izus"),
    }  # fmt: skip
    assert all(r.status is AssignmentStatus.PENDING for r in rows)
    with app.uow() as uow:
        invitations = [m for m in uow.outbox.all() if m.kind == "invitation"]
    assert len(invitations) == 5
    assert app.sessions.open("2026-H2") == 0  # idempotent
    with app.uow() as uow:
        assert len([m for m in uow.outbox.all() if m.kind == "invitation"]) == 5


def test_whole_ngo_card_filled_and_submitted(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    asked = fill(app, a)
    state = app.collection.state(a)
    assert state.complete and asked == len(state.applicable)
    assert state.answers["ngo.II.3.5b"] == 1200
    assert state.answers["ngo.I.4"] == ("inst", "noninst")
    assert state.answers["ngo.I.1a"] == "Fundacja Dobry Start"
    receipt = app.submission.submit(a, TG)
    assert receipt.submission_no == f"MP/2026-H2/NGO/{a:06d}"
    final = app.collection.state(a)
    assert final.status is AssignmentStatus.SUBMITTED
    assert final.answers["ngo.III.3"] == date(2026, 11, 2)
    with app.uow() as uow:
        confirmations = [m for m in uow.outbox.all() if m.kind == "confirmation"]
    assert [m.recipient for m in confirmations] == ["anna@dobrystart.example"]


def test_submit_refused_while_incomplete(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-002")
    with pytest.raises(Incomplete) as info:
        app.submission.submit(a, TG)
    assert "I.1a" in info.value.message_pl


def test_bad_answer_rejected_with_example_and_nothing_stored(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "IZUS-LUB")
    result = app.collection.record(a, "izus.II.0.1", "dużo", TG)
    assert not result.accepted and result.error is not None
    assert "np." in result.error.message_pl
    assert "izus.II.0.1" not in app.collection.state(a).latest


def test_skip_logic_and_set_aside(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    app.collection.record(a, "ngo.I.4", "zinstytucjonalizowana", TG)
    state = app.collection.record(a, "ngo.I.5", "Dom Dziennego Pobytu", TG).state
    assert "ngo.I.5" in state.answers
    state = app.collection.record(a, "ngo.I.4", "niezinstytucjonalizowana", TG).state
    assert "ngo.I.5" not in state.answers  # set aside, not counted
    assert "ngo.I.5" in state.latest  # but kept in the history
    assert all(q.id != "ngo.I.5" for q in state.applicable)
    refused = pytest.raises(NotAllowed)
    with refused:
        app.collection.record(a, "ngo.I.5", "Klub", TG)
    state = app.collection.record(a, "ngo.I.4", "1", TG).state
    assert state.answers["ngo.I.5"] == "Dom Dziennego Pobytu"  # back in force


def test_back_moves_to_previous_question(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "IZUS-LUB")
    first = app.collection.state(a).current_question()
    assert first is not None and first.id == "izus.I.1a"
    app.collection.confirm_prefill(a, "izus.I.1a", TG)
    assert app.collection.state(a).current_question().id == "izus.I.1b"  # type: ignore[union-attr]
    state = app.collection.back(a)
    assert app.collection.state(a).current_question().id == "izus.I.1a"  # type: ignore[union-attr]
    assert state.answers["izus.I.1a"] == "Miejski Ośrodek Pomocy Rodzinie w Lublinie"


def test_stale_answer_changes_nothing(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "IZUS-LUB")
    result = app.collection.record(a, "izus.II.0.1", "5", TG, expected_current=True)
    assert result.stale and not result.accepted
    assert "izus.II.0.1" not in app.collection.state(a).latest


def test_optional_skip_and_required_refused(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    result = app.collection.skip(a, "ngo.II.7.1", TG)
    assert result.accepted and "ngo.II.7.1" not in result.state.answers
    assert all(q.id != "ngo.II.7.1" for q in result.state.unanswered)
    with pytest.raises(NotAllowed):
        app.collection.skip(a, "ngo.II.1.1", TG)


def test_set_by_code(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "IZUS-LUB")
    result = app.collection.record_by_code(a, "II.0.1", "1 200", TG)
    assert result.accepted and result.state.answers["izus.II.0.1"] == 1200


def test_corrections_after_submission_are_new_versions(app: App, clock: FakeClock) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    fill(app, a)
    app.submission.submit(a, TG)
    app.collection.record(a, "ngo.II.3.4", "5", TG)
    state = app.collection.state(a)
    assert state.answers["ngo.II.3.4"] == 5
    assert state.latest["ngo.II.3.4"].version == 2
    history = app.export.rows("2026-H2", history=True)
    versions = [r.value for r in history if r.external_id == "NGO-001" and r.code == "II.3.4"]
    assert versions == [1, 5]
    clock.advance(days=40)  # after the deadline (30.11) but the session still open
    with pytest.raises(NotAllowed):
        app.collection.record(a, "ngo.II.3.4", "6", TG)


def test_late_status_after_inclusive_deadline(app: App, clock: FakeClock) -> None:
    open_session(app)
    clock.advance(days=28, hours=13)  # 30.11 23:00 Warsaw (22:00 UTC): still on time
    assert {r.status for r in app.sessions.status("2026-H2")} == {AssignmentStatus.PENDING}
    clock.advance(hours=1)  # 1.12 00:00 Warsaw
    assert {r.status for r in app.sessions.status("2026-H2")} == {AssignmentStatus.LATE}


def test_extension_moves_deadline(app: App, clock: FakeClock) -> None:
    open_session(app)
    app.sessions.extend("2026-H2", "NGO-003", date(2026, 12, 10))
    clock.advance(days=30)
    rows = {r.external_id: r for r in app.sessions.status("2026-H2")}
    assert rows["NGO-003"].status is AssignmentStatus.PENDING
    assert rows["NGO-003"].deadline == date(2026, 12, 10)
    assert rows["NGO-001"].status is AssignmentStatus.LATE


def test_everything_refused_after_close_and_baseline_frozen(app: App, clock: FakeClock) -> None:
    open_session(app)
    a = assignment_of(app, "IZUS-LUB")
    app.collection.record(a, "izus.II.0.1", "12", TG)
    closed = app.sessions.close("2026-H2")
    assert closed.is_baseline
    for attempt in (
        lambda: app.collection.record(a, "izus.II.0.1", "13", TG),
        lambda: app.collection.skip(a, "izus.II.0.1", TG),
        lambda: app.submission.submit(a, TG),
        lambda: app.sessions.extend("2026-H2", "IZUS-LUB", date(2027, 1, 1)),
        lambda: app.sessions.open("2026-H2"),
        lambda: app.sessions.close("2026-H2"),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert app.collection.state(a).answers["izus.II.0.1"] == 12
    app.sessions.create("2027-H1", date(2027, 3, 1), date(2027, 3, 31), ["ngo", "izus"], ["06"])
    app.sessions.open("2027-H1")
    second = app.sessions.close("2027-H1")
    assert not second.is_baseline
    with app.uow() as uow:
        baseline = uow.sessions.baseline()
    assert baseline is not None and baseline.name == "2026-H2"


def test_consistency_warning_needs_confirmation(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "IZUS-LUB")
    fill(app, a)
    result = app.collection.record(a, "izus.II.1.1", "500", TG)  # more NGOs than exist (120)
    assert result.accepted and result.warnings
    from services.submission import NeedsConfirmation

    with pytest.raises(NeedsConfirmation):
        app.submission.submit(a, TG)
    receipt = app.submission.submit(a, TG, confirm_warnings=True)
    assert receipt.submission_no.startswith("MP/2026-H2/IZUS/")
