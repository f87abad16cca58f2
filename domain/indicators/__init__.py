"""Indicators of the Raport MP: definitions as data, computation, roll-up, baseline."""

from __future__ import annotations

from domain.indicators.compare import Gap, GapView, change, gap_view, number, present
from domain.indicators.compute import (
    Coverage,
    IndicatorResults,
    TerritoryResult,
    Value,
    compute,
)
from domain.indicators.inputs import AnswerRow, CardRow, GminaInputs, Plan
from domain.indicators.loader import builtin_indicators, load_indicators, parse_indicators
from domain.indicators.model import LEVELS, Indicator, IndicatorSet, Kind, Level
from domain.indicators.snapshot import (
    IndicatorSnapshot,
    StoredValue,
    coverage_of,
    restore,
    stored_values,
)

__all__ = [
    "LEVELS",
    "AnswerRow",
    "CardRow",
    "Coverage",
    "Gap",
    "GapView",
    "GminaInputs",
    "Indicator",
    "IndicatorResults",
    "IndicatorSet",
    "IndicatorSnapshot",
    "Kind",
    "Level",
    "Plan",
    "StoredValue",
    "TerritoryResult",
    "Value",
    "builtin_indicators",
    "change",
    "compute",
    "coverage_of",
    "gap_view",
    "load_indicators",
    "number",
    "parse_indicators",
    "present",
    "restore",
    "stored_values",
]
