"""The scheduler's bulk statements: a few set-based queries per tick, never one per assignment.

The repositories delegate here so that the tick's SQL (sized for 25,000 assignments a
tick, see bench/schedule.py) stays in one place.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    String,
    any_,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlmodel import col

from domain.entities import Contact
from services.ports import AssignmentOverview, ContactAddress, OutboxRecord, SentDay
from storage.tables import AnswerRow, AssignmentRow, ContactRow, OrganisationRow, OutboxRow

T = TypeVar("T")

# Bound parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
CHUNK = 5000
_CONTACT_FIELDS = tuple(Contact.model_fields)
_ADDRESS = [col(getattr(ContactRow, f)) for f in ContactAddress._fields]


def _overview(submitted_at: Any) -> Any:
    """The overview statement with the given submitted_at column."""
    return select(
        col(AssignmentRow.id),
        col(AssignmentRow.session_id),
        col(AssignmentRow.organisation_id),
        col(AssignmentRow.card),
        col(AssignmentRow.channel),
        col(AssignmentRow.extended_until),
        submitted_at,
        col(AssignmentRow.started_at),
        col(AssignmentRow.last_activity_at),
        col(OrganisationRow.external_id),
        col(OrganisationRow.name),
        col(OrganisationRow.teryt),
    ).join(OrganisationRow, col(OrganisationRow.id) == col(AssignmentRow.organisation_id))


_OVERVIEW_ALL = _overview(col(AssignmentRow.submitted_at))
_OVERVIEW_UNSUBMITTED = _overview(sa.null())


def _core(s: Session) -> Connection:
    """The session's connection, for Core statements: no ORM result machinery.

    The rows are plain tuples; going through Session.execute costs a third of reading
    25,000 of them. Pending ORM changes are flushed first, as autoflush would.
    """
    s.flush()
    return s.connection()


def chunks(items: Collection[T], size: int = CHUNK) -> Iterator[list[T]]:
    """The items in sorted lists of at most `size` (sorted: locks taken in one order)."""
    ordered = sorted(items)  # type: ignore[type-var]
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def among(s: Session, column: Any, ids: Collection[int]) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that together cover `column IN ids`.

    PostgreSQL gets one array parameter (`= ANY(:ids)`): psycopg parses a statement's
    placeholders in Python, and thousands of IN parameters cost more than the query.
    SQLite gets IN lists of at most CHUNK parameters.
    """
    if not ids:
        return
    if s.get_bind().dialect.name == "postgresql":
        yield column == any_(bindparam("ids", sorted(ids), type_=ARRAY(BigInteger)))
        return
    for part in chunks(ids):
        yield column.in_(part)


def overview(
    s: Session, session_ids: Collection[int], unsubmitted_only: bool = False
) -> list[AssignmentOverview]:
    """The sessions' assignments with their organisation's registry id, name and gmina."""
    if not session_ids:
        return []
    stmt = _OVERVIEW_ALL
    if unsubmitted_only:
        # submitted_at is known to be NULL: a plain NULL skips converting 25,000 of them.
        stmt = _OVERVIEW_UNSUBMITTED.where(col(AssignmentRow.submitted_at).is_(None))
    stmt = stmt.where(col(AssignmentRow.session_id).in_(sorted(session_ids)))
    rows = _core(s).execute(stmt.order_by(col(AssignmentRow.id)))
    return list(map(AssignmentOverview._make, rows))


def lock_unsubmitted(s: Session, assignment_ids: Collection[int]) -> set[int]:
    """Row-lock the assignments in id order and return those still unsubmitted.

    A submission locks its assignment too (load_state for_update), so it either
    commits before this read (and the reminder is not written) or waits for the
    tick's commit and then cancels the pending reminder. SQLite serialises writers
    with BEGIN IMMEDIATE instead (storage.engine).
    """
    found: set[int] = set()
    for where in among(s, col(AssignmentRow.id), assignment_ids):
        stmt = (
            select(col(AssignmentRow.id), col(AssignmentRow.submitted_at))
            .where(where)
            .order_by(col(AssignmentRow.id))
            .with_for_update()
        )
        found.update(
            i
            for i, submitted_at in _core(s).execute(stmt)
            if i is not None and submitted_at is None
        )
    return found


def contacts_for_organisations(s: Session, org_ids: Collection[int]) -> dict[int, list[Contact]]:
    """The contacts of each organisation, in id order (organisations without any: absent)."""
    result: dict[int, list[Contact]] = {}
    columns = [col(getattr(ContactRow, f)) for f in _CONTACT_FIELDS]
    for where in among(s, col(ContactRow.organisation_id), org_ids):
        stmt = select(*columns).where(where).order_by(col(ContactRow.id))
        for row in _core(s).execute(stmt):
            # Rows come from our own schema: no re-validation for thousands of contacts.
            contact = Contact.model_construct(**dict(zip(_CONTACT_FIELDS, row, strict=True)))
            result.setdefault(contact.organisation_id, []).append(contact)
    return result


def contact_addresses(s: Session, org_ids: Collection[int]) -> dict[int, list[ContactAddress]]:
    """How each organisation's contacts can be reached, in contact id order."""
    result: dict[int, list[ContactAddress]] = {}
    for where in among(s, col(ContactRow.organisation_id), org_ids):
        stmt = select(*_ADDRESS).where(where).order_by(col(ContactRow.id))
        for row in _core(s).execute(stmt):
            address = ContactAddress(*cast(tuple[Any, ...], row))
            result.setdefault(address.organisation_id, []).append(address)
    return result


def latest_answer_values(s: Session, assignment_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """Per assignment, each question's newest JSON value (plain rows: no ORM objects)."""
    result: dict[int, dict[str, Any]] = {}
    for where in among(s, col(AnswerRow.assignment_id), assignment_ids):
        stmt = (
            select(col(AnswerRow.assignment_id), col(AnswerRow.question_id), col(AnswerRow.value))
            .where(where)
            .order_by(col(AnswerRow.assignment_id), col(AnswerRow.version))
        )
        for assignment_id, question_id, value in _core(s).execute(stmt):
            result.setdefault(assignment_id, {})[question_id] = value  # newer versions win
    return result


def outbox_records_since(s: Session, kinds: Collection[str], since: datetime) -> list[OutboxRecord]:
    """Outbox rows of those kinds (any status) created at or after `since`."""
    stmt = select(
        col(OutboxRow.assignment_id),
        col(OutboxRow.kind),
        col(OutboxRow.dedupe_key),
        col(OutboxRow.created_at),
    ).where(
        col(OutboxRow.kind).in_(sorted(kinds)),
        col(OutboxRow.created_at) >= since,
    )
    return [OutboxRecord(*row) for row in _core(s).execute(stmt)]


def sent_days(s: Session, session_ids: Collection[int], kinds: Collection[str]) -> list[SentDay]:
    """Per unsubmitted assignment and kind: the latest date in its dedupe keys (any status).

    The keys are the domain's `kind:assignment:YYYY-MM-DD[:…]`; the date sits right
    after the second colon. Grouping in SQL hands back one small row per assignment
    and kind instead of every message ever queued.
    """
    if not session_ids or not kinds:
        return []
    start = func.length(col(OutboxRow.kind)) + func.length(
        sa.cast(col(OutboxRow.assignment_id), String)
    )
    part = func.substr(col(OutboxRow.dedupe_key), start + 3, 10)
    day = case((part.like("____-__-__"), part), else_=None)
    stmt = (
        select(
            col(OutboxRow.assignment_id),
            col(OutboxRow.kind),
            func.max(day),
            # Only keys without a date need the queue time (none of ours: a fallback).
            # When no key of the group has one, every key is one without a date, so the
            # latest queue time of the group is theirs: `day` is computed once a row.
            case((func.max(day).is_(None), func.max(col(OutboxRow.created_at))), else_=None),
        )
        .join(AssignmentRow, col(AssignmentRow.id) == col(OutboxRow.assignment_id))
        .where(
            col(AssignmentRow.session_id).in_(sorted(session_ids)),
            col(AssignmentRow.submitted_at).is_(None),
            col(OutboxRow.kind).in_(sorted(kinds)),
        )
        .group_by(col(OutboxRow.assignment_id), col(OutboxRow.kind))
        .order_by(col(OutboxRow.assignment_id))
    )
    days: dict[str, date] = {}  # a few distinct days among tens of thousands of rows
    result = []
    for aid, kind, found, created_at in _core(s).execute(stmt):
        day_found = None
        if found:
            day_found = days.get(found)
            if day_found is None:
                day_found = days[found] = date.fromisoformat(found)
        result.append(SentDay(aid, kind, day_found, created_at))
    return result
