"""From submitted answers to per-gmina sums: one pass over the cards, no database.

The service hands over a session's submitted cards (assignment id, gmina TERYT, card)
and their answer versions as flat rows (assignment id, question id, value as JSON
text), grouped by assignment and in version order. Each card is rebuilt as a dict
(a later version replaces an earlier one, a cleared answer removes it), its
set-aside answers are dropped (skip logic), and every distinct term of the
definitions is evaluated once and added to its gmina.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.cards.conditions import parse
from domain.cards.model import CardDefinition, Question, QuestionType
from domain.indicators.evaluate import Compiled, compile_term
from domain.indicators.model import IndicatorSet, Source, Term

CardRow = tuple[int, str, str]
"""(assignment id, gmina TERYT, card kind) of a submitted card."""
AnswerRow = tuple[int, str, str | None]
"""(assignment id, question id, value as JSON text); None or "null": cleared."""

TermKey = tuple[str, str, tuple[str, ...]]
Decode = Callable[[str], Any]


@dataclass(frozen=True)
class PreparedTerm:
    """A term compiled once; `answered` are full question ids a card must have."""

    index: int  # its slot in GminaInputs (positions, not keys: tuple keys hash slowly)
    term: Term
    counts: bool  # count(EXPR): cards where EXPR holds
    evaluate: Compiled
    answered: tuple[str, ...]


@dataclass
class GminaInputs:
    """What one gmina's submitted cards add up to, term by term (by the term's index)."""

    ngo_cards: int = 0
    izus_cards: int = 0
    totals: list[float] = field(default_factory=list)
    cards: list[int] = field(default_factory=list)  # cards that counted
    missing: set[int] = field(default_factory=set)  # IZUS terms left unanswered

    @classmethod
    def empty(cls, terms: int) -> GminaInputs:
        """Nothing submitted yet, room for every term."""
        return cls(totals=[0.0] * terms, cards=[0] * terms)


class Plan:
    """The terms of a definition set, compiled, and the questions they need."""

    def __init__(self, definitions: IndicatorSet, catalog: CardCatalog) -> None:
        self.definitions = definitions
        unique = {t.key: t for i in definitions.indicators for t in i.terms}
        self.terms = [_prepare(n, t) for n, t in enumerate(unique.values())]
        self.index: dict[TermKey, int] = {p.term.key: p.index for p in self.terms}
        self.ngo = [p for p in self.terms if p.term.source is not Source.IZUS]
        self.izus = [p for p in self.terms if p.term.source is Source.IZUS]
        # The same, unpacked: attribute lookups cost more than the comparisons themselves.
        self._ngo_loop = [(p.index, p.evaluate, p.counts, p.answered) for p in self.ngo]
        cards = {kind: catalog.get(kind) for kind in ("ngo", "izus")}
        self.question_ids = _needed(self.terms, cards)
        self.decode = {
            q.id: _decoder(q) for card in cards.values() for q in card.questions
            if q.id in self.question_ids
        }  # fmt: skip
        self.conditional = {
            kind: [
                (q.id, compile_term(q.condition, kind))
                for q in card.questions
                if q.condition is not None and q.id in self.question_ids
            ]
            for kind, card in cards.items()
        }

    def gather(self, cards: Iterable[CardRow], rows: Iterable[AnswerRow]) -> dict[str, GminaInputs]:
        """Per-gmina sums of every term over the submitted cards."""
        where = {assignment: (teryt, card) for assignment, teryt, card in cards}
        answers_of: dict[int, dict[str, Any]] = {assignment: {} for assignment in where}
        decode = self.decode
        answers: dict[str, Any] = {}
        current = None
        for assignment, question, text in rows:
            if assignment != current:
                current, answers = assignment, answers_of.get(assignment, {})
            if text is None or text == "null":
                answers.pop(question, None)
            else:
                answers[question] = decode[question](text)
        gminy: dict[str, GminaInputs] = {}
        for assignment, (teryt, card) in where.items():
            inputs = gminy.get(teryt)
            if inputs is None:
                inputs = gminy[teryt] = GminaInputs.empty(len(self.terms))
            self._add(inputs, card, answers_of[assignment])
        return gminy

    def _add(self, inputs: GminaInputs, card: str, answers: dict[str, Any]) -> None:
        for question, condition in self.conditional.get(card, ()):
            # Conditions look back only, so one walk in card order settles skip logic.
            if question in answers and condition(answers) is not True:
                del answers[question]
        if card == "ngo":
            inputs.ngo_cards += 1
            _add_ngo(inputs, self._ngo_loop, answers)
        elif card == "izus":
            inputs.izus_cards += 1
            _add_izus(inputs, self.izus, answers)


def _add_ngo(
    inputs: GminaInputs,
    terms: list[tuple[int, Compiled, bool, tuple[str, ...]]],
    answers: dict[str, Any],
) -> None:
    totals, cards = inputs.totals, inputs.cards
    for index, evaluate, counts, answered in terms:
        if answered and any(q not in answers for q in answered):
            continue
        value = evaluate(answers)
        if counts:
            cards[index] += 1
            if value is True:
                totals[index] += 1
        elif value is not None:
            cards[index] += 1
            totals[index] += value


def _add_izus(inputs: GminaInputs, terms: list[PreparedTerm], answers: dict[str, Any]) -> None:
    for prepared in terms:
        value = prepared.evaluate(answers)
        if value is None:
            inputs.missing.add(prepared.index)
        else:
            inputs.totals[prepared.index] += value
            inputs.cards[prepared.index] += 1


def _decoder(question: Question) -> Decode:
    """JSON text to the value expressions compare (cards.md "Value representation")."""
    kind = question.type
    if kind is QuestionType.INT:
        return int  # the hot path: most inputs are whole numbers
    if kind is QuestionType.YESNO:
        return _yes
    if kind is QuestionType.MONEY:
        return lambda text: float(json.loads(text))
    if kind is QuestionType.MANY:
        return lambda text: tuple(json.loads(text))
    if kind is QuestionType.DATE:
        return lambda text: date.fromisoformat(json.loads(text))
    return json.loads


def _yes(text: str) -> bool:
    return text == "true"


def _prepare(index: int, term: Term) -> PreparedTerm:
    card = term.source.card
    answered = tuple(f"{card}.{code}" for code in term.answered)
    counts = term.source is Source.COUNT
    return PreparedTerm(index, term, counts, compile_term(term.expression, card), answered)


def _needed(terms: Iterable[PreparedTerm], cards: dict[str, CardDefinition]) -> frozenset[str]:
    """Question ids the terms read, plus (recursively) those their skip logic reads."""
    needed: set[str] = set()
    for prepared in terms:
        card = prepared.term.source.card
        needed.update(f"{card}.{code}" for code in parse(prepared.term.expression, card).codes)
        needed.update(prepared.answered)
    pending = list(needed)
    while pending:
        card_kind, _, code = pending.pop().partition(".")
        question = cards[card_kind].by_code(code)
        if question is None or question.condition is None:
            continue
        for ref in parse(question.condition, card_kind).codes:
            qid = f"{card_kind}.{ref}"
            if qid not in needed:
                needed.add(qid)
                pending.append(qid)
    return frozenset(needed)
