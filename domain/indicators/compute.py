"""Indicator values per gmina, rolled up to powiat, województwo and kraj.

indicators.md: a missing input gives n/a with a reason (never 0, never an error);
counts and sums add up over the gminy where they are defined; percentages and
ratios are recomputed from the summed numerators and denominators of those gminy;
a gmina where a value is n/a contributes nothing to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.indicators.inputs import GminaInputs
from domain.indicators.model import LEVELS, Indicator, IndicatorSet, Kind, Level, Source, Term

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


def nowhere(reasons: Counter[str]) -> str:
    """Reason of a territory where no member gmina defines the value."""
    common = reasons.most_common(1)[0][0] if reasons else NO_NGO
    return f"wartość nieokreślona w żadnej gminie obszaru (najczęściej: {common})"


@dataclass(frozen=True, slots=True)
class Value:
    """One indicator value; `reason` set means n/a. Unrounded (see `Kind.digits`)."""

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
    definitions: IndicatorSet,
    inputs: Mapping[str, GminaInputs],
    coverage: Mapping[str, Coverage],
) -> IndicatorResults:
    """Values of every indicator for every gmina in `coverage`, then the roll-ups."""
    empty = GminaInputs()
    gminy = {
        teryt: TerritoryResult(
            teryt,
            Level.GMINA,
            coverage[teryt],
            {i.id: gmina_value(i, inputs.get(teryt, empty)) for i in definitions.indicators},
        )
        for teryt in sorted(coverage)
    }
    return IndicatorResults(definitions.version, roll_up(definitions, gminy))


def gmina_value(indicator: Indicator, inputs: GminaInputs) -> Value:
    """One indicator for one gmina from its summed terms."""
    numerator, reason = _term(indicator.numerator, inputs)
    denominator = None
    if indicator.denominator is not None:
        denominator, other = _term(indicator.denominator, inputs)
        reason = reason or other
    cards = _cards(indicator, inputs)
    if reason is not None:
        return Value(None, numerator, denominator, reason, cards)
    if denominator is None:
        return Value(numerator, numerator, None, None, cards)
    if denominator == 0:
        return Value(None, numerator, denominator, ZERO_DENOMINATOR, cards)
    return Value(
        _ratio(indicator.kind, numerator, denominator), numerator, denominator, None, cards
    )


def _term(term: Term, inputs: GminaInputs) -> tuple[float | None, str | None]:
    key = term.key
    if term.source is Source.IZUS:
        if inputs.izus_cards == 0:
            return None, NO_IZUS
        if key in inputs.missing:
            return None, izus_unanswered(term)
        return inputs.totals.get(key, 0), None
    if inputs.ngo_cards == 0:
        return None, NO_NGO
    if term.answered and not inputs.cards.get(key):
        return None, optional_unanswered(term)
    return inputs.totals.get(key, 0), None


def _cards(indicator: Indicator, inputs: GminaInputs) -> int:
    """NGO cards behind the value (the filtered ones for optional blocks) plus IZUS cards."""
    sources = {t.source for t in indicator.terms}
    ngo = max((inputs.cards.get(t.key, 0) for t in indicator.terms if t.source is not Source.IZUS),
              default=0)  # fmt: skip
    return ngo + (inputs.izus_cards if Source.IZUS in sources else 0)


def _ratio(kind: Kind, numerator: float | None, denominator: float) -> float:
    assert numerator is not None
    scale = 100 if kind is Kind.PERCENTAGE else 1
    return scale * numerator / denominator


@dataclass
class _Sum:
    numerator: float = 0
    denominator: float = 0
    cards: int = 0
    defined: bool = False
    reasons: Counter[str] = field(default_factory=Counter)


def roll_up(definitions: IndicatorSet, gminy: dict[str, TerritoryResult]) -> Levels:
    """Gminy plus powiaty, województwa and the country, summed from the gminy."""
    levels: Levels = {Level.GMINA: gminy}
    for level in LEVELS[1:]:
        sums: dict[str, dict[str, _Sum]] = {}
        coverage: dict[str, Coverage] = {}
        for teryt, gmina in gminy.items():
            code = level.of(teryt)
            coverage[code] = coverage.get(code, Coverage()) + gmina.coverage
            _accumulate(sums.setdefault(code, {}), gmina.values)
        levels[level] = {
            code: TerritoryResult(code, level, coverage[code], _values(definitions, sums[code]))
            for code in sorted(sums)
        }
    return levels


def _accumulate(sums: dict[str, _Sum], values: dict[str, Value]) -> None:
    for indicator_id, value in values.items():
        total = sums.get(indicator_id)
        if total is None:
            total = sums[indicator_id] = _Sum()
        if value.reason is not None:
            total.reasons[value.reason] += 1
            continue
        total.defined = True
        total.numerator += value.numerator or 0
        total.denominator += value.denominator or 0
        total.cards += value.cards


def _values(definitions: IndicatorSet, sums: dict[str, _Sum]) -> dict[str, Value]:
    values = {}
    for indicator in definitions.indicators:
        total = sums.get(indicator.id, _Sum())
        if not total.defined:
            values[indicator.id] = Value(None, reason=nowhere(total.reasons))
        elif indicator.kind.additive:
            values[indicator.id] = Value(total.numerator, total.numerator, None, None, total.cards)
        else:
            value = _ratio(indicator.kind, total.numerator, total.denominator)
            values[indicator.id] = Value(
                value, total.numerator, total.denominator, None, total.cards
            )
    return values
