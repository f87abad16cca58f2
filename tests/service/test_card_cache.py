"""The collection service's card-state cache: what it returns is what a fresh read gives,
whoever wrote in between (another unit of work, another process on the same database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from services.card_state import CardState, Provenance
from services.ports import UnitOfWork
from services.unit import PreviousAnswers, load_state
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork, uow_factory
from tests.conftest import SECRET
from tests.fakes import FakeClock
from tests.sample import raw_answer
from tests.service.test_collection import assignment_of, fill, open_session

TG = Provenance(channel="telegram", source_message_id=None)


def fresh(app: App, assignment_id: int) -> CardState:
    """The state read from the database alone (no cache), with its warnings."""
    with app.uow() as uow:
        state = load_state(uow, app.collection.catalog, app.collection.clock, assignment_id)
        return PreviousAnswers(app.collection.catalog).warnings_for(uow, state)


def summary(state: CardState) -> dict[str, object]:
    """What a channel reads of a state (record ids aside: a cached record has none)."""
    return {
        "latest": {
            q: (r.version, r.value, r.other_text, r.channel, r.source_message_id)
            for q, r in state.latest.items()
        },
        "answers": state.answers,
        "applicable": [q.id for q in state.applicable],
        "unanswered": [q.id for q in state.unanswered],
        "current": getattr(state.current_question(), "id", None),
        "warnings": state.warnings,
        "history_size": state.history_size,
        "revision": state.assignment.revision,
    }


def cached(app: App, assignment_id: int) -> CardState:
    return app.collection.state(assignment_id, with_warnings=True)


def test_cached_state_is_what_a_fresh_read_gives(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    fill(app, a, limit=12)
    # Skip logic both ways (set aside, back in force) and a consistency warning.
    for qid, raw in [("ngo.I.4", "zinstytucjonalizowana"), ("ngo.I.5", "Klub"),
                     ("ngo.I.4", "niezinstytucjonalizowana"), ("ngo.I.4", "1"),
                     ("ngo.II.1.1", "3"), ("ngo.II.3.1", "2"), ("ngo.II.3.3a", "1"),
                     ("ngo.II.3.3b", "Dom"), ("ngo.II.3.3a", "0")]:  # fmt: skip
        app.collection.record(a, qid, raw, TG)
        assert summary(cached(app, a)) == summary(fresh(app, a))
    app.collection.record_many(a, {"II.3.1": "0", "II.1.1": "5", "II.3.2a": "1"}, TG)
    state = cached(app, a)
    assert summary(state) == summary(fresh(app, a))
    # Menager US listed with no such people, people in II.1.1 without Researcher LP listed.
    assert {w.check for w in state.warnings} == {
        "menager_listed_without_people", "researcher_people_not_listed"
    }  # fmt: skip


def test_other_writers_in_this_process_are_seen(app: App) -> None:
    """A submission (system date answer) and a paper import write without the cache."""
    open_session(app)
    a = assignment_of(app, "NGO-001")
    fill(app, a)
    app.submission.submit(a, TG, confirm_warnings=True)
    assert summary(cached(app, a)) == summary(fresh(app, a))
    assert "ngo.III.3" in cached(app, a).latest  # the submission's date
    csv = b"external_id,card,code,value\nNGO-001,ngo,II.3.2a,17\n"
    report = app.paper.import_csv("2026-H2", csv, submit=False)
    assert not report.errors, report.errors
    state = app.collection.record(a, "ngo.II.3.4", "4", TG).state
    assert state.answers["ngo.II.3.2a"] == 17
    assert summary(cached(app, a)) == summary(fresh(app, a))


def test_a_rolled_back_batch_leaves_no_trace(app: App) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    app.collection.record(a, "ngo.II.1.1", "5", TG)
    with app.uow() as uow:  # an email reply whose outcome could not be stored
        state = load_state(uow, app.collection.catalog, app.collection.clock, a, for_update=True)
        app.collection.record_many_in(uow, state, {"II.1.1": "9", "II.3.2a": "1"}, TG)
    # Another writer then adds as many versions as were rolled back: counts alone agree.
    csv = "external_id,card,code,value\nNGO-001,ngo,II.4.2,3\nNGO-001,ngo,II.4.3,4\n"
    assert not app.paper.import_csv("2026-H2", csv.encode(), submit=False).errors
    state = app.collection.record(a, "ngo.II.3.4", "2", TG).state
    assert state.answers["ngo.II.4.3"] == 4
    assert state.latest["ngo.II.1.1"].version == 1
    assert state.answers["ngo.II.1.1"] == 5
    assert "ngo.II.3.2a" not in state.latest
    assert summary(cached(app, a)) == summary(fresh(app, a))


def second_app(engine: Engine, clock: FakeClock, tmp_path: Path) -> App:
    """Another process on the same database: its own engine, pool and caches."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    sessions = uow_factory(other)

    def sql_uow() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    settings = Settings(database_url="sqlite://", secret_key_file=tmp_path / "secret2")
    return wire(settings, sql_uow, clock, SECRET, other)


SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", SQL_BACKENDS, indirect=True)
def test_a_write_by_another_process_is_seen(
    app: App, backend: tuple[str, object], clock: FakeClock, tmp_path: Path
) -> None:
    _, engine = backend
    assert isinstance(engine, Engine)
    open_session(app)
    a = assignment_of(app, "NGO-001")
    other = second_app(engine, clock, tmp_path)
    try:
        app.collection.record(a, "ngo.II.1.1", "5", TG)  # this process caches the card
        other.collection.record(a, "ngo.II.1.1", "6", TG)  # the other one writes
        other.collection.record_many(a, {"II.3.2a": "1", "II.3.4": "2"}, TG)
        result = app.collection.record(a, "ngo.II.1.1", "7", TG)
        assert result.accepted
        assert result.state.latest["ngo.II.1.1"].version == 3
        assert result.state.answers["ngo.II.3.2a"] == 1
        assert summary(cached(app, a)) == summary(fresh(app, a))
        # And back: the other process's cache sees this one's write.
        state = other.collection.record(a, "ngo.II.3.2a", "8", TG).state
        assert state.answers["ngo.II.1.1"] == 7
        assert summary(cached(other, a)) == summary(fresh(other, a))
    finally:
        assert other.engine is not None
        other.engine.dispose()


def test_the_next_question_follows_the_answer_and_wraps_to_the_start(app: App) -> None:
    """`next_question` walks only as far as it must; what it finds is the first unanswered
    question after the given one, else the first unanswered question of the card."""
    open_session(app)
    a = assignment_of(app, "NGO-001")
    for question in fresh(app, a).unanswered[2:6:2]:  # gaps before, between and after
        app.collection.record(a, question.id, raw_answer(question), TG)
    unanswered = fresh(app, a).unanswered
    order = fresh(app, a).card.order
    for after in [None, *(q.id for q in fresh(app, a).card.questions)]:  # applicable or not
        start = order[after] if after else -1
        expected = next((q for q in unanswered if order[q.id] > start), unanswered[0])
        assert fresh(app, a).next_question(after=after) == expected  # nothing worked out yet
        state = fresh(app, a)
        assert state.unanswered == unanswered
        assert state.next_question(after=after) == expected  # from the list, once made
