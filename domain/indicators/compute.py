"""Indicator values per gmina, rolled up to powiat, województwo and kraj.

indicators.md: a missing input gives n/a with a reason (never 0, never an error);
counts and sums add up over the gminy where they are defined; percentages and
ratios are recomputed from the summed numerators and denominators of those gminy;
a gmina where a value is n/a contributes nothing to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from domain.indicators.inputs import GminaInputs, Plan, TermKey
from domain.indicators.model import Indicator, IndicatorSet, Kind, Level, Source, Term

NO_NGO = "brak złożonych Kart NGO w gminie"
NO_IZUS = "brak złożonej Karty IZUS w gminie"
ZERO_DENOMINATOR = "mianownik równy 0"


def izus_unanswered(term: Term) -> str:
    """Reason: the IZUS card left a question of the term unanswered."""
    return f"brak odpowiedzi w Karcie IZUS: {term.describe()}"


def optional_unanswered(term: Term) -> str:
    """Reason: no NGO card answered the optional question the term needs."""
    codes = ", ".join(f"ngo.{code}" for code in term.answered)
    return f"żadna Karta NGO nie zawiera odpowiedzi na pytanie opcjonalne {codes}"


def nowhere(reasons: Mapping[str, int]) -> str:
    """Reason of a territory where no member gmina defines the value."""
    common = max(reasons.items(), key=lambda item: item[1])[0] if reasons else NO_NGO
    return f"wartość nieokreślona w żadnej gminie obszaru (najczęściej: {common})"


class Value(NamedTuple):
    """One indicator value; `reason` set means n/a. Unrounded (see `Kind.digits`).

    A named tuple: a national computation creates ~150,000 of them, and a tuple is
    built several times faster than a frozen dataclass.
    """

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    reason: str | None = None
    cards: int = 0  # the cards behind the value

    @property
    def ok(self) -> bool:
        """Whether the value is defined."""
        return self.reason is None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Cards submitted and assigned, per card type."""

    ngo_submitted: int = 0
    ngo_assigned: int = 0
    izus_submitted: int = 0
    izus_assigned: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            self.ngo_submitted + other.ngo_submitted,
            self.ngo_assigned + other.ngo_assigned,
            self.izus_submitted + other.izus_submitted,
            self.izus_assigned + other.izus_assigned,
        )


@dataclass
class TerritoryResult:
    """Every indicator value of one territory, with its coverage."""

    teryt: str
    level: Level
    coverage: Coverage
    values: dict[str, Value] = field(default_factory=dict)


Levels = dict[Level, dict[str, TerritoryResult]]


@dataclass
class IndicatorResults:
    """All values of a session at every level, under one definition version."""

    version: str
    levels: Levels

    def at(self, level: Level) -> dict[str, TerritoryResult]:
        """The territories of a level, by TERYT code."""
        return self.levels.get(level, {})


def compute(
    plan: Plan, inputs: Mapping[str, GminaInputs], coverage: Mapping[str, Coverage]
) -> IndicatorResults:
    """Values of every indicator for every gmina in `coverage`, then the roll-ups."""
    definitions = plan.definitions
    empty = GminaInputs.empty(len(plan.terms))
    formulas = [Formula.of(i, plan.index) for i in definitions.indicators]
    gminy = {
        teryt: TerritoryResult(
            teryt,
            Level.GMINA,
            coverage[teryt],
            {f.id: f.value(inputs.get(teryt, empty)) for f in formulas},
        )
        for teryt in sorted(coverage)
    }
    return IndicatorResults(definitions.version, roll_up(definitions, gminy))


@dataclass(frozen=True, slots=True)
class _Side:
    """A term with what evaluating it per gmina needs, read off the model once."""

    term: Term
    index: int
    izus: bool
    optional: bool

    @classmethod
    def of(cls, term: Term, index: dict[TermKey, int]) -> _Side:
        return cls(term, index[term.key], term.source is Source.IZUS, bool(term.answered))

    def read(self, inputs: GminaInputs) -> tuple[float | None, str | None]:
        """The summed term in the gmina, or None with the reason."""
        if self.izus:
            if inputs.izus_cards == 0:
                return None, NO_IZUS
            if self.index in inputs.missing:
                return None, izus_unanswered(self.term)
        elif inputs.ngo_cards == 0:
            return None, NO_NGO
        elif self.optional and not inputs.cards[self.index]:
            return None, optional_unanswered(self.term)
        return inputs.totals[self.index], None


@dataclass(frozen=True, slots=True)
class Formula:
    """One indicator prepared for evaluation in every gmina."""

    id: str
    kind: Kind
    numerator: _Side
    denominator: _Side | None
    reads_ngo: bool
    reads_izus: bool
    filtered: tuple[int, ...]  # optional-block terms: only the cards that answered count

    @classmethod
    def of(cls, indicator: Indicator, index: dict[TermKey, int]) -> Formula:
        """The indicator's formula, its terms located in the plan's index."""
        sides = [_Side.of(t, index) for t in indicator.terms]
        return cls(
            indicator.id, indicator.kind, sides[0], sides[1] if len(sides) > 1 else None,
            any(not s.izus for s in sides), any(s.izus for s in sides),
            tuple(s.index for s in sides if s.optional),
        )  # fmt: skip

    def value(self, inputs: GminaInputs) -> Value:
        """The indicator in one gmina from its summed terms."""
        numerator, reason = self.numerator.read(inputs)
        denominator = None
        if self.denominator is not None:
            denominator, other = self.denominator.read(inputs)
            reason = reason or other
        cards = self._cards(inputs)
        if reason is not None:
            return Value(None, numerator, denominator, reason, cards)
        if denominator is None:
            return Value(numerator, numerator, None, None, cards)
        if denominator == 0:
            return Value(None, numerator, denominator, ZERO_DENOMINATOR, cards)
        value = _ratio(self.kind, numerator, denominator)
        return Value(value, numerator, denominator, None, cards)

    def _cards(self, inputs: GminaInputs) -> int:
        """NGO cards behind the value (only those that answered, for optional blocks) + IZUS."""
        if self.filtered:
            ngo = max(inputs.cards[i] for i in self.filtered)
        else:
            ngo = inputs.ngo_cards if self.reads_ngo else 0
        return ngo + (inputs.izus_cards if self.reads_izus else 0)


def _ratio(kind: Kind, numerator: float | None, denominator: float) -> float:
    assert numerator is not None
    scale = 100 if kind is Kind.PERCENTAGE else 1
    return scale * numerator / denominator


@dataclass(slots=True)
class _Sum:
    """Summed numerators and denominators of the member gminy where a value is defined."""

    numerator: float = 0
    denominator: float = 0
    cards: int = 0
    defined: bool = False
    reasons: dict[str, int] | None = None  # why member gminy are n/a, by count

    def add_value(self, value: Value) -> None:
        if value.reason is not None:
            self._note(value.reason, 1)
            return
        self.defined = True
        self.numerator += value.numerator or 0
        self.denominator += value.denominator or 0
        self.cards += value.cards

    def add_sum(self, other: _Sum) -> None:
        self.defined = self.defined or other.defined
        self.numerator += other.numerator
        self.denominator += other.denominator
        self.cards += other.cards
        for reason, count in (other.reasons or {}).items():
            self._note(reason, count)

    def _note(self, reason: str, count: int) -> None:
        if self.reasons is None:
            self.reasons = {}
        self.reasons[reason] = self.reasons.get(reason, 0) + count


Sums = dict[str, dict[str, _Sum]]  # territory → indicator → sums


def roll_up(definitions: IndicatorSet, gminy: dict[str, TerritoryResult]) -> Levels:
    """Gminy plus powiaty, województwa and the country, each level summed from the one below.

    Sums are associative, so adding up powiaty gives the same województwo as adding up
    its gminy, at a fraction of the work.
    """
    levels: Levels = {Level.GMINA: gminy}
    sums: Sums = {}
    coverage: dict[str, Coverage] = {}
    for teryt, gmina in gminy.items():
        code = Level.POWIAT.of(teryt)
        coverage[code] = coverage.get(code, Coverage()) + gmina.coverage
        territory = sums.setdefault(code, {})
        for indicator_id, value in gmina.values.items():
            total = territory.get(indicator_id)
            if total is None:
                total = territory[indicator_id] = _Sum()
            total.add_value(value)
    levels[Level.POWIAT] = _territories(definitions, Level.POWIAT, sums, coverage)
    for level in (Level.WOJEWODZTWO, Level.KRAJ):
        sums, coverage = _merge(level, sums, coverage)
        levels[level] = _territories(definitions, level, sums, coverage)
    return levels


def _merge(
    level: Level, below: Sums, coverage: dict[str, Coverage]
) -> tuple[Sums, dict[str, Coverage]]:
    sums: Sums = {}
    covered: dict[str, Coverage] = {}
    for teryt, territory in below.items():
        code = level.of(teryt)
        covered[code] = covered.get(code, Coverage()) + coverage[teryt]
        upper = sums.setdefault(code, {})
        for indicator_id, total in territory.items():
            upper.setdefault(indicator_id, _Sum()).add_sum(total)
    return sums, covered


def _territories(
    definitions: IndicatorSet, level: Level, sums: Sums, coverage: dict[str, Coverage]
) -> dict[str, TerritoryResult]:
    return {
        code: TerritoryResult(code, level, coverage[code], _values(definitions, sums[code]))
        for code in sorted(sums)
    }


def _values(definitions: IndicatorSet, sums: dict[str, _Sum]) -> dict[str, Value]:
    values = {}
    for indicator in definitions.indicators:
        total = sums.get(indicator.id, _Sum())
        if not total.defined:
            values[indicator.id] = Value(None, reason=nowhere(total.reasons or {}))
        elif indicator.kind.additive:
            values[indicator.id] = Value(total.numerator, total.numerator, None, None, total.cards)
        else:
            value = _ratio(indicator.kind, total.numerator, total.denominator)
            values[indicator.id] = Value(
                value, total.numerator, total.denominator, None, total.cards
            )
    return values
