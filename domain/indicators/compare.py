"""Against the baseline, and NGO against IZUS: changes, rounding and the gap view."""

from __future__ import annotations

from dataclasses import dataclass

from domain.indicators.compute import IndicatorResults, Value
from domain.indicators.model import LEVELS, GapPair, IndicatorSet, Kind, Level


def number(x: float | None) -> int | float | None:
    """A numerator or denominator for people: whole when it is, else to 0.01."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(x, 2)


def present(kind: Kind, x: float | None) -> int | float | None:
    """A value as reported: percentages to 0.1, ratios to 0.01, counts whole."""
    if x is None:
        return None
    if kind is Kind.PERCENTAGE or kind is Kind.RATIO:
        return round(x, kind.digits)
    return number(x)


def change(current: Value, baseline: Value | None) -> float | None:
    """Now minus the baseline (percentage points for percentages); None when either is n/a."""
    if baseline is None or baseline.value is None or current.value is None:
        return None
    return current.value - baseline.value


@dataclass(frozen=True, slots=True)
class Gap:
    """NGO-side vs IZUS-side count of one pair, over the gminy where both exist."""

    pair: GapPair
    ngo: float | None
    izus: float | None
    gminy: int

    @property
    def difference(self) -> float | None:
        """NGO minus IZUS; None where no gmina has both."""
        if self.ngo is None or self.izus is None:
            return None
        return self.ngo - self.izus


GapView = dict[Level, dict[str, list[Gap]]]


def gap_view(definitions: IndicatorSet, results: IndicatorResults) -> GapView:
    """Per territory, every gap pair summed over the member gminy with both perspectives."""
    totals: dict[tuple[Level, str, int], list[float]] = {}
    for teryt, gmina in results.at(Level.GMINA).items():
        for index, pair in enumerate(definitions.gaps):
            ngo, izus = gmina.values.get(pair.ngo), gmina.values.get(pair.izus)
            if ngo is None or izus is None or ngo.value is None or izus.value is None:
                continue
            for level in LEVELS:
                total = totals.setdefault((level, level.of(teryt), index), [0.0, 0.0, 0])
                total[0] += ngo.value
                total[1] += izus.value
                total[2] += 1
    view: GapView = {}
    for level in LEVELS:
        for teryt in results.at(level):
            view.setdefault(level, {})[teryt] = [
                _gap(pair, totals.get((level, teryt, index)))
                for index, pair in enumerate(definitions.gaps)
            ]
    return view


def _gap(pair: GapPair, total: list[float] | None) -> Gap:
    if total is None:
        return Gap(pair, None, None, 0)
    return Gap(pair, total[0], total[1], int(total[2]))
