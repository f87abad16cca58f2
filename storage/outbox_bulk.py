"""Bulk outbox insert that ignores duplicate dedupe keys and says which rows it wrote.

A scheduler tick can queue 25,000 reminders at once (bench/schedule.py), so each
dialect gets its fastest safe form:

- PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ORDER BY
  dedupe_key ON CONFLICT DO NOTHING RETURNING. COPY is formatted in C; bound
  parameters (even as arrays) are escaped in Python and cost seconds at this size.
  The rows go in key order, so two ticks racing on the unique index wait on each
  other in one order and never deadlock; the loser's duplicates are skipped.
- SQLite: the transaction already holds the database write lock (BEGIN IMMEDIATE,
  storage.engine), so reading which keys exist and then inserting the rest with one
  executemany cannot race with another writer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlmodel import col

from domain.entities import OutboxMessage
from storage.schedule_queries import among
from storage.tables import OutboxRow

_TABLE: Any = OutboxRow.__table__  # type: ignore[attr-defined]
_COLUMNS = (
    ("channel", "text"), ("recipient", "text"), ("kind", "text"), ("payload", "json"),
    ("dedupe_key", "text"), ("status", "text"), ("attempts", "integer"),
    ("next_attempt_at", "timestamptz"), ("last_error", "text"), ("created_at", "timestamptz"),
    ("sent_at", "timestamptz"), ("assignment_id", "bigint"),
)  # fmt: skip
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_STAGING = (
    "CREATE TEMPORARY TABLE outbox_staging ("
    + ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
    + ") ON COMMIT DROP"
)
_COPY = f"COPY outbox_staging ({_NAMES}) FROM STDIN"
_MERGE = (
    f"INSERT INTO outbox ({_NAMES}) SELECT {_NAMES} FROM outbox_staging "  # noqa: S608
    "ORDER BY dedupe_key ON CONFLICT DO NOTHING RETURNING dedupe_key"
)


def add_outbox_many(s: Session, messages: Sequence[OutboxMessage]) -> list[str]:
    """Insert the messages, skipping dedupe keys already stored; the keys written."""
    unique = {m.dedupe_key: m for m in messages}  # one row per key, whatever the caller sent
    if not unique:
        return []
    ordered = [unique[k] for k in sorted(unique)]
    if s.get_bind().dialect.name == "postgresql":
        return _postgres(s, ordered)
    return _sqlite(s, ordered)


def _postgres(s: Session, messages: list[OutboxMessage]) -> list[str]:
    """COPY into a staging table dropped at commit, then merge skipping duplicates."""
    driver = s.connection().connection.driver_connection  # psycopg, in this transaction
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(_STAGING)
        with cursor.copy(_COPY) as copy:
            for m in messages:
                copy.write_row(
                    (m.channel, m.recipient, m.kind, json.dumps(m.payload), m.dedupe_key,
                     str(m.status), m.attempts, m.next_attempt_at, m.last_error, m.created_at,
                     m.sent_at, m.assignment_id)
                )  # fmt: skip
        cursor.execute(_MERGE)
        return [row[0] for row in cursor.fetchall()]


def _sqlite(s: Session, messages: list[OutboxMessage]) -> list[str]:
    """Keys already stored are skipped; the rest go in one executemany."""
    keys = [m.dedupe_key for m in messages]
    present: set[str] = set()
    for where in among(s, col(OutboxRow.dedupe_key), keys):  # type: ignore[arg-type]
        present.update(s.scalars(select(col(OutboxRow.dedupe_key)).where(where)))
    # Plain attribute reads, not model_dump: that deep-copies every payload (a staff
    # alert lists a thousand assignments) only for it to be serialised right after.
    rows = [
        {name: getattr(m, name) for name, _ in _COLUMNS}
        for m in messages
        if m.dedupe_key not in present
    ]
    if rows:
        s.connection().execute(sqlite.insert(_TABLE).on_conflict_do_nothing(), rows)
    return [row["dedupe_key"] for row in rows]
