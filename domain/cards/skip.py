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
    effective = effective_answers(card, answers)
    return [q for q in card.asked_questions if condition_holds(card, q, effective)]


def missing_required(card: CardDefinition, answers: Answers) -> list[Question]:
    """Required questions that apply and have no effective answer, in card order."""
    effective = effective_answers(card, answers)
    return [q for q in applicable_questions(card, answers) if q.required and q.id not in effective]


def is_complete(card: CardDefinition, answers: Answers) -> bool:
    """Whether every applicable required question has an answer."""
    return not missing_required(card, answers)
