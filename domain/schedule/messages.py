"""What the scheduler plans to send: kinds, planned messages and records of what went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from domain.schedule.harmonogram import Channel

MessageKind = Literal["invitation", "reminder", "overdue", "staff_alert", "digest", "problem_alert"]

# What already went to one recipient: (kind, local day it went). The storage keeps
# these under the unique dedupe key, so restarts and two instances send nothing twice.
SentRecord = tuple[MessageKind, date]

# Messages to a respondent's assignment; the rest go to staff.
ASSIGNMENT_KINDS: frozenset[MessageKind] = frozenset({"invitation", "reminder", "overdue"})

# One gmina (TERYT code) with the ids of its late assignments.
GminaLate = tuple[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """One message the scheduler should send, with its dedupe key.

    `due_at` is when it was planned for; `local_day` is the day it counts for: the
    planned day in a preview, the sending day in what a tick returns (a reminder
    caught up after downtime is due earlier than the day it goes).
    """

    kind: MessageKind
    recipient_id: str  # the assignment id, or the staff member's id for staff kinds
    due_at: datetime
    local_day: date
    reasons: tuple[str, ...] = ()  # e.g. ("D-3", "D-1") for merged reminders
    channels: tuple[Channel, ...] = ()  # the card's channels from the harmonogram
    late_by_gmina: tuple[GminaLate, ...] = ()  # staff messages only, sorted by gmina

    @property
    def dedupe_key(self) -> str:
        """The unique key of this message in the outbox (kind:recipient:YYYY-MM-DD)."""
        return f"{self.kind}:{self.recipient_id}:{self.local_day.isoformat()}"

    @property
    def sent_record(self) -> SentRecord:
        """The record to keep once this message is enqueued."""
        return (self.kind, self.local_day)

    @property
    def for_staff(self) -> bool:
        """Whether this message goes to a staff member rather than a respondent."""
        return self.kind not in ASSIGNMENT_KINDS
