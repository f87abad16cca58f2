"""SQLModel tables. Field names match `domain.entities` so mapping is field by field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on every database.

    PostgreSQL keeps the zone; SQLite has no zone type and hands back naive values,
    so we store naive UTC there and attach UTC on the way out. Comparisons in SQL
    stay correct because every value is UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def bind_processor(self, dialect: Any) -> Any:
        """On SQLite one step instead of two (this type's conversion, then SQLAlchemy's
        formatting by %-dict): the text SQLAlchemy's SQLite DATETIME stores,
        "YYYY-MM-DD HH:MM:SS.ffffff", from `isoformat` (tests/unit/test_tables.py)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            naive = self.process_bind_param(value, dialect)
            return None if naive is None else naive.isoformat(" ", "microseconds")

        return process


def _ts(nullable: bool = True) -> Any:
    """A timezone-aware timestamp column."""
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable))


class TerritoryRow(SQLModel, table=True):
    __tablename__ = "territory"
    teryt: str = Field(primary_key=True, max_length=7)
    level: str = Field(max_length=16)
    name: str
    parent: str | None = Field(default=None, max_length=7)


class OrganisationRow(SQLModel, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(unique=True, index=True)
    kind: str = Field(max_length=8)
    name: str
    org_type: str
    teryt: str = Field(index=True, max_length=7)
    miejscowosc: str
    powiat: str
    wojewodztwo: str = Field(max_length=2)


class ContactRow(SQLModel, table=True):
    __tablename__ = "contact"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str
    email: str | None = Field(default=None, index=True)
    phone: str | None = None
    channel: str = "email"
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, index=True, nullable=True)
    )
    telegram_unreachable: bool = False
    email_unreachable: bool = False
    language: str = "pl"
    is_primary: bool = True


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str = Field(unique=True)
    telegram_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    territories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SessionRow(SQLModel, table=True):
    __tablename__ = "monitoring_session"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    opens: date
    deadline: date
    cards: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    territories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    harmonogram: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    state: str = Field(default="draft", max_length=8)
    is_baseline: bool = False
    opened_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()


class AssignmentRow(SQLModel, table=True):
    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("session_id", "organisation_id", "card"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="monitoring_session.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    card: str = Field(max_length=8)
    token_nonce: str
    token_hash: str = Field(unique=True)
    token_short_hash: str = Field(index=True)
    token_revoked: bool = False
    extended_until: date | None = None
    submitted_at: datetime | None = _ts()
    submission_no: str | None = None
    channel: str = "email"
    cursor: str | None = None
    asked: str | None = None
    started_at: datetime | None = _ts()
    last_activity_at: datetime | None = _ts()
    revision: int = 0


class AnswerRow(SQLModel, table=True):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("assignment_id", "question_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    question_id: str
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    other_text: str | None = None
    version: int
    channel: str
    source_message_id: str | None = None
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    recorded_at: datetime = _ts(nullable=False)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str
    recipient: str
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str = Field(unique=True)
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = _ts(nullable=False)
    last_error: str | None = None
    created_at: datetime = _ts(nullable=False)
    sent_at: datetime | None = _ts()
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)


class InboundMessageRow(SQLModel, table=True):
    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("folder", "uidvalidity", "uid"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str
    folder: str | None = None
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger))
    uid: int | None = Field(default=None, sa_column=Column(BigInteger))
    sha256: str = Field(unique=True)
    message_id: str | None = None
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    received_at: datetime = _ts(nullable=False)
    status: str = "stored"
    kind: str | None = None
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    error: str | None = None


# --- Indicator snapshots (issue #6): a closed session's values, per definition version ---


class IndicatorSnapshotRow(SQLModel, table=True):
    __tablename__ = "indicator_snapshot"
    __table_args__ = (UniqueConstraint("session_id", "definition_version"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="monitoring_session.id", index=True)
    definition_version: str = Field(max_length=32)
    definitions: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    coverage: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(nullable=False)


class IndicatorValueRow(SQLModel, table=True):
    __tablename__ = "indicator_value"
    __table_args__ = (Index("ix_indicator_value_snapshot_level", "snapshot_id", "level"),)
    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(foreign_key="indicator_snapshot.id")
    level: str = Field(max_length=16)
    teryt: str = Field(max_length=7)
    indicator: str = Field(max_length=16)
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    reason: str | None = None
    cards: int = 0


# --- Mail (issue #4): mailbox high-water marks and the Message-IDs we sent ---


class MailboxStateRow(SQLModel, table=True):
    __tablename__ = "mailbox_state"
    mailbox: str = Field(primary_key=True)
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = _ts(nullable=False)


class SentMailRow(SQLModel, table=True):
    __tablename__ = "mail_sent"
    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", unique=True)
    message_id: str = Field(unique=True)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    recipient: str
    kind: str
    created_at: datetime = _ts(nullable=False)
