"""A snapshot of one assignment's card: answers in force, progress, status."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from domain.cards.checks import ConsistencyWarning as CheckWarning
from domain.cards.model import CardDefinition, Question
from domain.cards.skip import applicable_given_effective, effective_after, effective_answers
from domain.cards.values import AnswerValue, from_json
from domain.entities import (
    AnswerRecord,
    Assignment,
    AssignmentStatus,
    Contact,
    MonitoringSession,
    Organisation,
)

WARSAW = ZoneInfo("Europe/Warsaw")


@dataclass(frozen=True)
class Provenance:
    """Where an answer came from (channels.md: every answer has provenance)."""

    channel: str
    source_message_id: str | None = None
    contact_id: int | None = None


def latest_records(history: list[AnswerRecord]) -> dict[str, AnswerRecord]:
    """The newest version of each question's answer."""
    latest: dict[str, AnswerRecord] = {}
    for record in history:
        current = latest.get(record.question_id)
        if current is None or record.version > current.version:
            latest[record.question_id] = record
    return latest


def answers_from_records(
    card: CardDefinition, latest: dict[str, AnswerRecord]
) -> dict[str, AnswerValue]:
    """Python values of the latest non-empty answers of known questions."""
    values: dict[str, AnswerValue] = {}
    for qid, record in latest.items():
        question = card.by_code(qid.split(".", 1)[1]) if "." in qid else None
        if question is not None and question.id == qid and record.value is not None:
            values[qid] = from_json(question, record.value)
    return values


def local_date(at: datetime) -> date:
    """The calendar day in Poland at that moment (deadlines are local days)."""
    return at.astimezone(WARSAW).date()


@dataclass(frozen=True)
class Checked:
    """Warnings known for some answers of the card, to re-evaluate only what changed."""

    answers: dict[str, AnswerValue]
    previous: dict[str, AnswerValue] | None  # the previous session's answers they used
    warnings: tuple[CheckWarning, ...]


@dataclass
class CardState:
    """Everything a channel needs to show one assignment."""

    assignment: Assignment
    session: MonitoringSession
    organisation: Organisation
    contact: Contact | None
    card: CardDefinition
    latest: dict[str, AnswerRecord]
    answers: dict[str, AnswerValue]  # in force: set-aside answers excluded
    now: datetime
    warnings: list[CheckWarning] = field(default_factory=list)
    history_size: int = 0  # answer versions the state was built from (services.unit cache)
    checked: Checked | None = field(default=None, repr=False, compare=False)

    @cached_property
    def values(self) -> dict[str, AnswerValue]:
        """The latest non-empty answers of known questions, set-aside ones included."""
        return answers_from_records(self.card, self.latest)

    @cached_property
    def applicable(self) -> list[Question]:
        """Questions asked of this respondent, given the answers so far."""
        return applicable_given_effective(self.card, self.answers)  # answers: effective

    @cached_property
    def applicable_ids(self) -> frozenset[str]:
        """Ids of the applicable questions, for membership tests."""
        return frozenset(q.id for q in self.applicable)

    def with_records(self, records: list[AnswerRecord]) -> CardState:
        """A new state with these answer versions appended (no database round trip)."""
        latest, values = dict(self.latest), dict(self.values)
        for record in records:
            latest[record.question_id] = record
            values.pop(record.question_id, None)
        values.update(answers_from_records(self.card, {r.question_id: r for r in records}))
        changed = {r.question_id for r in records}
        answers = effective_after(self.card, self.answers, values, changed)
        same_questions = answers is not None  # no condition reads a changed answer
        if answers is None:
            answers = effective_answers(self.card, values)
        size = self.history_size + len(records)
        fresh = replace(self, latest=latest, answers=answers, warnings=[], history_size=size)
        fresh.__dict__["values"] = values  # the cached property, already known
        if same_questions:
            for name in ("applicable", "applicable_ids"):
                if name in self.__dict__:
                    fresh.__dict__[name] = self.__dict__[name]
        return fresh

    def derived(self) -> dict[str, Any]:
        """What has been worked out from the history so far (the cached properties)."""
        return {name: self.__dict__[name] for name in _DERIVED if name in self.__dict__}

    def adopt(self, derived: dict[str, Any]) -> None:
        """Take over values `derived()` gave for the same card and history."""
        self.__dict__.update(derived)

    @property
    def missing(self) -> list[Question]:
        """Required applicable questions without an answer."""
        return [q for q in self.applicable if q.required and q.id not in self.answers]

    @cached_property
    def unanswered(self) -> list[Question]:
        """Applicable questions still to ask: no answer, and not an optional one skipped."""
        return list(self._pending())

    def _pending(self) -> Iterable[Question]:
        """`unanswered`, as a generator unless already worked out."""
        known: list[Question] | None = self.__dict__.get("unanswered")
        if known is not None:
            return known
        return (q for q in self.applicable if self._to_ask(q))

    def _to_ask(self, question: Question) -> bool:
        """Unanswered, and not an optional question the respondent skipped."""
        return question.id not in self.answers and (
            question.required or question.id not in self.latest
        )

    @property
    def answered_count(self) -> int:
        """Applicable questions that have an answer."""
        return sum(1 for q in self.applicable if q.id in self.answers)

    @property
    def required_count(self) -> int:
        """Required applicable questions."""
        return sum(1 for q in self.applicable if q.required)

    @property
    def complete(self) -> bool:
        """Every required applicable question is answered."""
        return not self.missing

    @property
    def deadline(self) -> date:
        """The deadline in force (the extension wins)."""
        return self.assignment.deadline(self.session)

    @property
    def is_late(self) -> bool:
        """Unsubmitted and past the (inclusive) deadline."""
        return self.assignment.submitted_at is None and local_date(self.now) > self.deadline

    @property
    def status(self) -> AssignmentStatus:
        """pending | in_progress | submitted | late."""
        if self.assignment.submitted_at is not None:
            return AssignmentStatus.SUBMITTED
        if self.is_late:
            return AssignmentStatus.LATE
        if any(not q.system for q in self._answered_questions()):
            return AssignmentStatus.IN_PROGRESS
        return AssignmentStatus.PENDING

    def _answered_questions(self) -> list[Question]:
        return [self.card.question(qid) for qid in self.latest if _known(self.card, qid)]

    def position(self, question: Question) -> tuple[int, int]:
        """1-based position of the question among the applicable ones, and their count."""
        ids = [q.id for q in self.applicable]
        index = ids.index(question.id) + 1 if question.id in self.applicable_ids else 0
        return index, len(ids)

    def next_question(self, after: str | None = None) -> Question | None:
        """The first unanswered applicable question after `after` (wrapping to the start)."""
        order = self.card.order
        start = order.get(after) if after is not None else None
        # The walk starts right after `after` (applicable is in card order) and wraps:
        # answering in order then looks at the next question or two, not the whole card.
        applicable = self.applicable
        cut = 0 if start is None else bisect_right(applicable, start, key=lambda q: order[q.id])
        for index in range(cut - len(applicable), cut):  # cut … end, then 0 … cut - 1
            if self._to_ask(applicable[index]):
                return applicable[index]
        return None

    def current_question(self) -> Question | None:
        """The question the respondent is on (cursor), else the next unanswered one."""
        cursor = self.assignment.cursor
        if cursor and _known(self.card, cursor):
            question = self.card.question(cursor)
            if question.id in self.applicable_ids:
                return question
        return self.next_question()


_DERIVED = ("values", "applicable", "applicable_ids", "unanswered")
"""The cached properties that depend on the card and the history only."""


def _known(card: CardDefinition, qid: str) -> bool:
    try:
        card.question(qid)
    except KeyError:
        return False
    return True


def build_answers(card: CardDefinition, history: list[AnswerRecord]) -> dict[str, AnswerValue]:
    """Answers in force from a history: latest values with set-aside ones removed."""
    return effective_answers(card, answers_from_records(card, latest_records(history)))
