"""Indicators of a session: computed live, or read from the snapshot taken at closing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.entities import MonitoringSession, SessionState
from domain.errors import NotAllowed, UserError
from domain.indicators import (
    LEVELS,
    Coverage,
    Indicator,
    IndicatorResults,
    IndicatorSet,
    IndicatorSnapshot,
    Level,
    Plan,
    Value,
    change,
    compute,
    coverage_of,
    number,
    present,
    restore,
    stored_values,
)
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.sessions import find_session

COUNTRY = "PL"
Levels = tuple[Level, ...]


@dataclass
class SessionIndicators:
    """A session's values beside the baseline's, with everything needed to show them."""

    session: MonitoringSession
    definitions: IndicatorSet
    current: IndicatorResults
    baseline_session: MonitoringSession | None
    baseline: IndicatorResults | None
    baseline_formulas: dict[str, Any] | None  # None: the baseline has no snapshot yet
    names: dict[str, str]

    def name(self, teryt: str) -> str:
        """The territory's name from the registry (its code when unknown)."""
        return self.names.get(teryt) or ("Polska" if teryt == COUNTRY else teryt)

    def baseline_value(self, level: Level, teryt: str, indicator: str) -> Value | None:
        """The baseline's stored value for the same territory and indicator, if any."""
        if self.baseline is None:
            return None
        territory = self.baseline.at(level).get(teryt)
        return territory.values.get(indicator) if territory else None

    @cached_property
    def revised(self) -> list[str]:
        """Indicators whose formula differs from the one the baseline was computed with."""
        if self.baseline_formulas is None:
            return []
        now = self.definitions.formulas()
        return [i for i in now if self.baseline_formulas.get(i) != now[i]]


def indicator_json(indicator: Indicator, current: Value, baseline: Value | None) -> dict[str, Any]:
    """One value as the CLI and the exports show it (rounded per kind, change vs baseline)."""
    kind = indicator.kind
    return {
        "value": present(kind, current.value),
        "numerator": number(current.numerator),
        "denominator": number(current.denominator),
        "baseline": present(kind, baseline.value) if baseline is not None else None,
        "change": present(kind, change(current, baseline)),
        "status": "ok" if current.ok else "na",
        "reason": current.reason,
    }


def coverage_json(coverage: Coverage) -> dict[str, dict[str, int]]:
    """Cards submitted / assigned per card type."""
    return {
        "ngo": {"submitted": coverage.ngo_submitted, "assigned": coverage.ngo_assigned},
        "izus": {"submitted": coverage.izus_submitted, "assigned": coverage.izus_assigned},
    }


class IndicatorService:
    """Computes, stores and reads the indicators of monitoring sessions."""

    def __init__(
        self, uow: UnitOfWorkFactory, catalog: CardCatalog, definitions: IndicatorSet, clock: Clock
    ) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.definitions = definitions
        self._plan: tuple[IndicatorSet, Plan] | None = None

    @property
    def plan(self) -> Plan:
        """The compiled terms of the definitions in use (recompiled if they are replaced)."""
        if self._plan is None or self._plan[0] is not self.definitions:
            self._plan = (self.definitions, Plan(self.definitions, self.catalog))
        return self._plan[1]

    def load(
        self, name: str, levels: tuple[Level, ...] = LEVELS, prefix: str = ""
    ) -> SessionIndicators:
        """The session's values at these levels, beside the baseline's.

        A TERYT `prefix` only spares reading stored values of other territories; callers
        still filter what they show.
        """
        prefix = "" if prefix == COUNTRY else prefix
        with self.uow() as uow:
            session = find_session(uow, name)
            current = self._current(uow, session, levels, prefix)
            baseline_session = uow.sessions.baseline()
            baseline, formulas = None, None
            if baseline_session is not None:
                baseline, formulas = self._frozen(uow, baseline_session, levels, prefix)
            names = {t.teryt: t.name for t in uow.territories.all()}
        return SessionIndicators(
            session, self.definitions, current, baseline_session, baseline, formulas, names
        )

    def live(self, uow: UnitOfWork, session: MonitoringSession) -> IndicatorResults:
        """Every value computed now from the session's submitted cards."""
        plan = self.plan
        with collector_paused():
            cards = uow.indicators.submitted_cards(session.id or 0)
            answers = uow.indicators.submitted_answers(session.id or 0, plan.question_ids)
            inputs = plan.gather(cards, answers)
            coverage: dict[str, Coverage] = {}
            for teryt, card, assigned, submitted in uow.indicators.coverage(session.id or 0):
                counts = (
                    (submitted, assigned, 0, 0) if card == "ngo" else (0, 0, submitted, assigned)
                )
                coverage[teryt] = coverage.get(teryt, Coverage()) + Coverage(*counts)
            return compute(plan, inputs, coverage)

    def store_snapshot(self, uow: UnitOfWork, session: MonitoringSession) -> bool:
        """Store the session's values under the current definition version (False: stored).

        Runs inside the caller's unit of work (closing a session), which commits.
        """
        existing = uow.indicators.snapshots(session.id or 0)
        if any(s.definition_version == self.definitions.version for s in existing):
            return False
        if session.is_baseline and existing:
            raise NotAllowed(
                f"Sesja „{session.name}” jest sesją bazową: jej wskaźniki są zamrożone "
                f"(wersja definicji {existing[0].definition_version}) i nie są przeliczane.",
                "The baseline's indicator values are frozen.",
            )
        results = self.live(uow, session)
        snapshot = IndicatorSnapshot(
            session_id=session.id or 0,
            definition_version=self.definitions.version,
            created_at=self.clock.now(),
            definitions=self.definitions.formulas(),
            coverage=coverage_of(results),
        )
        uow.indicators.add_snapshot(snapshot, stored_values(results))
        return True

    def snapshot(self, name: str) -> bool:
        """Snapshot a closed session under the current definitions, beside older versions."""
        with self.uow() as uow:
            session = find_session(uow, name)
            if session.state != SessionState.CLOSED:
                raise UserError(
                    f"Sesja „{name}” nie jest zamknięta – wskaźniki zapisuje się przy zamknięciu.",
                    f"Session '{name}' is not closed.",
                )
            stored = self.store_snapshot(uow, session)
            uow.commit()
            return stored

    def _current(
        self, uow: UnitOfWork, session: MonitoringSession, levels: Levels, prefix: str
    ) -> IndicatorResults:
        """Closed sessions are read from their snapshot of this definition version."""
        if session.state == SessionState.CLOSED:
            for snapshot in uow.indicators.snapshots(session.id or 0):
                if snapshot.definition_version == self.definitions.version:
                    return self._restore(uow, snapshot, levels, prefix)
            if session.is_baseline:
                return self._frozen(uow, session, levels, prefix)[0]
        return _only(self.live(uow, session), levels)

    def _frozen(
        self, uow: UnitOfWork, session: MonitoringSession, levels: Levels, prefix: str
    ) -> tuple[IndicatorResults, dict[str, Any] | None]:
        """The baseline as first stored: its values never change, whatever the definitions."""
        snapshots = uow.indicators.snapshots(session.id or 0)
        if not snapshots:
            # Closed before snapshots existed: its answers are frozen, so computing
            # now gives its values under the current definitions (the report says so).
            return _only(self.live(uow, session), levels), None
        return self._restore(uow, snapshots[0], levels, prefix), snapshots[0].definitions

    def _restore(
        self, uow: UnitOfWork, snapshot: IndicatorSnapshot, levels: Levels, prefix: str
    ) -> IndicatorResults:
        values = []
        for level in levels:
            values += uow.indicators.snapshot_values(snapshot.id or 0, level.value, prefix)
        return restore(snapshot, values)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a bulk computation.

    A national computation allocates a million short-lived tuples and dicts, none of
    them in reference cycles; the collector would rescan them every few thousand
    allocations (~20 % of the run). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _only(results: IndicatorResults, levels: tuple[Level, ...]) -> IndicatorResults:
    return IndicatorResults(results.version, {lv: results.at(lv) for lv in levels})


def territories_json(
    data: SessionIndicators, level: Level, prefix: str = ""
) -> list[dict[str, Any]]:
    """Territories of a level within a TERYT prefix, as `kartomat indicators --json` has them."""
    rows = []
    for teryt, territory in data.current.at(level).items():
        if prefix not in ("", COUNTRY) and not teryt.startswith(prefix):
            continue
        rows.append(
            {
                "teryt": teryt,
                "name": data.name(teryt),
                "coverage": coverage_json(territory.coverage),
                "indicators": {
                    i.id: indicator_json(
                        i, territory.values[i.id], data.baseline_value(level, teryt, i.id)
                    )
                    for i in data.definitions.indicators
                },
            }
        )
    return rows
