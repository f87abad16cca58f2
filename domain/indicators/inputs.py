"""From submitted answers to per-gmina sums: one pass over the cards, no database.

The service hands over the answers in force of a session's submitted cards as flat
rows (gmina TERYT, card, assignment id, question id, JSON value), grouped by
assignment. Each card is rebuilt as a dict, its set-aside answers dropped (skip
logic), and every distinct term of the definitions is evaluated once and added to
its gmina.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.cards.conditions import parse
from domain.cards.model import CardDefinition, QuestionType
from domain.indicators.evaluate import Compiled, compile_term
from domain.indicators.model import IndicatorSet, Source, Term

AnswerRow = tuple[str, str, int, str, Any]
"""(gmina TERYT, card kind, assignment id, question id, value as stored in JSON)."""

TermKey = tuple[str, str, tuple[str, ...]]

# JSON forms that are not already the Python value the expressions compare
# (cards.md "Value representation"); ints, booleans and codes need no conversion.
_CONVERT: dict[QuestionType, Callable[[Any], Any]] = {
    QuestionType.MONEY: float,
    QuestionType.MANY: tuple,
    QuestionType.DATE: date.fromisoformat,
}


@dataclass(frozen=True)
class PreparedTerm:
    """A term compiled once; `answered` are full question ids a card must have."""

    term: Term
    evaluate: Compiled
    answered: tuple[str, ...]


@dataclass
class GminaInputs:
    """What one gmina's submitted cards add up to, term by term."""

    ngo_cards: int = 0
    izus_cards: int = 0
    totals: dict[TermKey, float] = field(default_factory=dict)
    cards: dict[TermKey, int] = field(default_factory=dict)  # cards that counted
    missing: set[TermKey] = field(default_factory=set)  # IZUS terms left unanswered


class Plan:
    """The terms of a definition set, compiled, and the questions they need."""

    def __init__(self, definitions: IndicatorSet, catalog: CardCatalog) -> None:
        unique = {t.key: t for i in definitions.indicators for t in i.terms}
        self.terms = {k: _prepare(t) for k, t in unique.items()}
        self.ngo = [p for p in self.terms.values() if p.term.source is not Source.IZUS]
        self.izus = [p for p in self.terms.values() if p.term.source is Source.IZUS]
        cards = {kind: catalog.get(kind) for kind in ("ngo", "izus")}
        self.question_ids = _needed(self.terms.values(), cards)
        self.convert = {
            q.id: _CONVERT[q.type]
            for card in cards.values()
            for q in card.questions
            if q.id in self.question_ids and q.type in _CONVERT
        }
        self.conditional = {
            kind: [
                (q.id, compile_term(q.condition, kind))
                for q in card.questions
                if q.condition is not None and q.id in self.question_ids
            ]
            for kind, card in cards.items()
        }

    def gather(self, rows: Iterable[AnswerRow]) -> dict[str, GminaInputs]:
        """Per-gmina sums of every term over the cards in `rows` (grouped by assignment)."""
        gminy: dict[str, GminaInputs] = {}
        current: int | None = None
        teryt, card = "", ""
        answers: dict[str, Any] = {}
        convert = self.convert
        for row_teryt, row_card, assignment, question, value in rows:
            if assignment != current:
                if current is not None:
                    self._add(gminy, teryt, card, answers)
                current, teryt, card, answers = assignment, row_teryt, row_card, {}
            if value is not None:
                change = convert.get(question)
                answers[question] = change(value) if change else value
        if current is not None:
            self._add(gminy, teryt, card, answers)
        return gminy

    def _add(
        self, gminy: dict[str, GminaInputs], teryt: str, card: str, answers: dict[str, Any]
    ) -> None:
        for question, condition in self.conditional.get(card, ()):
            # Conditions look back only, so one walk in card order settles skip logic.
            if question in answers and condition(answers) is not True:
                del answers[question]
        inputs = gminy.get(teryt)
        if inputs is None:
            inputs = gminy[teryt] = GminaInputs()
        if card == "ngo":
            inputs.ngo_cards += 1
            _add_ngo(inputs, self.ngo, answers)
        elif card == "izus":
            inputs.izus_cards += 1
            _add_izus(inputs, self.izus, answers)


def _add_ngo(inputs: GminaInputs, terms: list[PreparedTerm], answers: dict[str, Any]) -> None:
    totals, cards = inputs.totals, inputs.cards
    for prepared in terms:
        if prepared.answered and any(q not in answers for q in prepared.answered):
            continue
        key = prepared.term.key
        value = prepared.evaluate(answers)
        if prepared.term.source is Source.COUNT:
            cards[key] = cards.get(key, 0) + 1
            if value is True:
                totals[key] = totals.get(key, 0) + 1
        elif value is not None:
            cards[key] = cards.get(key, 0) + 1
            totals[key] = totals.get(key, 0) + value


def _add_izus(inputs: GminaInputs, terms: list[PreparedTerm], answers: dict[str, Any]) -> None:
    for prepared in terms:
        key = prepared.term.key
        value = prepared.evaluate(answers)
        if value is None:
            inputs.missing.add(key)
        else:
            inputs.totals[key] = inputs.totals.get(key, 0) + value
            inputs.cards[key] = inputs.cards.get(key, 0) + 1


def _prepare(term: Term) -> PreparedTerm:
    card = term.source.card
    answered = tuple(f"{card}.{code}" for code in term.answered)
    return PreparedTerm(term, compile_term(term.expression, card), answered)


def _needed(terms: Iterable[PreparedTerm], cards: dict[str, CardDefinition]) -> frozenset[str]:
    """Question ids the terms read, plus (recursively) those their skip logic reads."""
    needed: set[str] = set()
    for prepared in terms:
        card = prepared.term.source.card
        codes = parse(prepared.term.expression, card).codes
        needed.update(f"{card}.{code}" for code in codes)
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
