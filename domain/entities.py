"""The records the services work with; storage maps them to tables field by field."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Entity(BaseModel):
    model_config = ConfigDict(from_attributes=True, validate_assignment=False)


class SessionState(StrEnum):
    """A monitoring session's life cycle (domain.md)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class AssignmentStatus(StrEnum):
    """What `kartomat status` reports for an assignment."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    LATE = "late"


class Channel(StrEnum):
    """Where an answer came from or a message goes to."""

    TELEGRAM = "telegram"
    EMAIL = "email"
    PAPER = "paper"
    STAFF = "staff"
    SYSTEM = "system"


class Territory(_Entity):
    """A gmina (7 digits), powiat (4) or województwo (2) by its TERYT code."""

    teryt: str
    level: str
    name: str
    parent: str | None = None


class Organisation(_Entity):
    """A respondent organisation: an NGO or an IZUS (CUS/OPS)."""

    id: int | None = None
    external_id: str
    kind: str
    name: str
    org_type: str
    teryt: str
    miejscowosc: str
    powiat: str
    wojewodztwo: str


class Contact(_Entity):
    """A person answering for an organisation."""

    id: int | None = None
    organisation_id: int
    name: str
    email: str | None = None
    phone: str | None = None
    channel: str = "email"
    telegram_user_id: int | None = None
    telegram_unreachable: bool = False
    email_unreachable: bool = False
    language: str = "pl"
    is_primary: bool = True


class Staff(_Entity):
    """A Centrum Monitoringu staff member and the TERYT prefixes they answer for."""

    id: int | None = None
    name: str
    email: str
    telegram_id: int | None = None
    territories: list[str] = Field(default_factory=list)

    def covers(self, teryt: str) -> bool:
        """Whether this staff member answers for the territory ("PL": the whole country)."""
        return any(p == "PL" or teryt.startswith(p) for p in self.territories)


class MonitoringSession(_Entity):
    """A named collection period with its harmonogram."""

    id: int | None = None
    name: str
    opens: date
    deadline: date
    cards: list[str]
    territories: list[str] = Field(default_factory=list)
    harmonogram: dict[str, Any] = Field(default_factory=dict)
    state: SessionState = SessionState.DRAFT
    is_baseline: bool = False
    opened_at: datetime | None = None
    closed_at: datetime | None = None

    def covers(self, teryt: str) -> bool:
        """Whether the session covers the gmina (no territories = the whole country)."""
        return not self.territories or any(teryt.startswith(p) for p in self.territories)


class Assignment(_Entity):
    """One card to be filled by one organisation in one session."""

    id: int | None = None
    session_id: int
    organisation_id: int
    card: str
    token_nonce: str
    token_hash: str
    token_short_hash: str
    token_revoked: bool = False
    extended_until: date | None = None
    submitted_at: datetime | None = None
    submission_no: str | None = None
    channel: str = "email"
    cursor: str | None = None
    # The question last delivered to the chat: a message while `cursor` differs (the bot
    # stopped between storing an answer and asking the next one) is not taken as an answer.
    asked: str | None = None
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    revision: int = 0

    def deadline(self, session: MonitoringSession) -> date:
        """The deadline in force for this assignment (extension wins)."""
        return self.extended_until or session.deadline


class AnswerRecord(_Entity):
    """One version of one answer, with its provenance; never updated, only appended."""

    id: int | None = None
    assignment_id: int
    question_id: str
    value: Any = None  # JSON representation (cards.md "Value representation"); None = cleared
    other_text: str | None = None
    version: int
    channel: str
    source_message_id: str | None = None
    contact_id: int | None = None
    recorded_at: datetime


class OutboxStatus(StrEnum):
    """Delivery state of an outbound message."""

    PENDING = "pending"
    LEASED = "leased"  # claimed by a dispatcher, not yet attempted
    SENDING = "sending"  # handed to the channel; a crash now leaves it ambiguous
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # the dispatcher died mid-send: not resent, shown to staff


class OutboxMessage(_Entity):
    """A durable outbound message; the dedupe key makes sending idempotent."""

    id: int | None = None
    channel: str
    recipient: str
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict)
    dedupe_key: str
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    assignment_id: int | None = None


class InboundMessage(_Entity):
    """A raw inbound message, stored before it is parsed."""

    id: int | None = None
    channel: str
    folder: str | None = None
    uidvalidity: int | None = None
    uid: int | None = None
    sha256: str
    message_id: str | None = None
    raw: bytes
    received_at: datetime
    status: str = "stored"
    kind: str | None = None
    assignment_id: int | None = None
    error: str | None = None
