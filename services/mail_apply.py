"""Applying the answers of a trusted reply through the collection service, then submitting.

Everything happens in the caller's unit of work (the processor records the outcome
and queues the reply in the same transaction), so a reply is applied, submitted and
answered all at once or not at all.

- A value equal to the answer in force is not recorded again (quoted template lines
  repeat what we sent; reprocessing a message after a crash changes nothing).
- A `>`-quoted value only fills a question that has no answer yet (a registry prefill
  the respondent left as it was); it never overwrites an answer: that quote is our
  own earlier text, possibly older than an answer given since (e.g. in Telegram).
- The card is submitted when it is complete and this reply has no hard errors; with
  consistency warnings only once the respondent writes POTWIERDZAM (or corrects them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.entities import SessionState
from domain.errors import NotAllowed, UserError
from services.card_state import CardState, Provenance
from services.collection import BatchResult, CollectionService
from services.mail_match import Match
from services.mail_ports import IncomingAnswer, IncomingMail
from services.ports import UnitOfWork
from services.submission import Incomplete, NeedsConfirmation, SubmissionService
from services.unit import load_state


@dataclass
class Applied:
    """What became of a trusted reply: the status and the reply's payload."""

    status: str  # applied | empty | refused
    payload: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None  # a rejection-type notice instead of a reply
    submitted: bool = False


def refusal(match: Match) -> str | None:
    """Why the session takes no answers (closed, baseline, not open), or None."""
    session = match.session
    if session.is_baseline:
        return "baseline"
    if session.state == SessionState.CLOSED:
        return "closed"
    if session.state == SessionState.DRAFT:
        return "not_open"
    return None


def _is_new(state: CardState, answer: IncomingAnswer) -> bool:
    question = state.card.by_code(answer.code)
    if question is None:
        return False
    record = state.latest.get(question.id)
    if record is None or record.value is None:
        return True
    if answer.quoted:
        return False  # our own quoted text never overwrites an answer
    return record.value != answer.value or (record.other_text or None) != answer.other_text


class MailApplier:
    """Records a trusted reply's answers and decides on submission."""

    def __init__(self, collection: CollectionService, submission: SubmissionService) -> None:
        self.collection = collection
        self.submission = submission

    def apply(
        self, uow: UnitOfWork, match: Match, mail: IncomingMail, provenance: Provenance
    ) -> Applied:
        """Apply, submit when due, and describe the outcome for the reply (in `uow`, not
        committed)."""
        reason = refusal(match)
        if reason is not None:
            return Applied("refused", notice=reason)
        assignment_id = match.assignment.id or 0
        c = self.collection  # the card locked for the rest of the transaction
        state = load_state(
            uow, c.catalog, c.clock, assignment_id, for_update=True, with_contact=False
        )
        changed = {a.code: a for a in mail.answers if _is_new(state, a)}
        explicit = [a for a in mail.answers if not a.quoted and a.code not in changed]
        rejected = [
            _rejection(r.code, r.raw, r.reason_pl, r.reason_en)
            for r in mail.rejected
            if not (r.quoted and _answered(state, r.code))
        ]
        if not (changed or explicit or rejected or mail.conflicts or mail.confirm):
            return Applied("empty", notice="empty")
        try:
            batch = self._record(uow, state, changed, provenance)
        except NotAllowed:
            return Applied("refused", notice="closed")
        rejected += [
            _rejection(code, changed[code].raw, e.message_pl, e.message_en)
            for code, e in (batch.rejected if batch else {}).items()
        ]
        done = {q.split(".", 1)[1] for q in (batch.accepted if batch else {})}
        after = batch.state if batch else c.previous.warnings_for(uow, state)
        accepted = [a for a in mail.answers if a.code in done] + explicit
        payload = _payload(after, accepted, rejected, mail)
        payload["unchanged_only"] = not done and not rejected and not mail.conflicts
        hard = bool(rejected or mail.conflicts)
        submitted = self._submit(uow, after, mail, bool(done), hard, provenance, payload)
        return Applied("applied", payload, submitted=submitted)

    def _record(
        self,
        uow: UnitOfWork,
        state: CardState,
        changed: dict[str, IncomingAnswer],
        provenance: Provenance,
    ) -> BatchResult | None:
        if not changed:
            return None
        raws = {code: answer.raw for code, answer in changed.items()}
        return self.collection.record_many_in(uow, state, raws, provenance)

    def _submit(
        self,
        uow: UnitOfWork,
        state: CardState,
        mail: IncomingMail,
        changed: bool,
        hard: bool,
        provenance: Provenance,
        payload: dict[str, Any],
    ) -> bool:
        """Submit when complete without hard errors; warnings wait for POTWIERDZAM."""
        a = state.assignment
        if hard or state.missing or (a.submitted_at is not None and not changed):
            return False
        if state.warnings and not mail.confirm:
            payload["needs_confirmation"] = True
            return False
        try:
            receipt = self.submission.submit_in(uow, a.id or 0, provenance, mail.confirm)
        except NeedsConfirmation:
            payload["needs_confirmation"] = True
            return False
        except (Incomplete, UserError):
            return False
        payload["submitted"] = {"number": receipt.submission_no, "corrected": receipt.corrected}
        payload["missing"] = []
        return True


def _answered(state: CardState, code: str) -> bool:
    question = state.card.by_code(code)
    return question is not None and question.id in state.answers


def _rejection(code: str, raw: str, pl: str, en: str) -> list[str]:
    return [code, raw, pl, en]


def _payload(
    state: CardState, accepted: list[IncomingAnswer], rejected: list[list[str]], mail: IncomingMail
) -> dict[str, Any]:
    """The reply's content, fixed now so a retried send says the same."""
    return {
        "accepted": [[a.code, a.value, a.other_text] for a in accepted],
        "rejected": rejected,
        "conflicts": [[code, list(values)] for code, values in mail.conflicts],
        "warnings": [[w.message_pl, w.message_en] for w in state.warnings],
        "needs_confirmation": False,
        "missing": [q.code for q in state.missing],
    }
