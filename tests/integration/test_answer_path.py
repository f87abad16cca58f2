"""The answering hot path on the driver's cursor (storage.driver): rows as SQLAlchemy
writes and reads them, unique-key races as ConflictError, one transaction with the ORM."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from kartomat.bootstrap import App
from services.card_state import Provenance
from services.ports import ConflictError
from storage.tables import AnswerRow
from storage.uow import SqlUnitOfWork, uow_factory
from tests.service.test_collection import assignment_of, open_session

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize(
        "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    ),
]


def engine_of(backend: tuple[str, object]) -> Engine:
    _, engine = backend
    assert isinstance(engine, Engine)
    return engine


def test_answers_read_back_through_the_orm_as_written(
    app: App, backend: tuple[str, object]
) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    prov = Provenance(channel="email", source_message_id="<m1@x>")
    app.collection.record_many(a, {"I.3": "1, 9", "II.7.2": "12 500,50 zł"}, prov)
    app.collection.record(a, "ngo.II.1.1", "1 200", prov)
    app.collection.skip(a, "ngo.II.7.1", Provenance(channel="email", source_message_id="<m2@x>"))
    with uow_factory(engine_of(backend))() as session:
        rows = {r.question_id: r for r in session.scalars(select(AnswerRow))}
    assert rows["ngo.I.3"].value == ["s01", "s09"]  # option codes, as JSON
    assert rows["ngo.II.7.2"].value == "12500.50"
    assert rows["ngo.II.1.1"].value == 1200
    assert rows["ngo.II.7.1"].value is None  # skipped: an empty answer
    assert rows["ngo.II.1.1"].recorded_at == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert {r.source_message_id for r in rows.values()} == {"<m1@x>", "<m2@x>"}
    with app.uow() as uow:  # and the driver reads back what it wrote
        history = {r.question_id: r for r in uow.answers.history(a)}
        assert uow.answers.count(a) == len(rows)
    for qid, row in rows.items():
        record = history[qid]
        assert (record.value, record.version, record.recorded_at, record.channel) == (
            row.value, row.version, row.recorded_at, row.channel
        )  # fmt: skip


def test_a_duplicate_version_is_a_conflict(app: App, backend: tuple[str, object]) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    first = app.collection.record(a, "ngo.II.1.1", "3", Provenance("email"))
    record = first.state.latest["ngo.II.1.1"]
    sessions = uow_factory(engine_of(backend))

    def store_again() -> None:
        with SqlUnitOfWork(sessions) as uow:
            uow.answers.add_many([record])  # version 1 again
            uow.commit()

    with pytest.raises(ConflictError):
        store_again()
    with SqlUnitOfWork(sessions) as uow:  # nothing half-written, the connection usable
        assert uow.answers.count(a) == 1


def test_orm_and_driver_statements_share_one_transaction(
    app: App, backend: tuple[str, object]
) -> None:
    open_session(app)
    a = assignment_of(app, "NGO-001")
    sessions = uow_factory(engine_of(backend))
    with SqlUnitOfWork(sessions) as uow:
        context = uow.assignments.context(a, for_update=True)  # the driver begins
        assert context is not None
        assignment = context[0]
        assignment.cursor = "ngo.II.1.1"
        uow.assignments.update(assignment)  # the ORM joins the same transaction
        assert uow.assignments.context(a) is not None
        uow.rollback()
    with SqlUnitOfWork(sessions) as uow:
        found = uow.assignments.get(a)
        assert found is not None and found.cursor is None  # rolled back together
        assignment.revision = 41
        uow.assignments.update(assignment)  # the ORM begins
        uow.assignments.touch(assignment)  # the driver joins
        uow.commit()
    with SqlUnitOfWork(sessions) as uow:
        found = uow.assignments.get(a)
        assert found is not None and (found.cursor, found.revision) == ("ngo.II.1.1", 41)


def test_a_context_read_again_gives_what_the_orm_reads(
    app: App, backend: tuple[str, object]
) -> None:
    """Context rows decoded before are decoded again only where they changed."""
    open_session(app)
    a = assignment_of(app, "NGO-001")
    sessions = uow_factory(engine_of(backend))
    with SqlUnitOfWork(sessions) as uow:
        context = uow.assignments.context(a)
        assert context is not None
        context[0].cursor = "ngo.I.1"  # the caller's change is its own
        found = uow.assignments.get(a)
        assert found is not None and found.cursor is None
        found.extended_until = date(2026, 12, 14)
        found.submitted_at = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
        found.token_revoked, found.revision = True, 7
        uow.assignments.update(found)
        organisation = uow.organisations.get(found.organisation_id)
        assert organisation is not None
        organisation.name = "Nowa nazwa"
        uow.organisations.update(organisation)
        uow.commit()
    with SqlUnitOfWork(sessions) as uow:
        context = uow.assignments.context(a)
        assert context is not None
        assert context[0] == uow.assignments.get(a) == found
        assert context[1:] == (uow.sessions.get(found.session_id),
                               uow.organisations.get(found.organisation_id))  # fmt: skip
