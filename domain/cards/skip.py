"""Skip logic (cards.md "[if …]"): which questions are asked and which answers count.

A question whose condition does not hold is not asked; an answer it already had is
set aside (kept in the history by the caller, not counted here) for as long as the
condition does not hold. Conditions only look back (the loader enforces it), so one
walk in card order settles every question.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.cards.conditions import AnswerValue, parse
from domain.cards.model import CardDefinition, Question

Answers = Mapping[str, AnswerValue | None]
"""Answers keyed by question id ("ngo.I.4"); None or a missing key means unanswered."""


def condition_holds(card: CardDefinition, question: Question, answers: Answers) -> bool:
    """Whether the question's condition holds (no condition: always; unknown: not)."""
    if question.condition is None:
        return True
    return parse(question.condition, card.card.value).holds(answers)


def effective_answers(card: CardDefinition, answers: Answers) -> dict[str, AnswerValue]:
    """The answers that count: of this card's questions, answered, condition holding."""
    effective: dict[str, AnswerValue] = {}
    for question in card.questions:
        value = answers.get(question.id)
        if value is not None and condition_holds(card, question, effective):
            effective[question.id] = value
    return effective


def applicable_questions(card: CardDefinition, answers: Answers) -> list[Question]:
    """The questions to ask, in card order: asked ones whose condition holds."""
    return applicable_given_effective(card, effective_answers(card, answers))


def applicable_given_effective(card: CardDefinition, effective: Answers) -> list[Question]:
    """`applicable_questions` for answers that are already `effective_answers`."""
    return [q for q in card.asked_questions if condition_holds(card, q, effective)]


def condition_inputs(card: CardDefinition) -> frozenset[str]:
    """Ids of the questions some question's condition refers to.

    An answer to any other question changes neither which questions apply nor whether
    any other answer counts.
    """

    def compute() -> frozenset[str]:
        kind = card.card.value
        return frozenset(
            f"{kind}.{code}"
            for q in card.questions
            if q.condition is not None
            for code in parse(q.condition, kind).codes
        )

    return card.memo("skip.condition_inputs", compute)


def effective_after(
    card: CardDefinition, effective: Answers, answers: Answers, changed: set[str]
) -> dict[str, AnswerValue] | None:
    """`effective_answers(card, answers)` without walking the card: `effective` was that
    of answers that differed only in the questions `changed`. None when one of them is
    an input of some condition (then the walk is needed).
    """
    if not changed.isdisjoint(condition_inputs(card)):
        return None
    # No condition reads a changed answer, so every condition holds as it did, and a
    # changed answer counts when its own condition holds.
    result = {qid: value for qid, value in effective.items() if value is not None}
    inserted = False
    for qid in changed:
        value = answers.get(qid)
        question = card.by_id(qid)
        if value is None or question is None or not condition_holds(card, question, result):
            result.pop(qid, None)
        else:
            inserted = inserted or qid not in result
            result[qid] = value
    if inserted:  # keep card order, as the walk gives it
        result = {qid: result[qid] for qid in sorted(result, key=card.order.__getitem__)}
    return result


def missing_required(card: CardDefinition, answers: Answers) -> list[Question]:
    """Required questions that apply and have no effective answer, in card order."""
    effective = effective_answers(card, answers)
    return [q for q in applicable_questions(card, answers) if q.required and q.id not in effective]


def is_complete(card: CardDefinition, answers: Answers) -> bool:
    """Whether every applicable required question has an answer."""
    return not missing_required(card, answers)
