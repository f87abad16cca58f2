"""Snapshots: the values of a closed session, stored with the definitions that made them.

indicators.md: values are stored per session and territory with numerator,
denominator and the cards behind them; the baseline's snapshot never changes, and a
revised definition yields a new version beside it, never a rewrite.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from domain.indicators.compute import Coverage, IndicatorResults, TerritoryResult, Value
from domain.indicators.model import LEVELS, Level


class StoredValue(NamedTuple):
    """One stored value: a flat row of the snapshot (a tuple: there are ~150,000)."""

    level: str
    teryt: str
    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str | None
    cards: int


@dataclass
class IndicatorSnapshot:
    """A session's values under one definition version (values are read separately)."""

    session_id: int
    definition_version: str
    created_at: datetime
    definitions: dict[str, Any] = field(default_factory=dict)  # IndicatorSet.formulas()
    coverage: dict[str, list[int]] = field(default_factory=dict)  # teryt → 4 counts
    id: int | None = None


def stored_values(results: IndicatorResults) -> list[StoredValue]:
    """Every value of every territory at every level, as rows."""
    return [
        StoredValue(
            level.value, teryt, indicator, v.value, v.numerator, v.denominator, v.reason, v.cards
        )
        for level in LEVELS
        for teryt, territory in results.at(level).items()
        for indicator, v in territory.values.items()
    ]


def coverage_of(results: IndicatorResults) -> dict[str, list[int]]:
    """The coverage of every territory (TERYT codes of different levels never collide)."""
    return {
        teryt: [c.ngo_submitted, c.ngo_assigned, c.izus_submitted, c.izus_assigned]
        for level in LEVELS
        for teryt, territory in results.at(level).items()
        for c in (territory.coverage,)
    }


def restore(snapshot: IndicatorSnapshot, values: Iterable[StoredValue]) -> IndicatorResults:
    """Results as they were stored (the values read may cover only some levels)."""
    by_name = {level.value: level for level in LEVELS}
    levels: dict[Level, dict[str, TerritoryResult]] = {}
    territory: TerritoryResult | None = None
    for row in values:
        if territory is None or territory.teryt != row.teryt or territory.level != row.level:
            level = by_name[row.level]
            territories = levels.setdefault(level, {})
            territory = territories.get(row.teryt)
            if territory is None:
                counts = snapshot.coverage.get(row.teryt, [0, 0, 0, 0])
                territory = territories[row.teryt] = TerritoryResult(
                    row.teryt, level, Coverage(*counts)
                )
        territory.values[row.indicator] = Value(
            row.value, row.numerator, row.denominator, row.reason, row.cards
        )
    for level, territories in levels.items():
        levels[level] = dict(sorted(territories.items()))
    return IndicatorResults(snapshot.definition_version, levels)
