"""Every indicator at every level against values computed by hand (indicators_fixture.py).

The tables below were worked out on paper from the cards in the fixture; the code
under test never produced them. Columns: gminy A, B, C, D; powiaty 0663, 0617, 1465;
województwa 06, 14; kraj. An n/a cell names its reason.
"""

from __future__ import annotations

from typing import Any

from domain.indicators import Level
from kartomat.bootstrap import App
from services.indicators import indicator_json
from tests.service.indicators_fixture import FIRST, SECOND, build_country

COLUMNS = (
    ("0663011", Level.GMINA), ("0617011", Level.GMINA), ("0617032", Level.GMINA),
    ("1465011", Level.GMINA), ("0663", Level.POWIAT), ("0617", Level.POWIAT),
    ("1465", Level.POWIAT), ("06", Level.WOJEWODZTWO), ("14", Level.WOJEWODZTWO),
    ("PL", Level.KRAJ),
)  # fmt: skip

NGO = "brak złożonych Kart NGO w gminie"
IZ = "brak złożonej Karty IZUS w gminie"
ZERO = "mianownik równy 0"
OPT1 = "żadna Karta NGO nie zawiera odpowiedzi na pytanie opcjonalne ngo.II.7.1"
OPT2 = "żadna Karta NGO nie zawiera odpowiedzi na pytanie opcjonalne ngo.II.7.2"
NONE = "wartość nieokreślona w żadnej gminie obszaru"  # roll-up where no gmina has a value

# The first session (the baseline). Percentages to 0.1, ratios to 0.01.
FIRST_VALUES: dict[str, tuple[Any, ...]] = {
    #         A      B      C      D      P0663  P0617  P1465  W06    W14    PL
    "N1.1":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N1.2":  (2,     0,     NGO,   0,     2,     0,     0,     2,     0,     2),
    "N1.3":  (10.0,  IZ,    NGO,   0.0,   10.0,  NONE,  0.0,   10.0,  0.0,   8.3),
    "N1.4":  (2,     1,     NGO,   0,     2,     1,     0,     3,     0,     3),
    "N1.5":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N2.1":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N2.2":  (1,     0,     NGO,   0,     1,     0,     0,     1,     0,     1),
    "N2.3":  (15.0,  IZ,    NGO,   0.0,   15.0,  NONE,  0.0,   15.0,  0.0,   12.5),
    "N3.1":  (2,     1,     NGO,   0,     2,     1,     0,     3,     0,     3),
    "N3.2":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N3.3":  (2,     0,     NGO,   0,     2,     0,     0,     2,     0,     2),
    "N3.4":  (10.0,  IZ,    NGO,   0.0,   10.0,  NONE,  0.0,   10.0,  0.0,   8.3),
    "N3.5":  (5.0,   IZ,    NGO,   0.0,   5.0,   NONE,  0.0,   5.0,   0.0,   4.3),
    "N3.6":  (24.0,  IZ,    NGO,   0.0,   24.0,  NONE,  0.0,   24.0,  0.0,   21.8),
    "N3.7":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N3.8":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N3.9":  (50.0,  50.0,  NGO,   ZERO,  50.0,  50.0,  NONE,  50.0,  NONE,  50.0),
    "N3.10": (10.0,  IZ,    NGO,   ZERO,  10.0,  NONE,  NONE,  10.0,  NONE,  10.0),
    "N3.11": (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N4.1":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N4.2":  (3,     3,     NGO,   0,     3,     3,     0,     6,     0,     6),
    "N4.3":  (1,     0,     NGO,   0,     1,     0,     0,     1,     0,     1),
    "N5.1":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N5.2":  (3,     0,     NGO,   0,     3,     0,     0,     3,     0,     3),
    "N6.1":  (1,     1,     NGO,   0,     1,     1,     0,     2,     0,     2),
    "N6.2":  (2,     1,     NGO,   0,     2,     1,     0,     3,     0,     3),
    "N6.3":  (10.0,  IZ,    NGO,   0.0,   10.0,  NONE,  0.0,   10.0,  0.0,   8.3),
    "Z1.1":  (2,     IZ,    0,     1,     2,     0,     1,     2,     1,     3),
    "Z1.2":  (2,     IZ,    1,     0,     2,     1,     0,     3,     0,     3),
    "Z1.3":  (1,     IZ,    0,     0,     1,     0,     0,     1,     0,     1),
    "Z1.4":  (2,     IZ,    0,     0,     2,     0,     0,     2,     0,     2),
    "Z2.1":  (1,     IZ,    0,     0,     1,     0,     0,     1,     0,     1),
    "Z2.2":  (3,     IZ,    1,     0,     3,     1,     0,     4,     0,     4),
    "Z2.3":  (0,     IZ,    0,     0,     0,     0,     0,     0,     0,     0),
    "Z2.4":  (1,     IZ,    0,     0,     1,     0,     0,     1,     0,     1),
    "Z3.1":  (8,     IZ,    0,     3,     8,     0,     3,     8,     3,     11),
    "Z3.2":  (50.0,  IZ,    ZERO,  66.7,  50.0,  NONE,  66.7,  50.0,  66.7,  54.5),
    "Z3.3":  (5,     IZ,    1,     0,     5,     1,     0,     6,     0,     6),
    "Z3.4":  (3,     IZ,    0,     1,     3,     0,     1,     3,     1,     4),
    "Z3.5":  (25.0,  IZ,    ZERO,  0.0,   25.0,  NONE,  0.0,   25.0,  0.0,   16.7),
    "Z3.6":  (15.0,  IZ,    3.3,   10.0,  15.0,  3.3,   10.0,  12.3,  10.0,  12.2),
    "Z3.7":  (2,     IZ,    1,     0,     2,     1,     0,     3,     0,     3),
    "Z3.8":  (20.0,  IZ,    50.0,  ZERO,  20.0,  50.0,  NONE,  25.0,  NONE,  25.0),
    "Z3.9":  (3,     IZ,    0,     1,     3,     0,     1,     3,     1,     4),
    "Z4.1":  (0,     IZ,    0,     0,     0,     0,     0,     0,     0,     0),
    "Z4.2":  (4,     IZ,    0,     2,     4,     0,     2,     4,     2,     6),
    "Z5.1":  (2,     IZ,    0,     1,     2,     0,     1,     2,     1,     3),
    "Z6.1":  (6,     IZ,    0,     2,     6,     0,     2,     6,     2,     8),
    "Z6.2":  (30.0,  IZ,    0.0,   50.0,  30.0,  0.0,   50.0,  24.0,  50.0,  27.6),
    "EZ":    (8.0,   OPT1,  NGO,   0.0,   8.0,   NONE,  0.0,   8.0,   0.0,   6.67),
    "EK":    (500.0, OPT2,  NGO,   ZERO,  500.0, NONE,  NONE,  500.0, NONE,  500.0),
}  # fmt: skip

# The second session differs in N1.1 (A2 gained a Researcher LP) and in every
# value over izus(II.0.1) of gmina A (20 → 25 NGOs).
SECOND_CHANGED: dict[str, tuple[Any, ...]] = {
    #         A      B      C      D      P0663  P0617  P1465  W06    W14    PL
    "N1.1":  (2,     1,     NGO,   0,     2,     1,     0,     3,     0,     3),
    "N1.3":  (8.0,   IZ,    NGO,   0.0,   8.0,   NONE,  0.0,   8.0,   0.0,   6.9),
    "N2.3":  (12.0,  IZ,    NGO,   0.0,   12.0,  NONE,  0.0,   12.0,  0.0,   10.3),
    "N3.4":  (8.0,   IZ,    NGO,   0.0,   8.0,   NONE,  0.0,   8.0,   0.0,   6.9),
    "N6.3":  (8.0,   IZ,    NGO,   0.0,   8.0,   NONE,  0.0,   8.0,   0.0,   6.9),
    "Z6.2":  (24.0,  IZ,    0.0,   50.0,  24.0,  0.0,   50.0,  20.0,  50.0,  23.5),
}  # fmt: skip
# Changes against the baseline, from unrounded values (percentage points).
SECOND_CHANGES: dict[str, tuple[Any, ...]] = {
    "N1.1":  (1,     0,     None,  0,     1,     0,     0,     1,     0,     1),
    "N1.3":  (-2.0,  None,  None,  0.0,   -2.0,  None,  0.0,   -2.0,  0.0,   -1.4),
    "N2.3":  (-3.0,  None,  None,  0.0,   -3.0,  None,  0.0,   -3.0,  0.0,   -2.2),
    "N3.4":  (-2.0,  None,  None,  0.0,   -2.0,  None,  0.0,   -2.0,  0.0,   -1.4),
    "N6.3":  (-2.0,  None,  None,  0.0,   -2.0,  None,  0.0,   -2.0,  0.0,   -1.4),
    "Z6.2":  (-6.0,  None,  0.0,   0.0,   -6.0,  0.0,   0.0,   -4.0,  0.0,   -4.1),
}  # fmt: skip

COVERAGE = {
    "0663011": (4, 5, 1, 1), "0617011": (4, 4, 0, 1), "0617032": (0, 2, 1, 1),
    "1465011": (1, 1, 1, 1), "0663": (4, 5, 1, 1), "0617": (4, 6, 1, 2), "1465": (1, 1, 1, 1),
    "06": (8, 11, 2, 3), "14": (1, 1, 1, 1), "PL": (9, 12, 3, 4),
}  # fmt: skip


def shown(app: App, session: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every value as the CLI shows it, by (teryt, indicator)."""
    data = app.indicators.load(session)
    result = {}
    for teryt, level in COLUMNS:
        territory = data.current.at(level)[teryt]
        for indicator in data.definitions.indicators:
            baseline = data.baseline_value(level, teryt, indicator.id)
            current = territory.values[indicator.id]
            result[teryt, indicator.id] = indicator_json(indicator, current, baseline)
    return result


def check(cell: dict[str, Any], expected: Any, where: str) -> None:
    if isinstance(expected, str):
        assert cell["status"] == "na" and cell["value"] is None, where
        assert cell["reason"] is not None and cell["reason"].startswith(expected), where
    else:
        assert cell["status"] == "ok" and cell["reason"] is None, where
        assert cell["value"] == expected and type(cell["value"]) is type(expected), where


def test_the_baseline_at_every_level(app: App) -> None:
    build_country(app, second=False)
    cells = shown(app, FIRST)
    assert set(FIRST_VALUES) == {i.id for i in app.indicators.definitions.indicators}
    for indicator, row in FIRST_VALUES.items():
        for (teryt, _level), expected in zip(COLUMNS, row, strict=True):
            where = f"{indicator} @ {teryt}"
            cell = cells[teryt, indicator]
            check(cell, expected, where)
            assert cell["baseline"] == cell["value"], where  # it is the baseline
            assert cell["change"] == (None if cell["value"] is None else 0), where
    check_numerators_and_reasons(cells)
    check_coverage_and_names(app)
    check_one_level_at_a_time(app)


def check_numerators_and_reasons(cells: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert cells["0663011", "N1.3"] == {
        "value": 10.0, "numerator": 2, "denominator": 20, "baseline": 10.0, "change": 0.0,
        "status": "ok", "reason": None,
    }  # fmt: skip
    expected = {
        ("PL", "N1.3"): (2, 24), ("PL", "EZ"): (120, 18), ("0663011", "EK"): (50000, 100),
        ("0663011", "N1.1"): (1, None), ("1465011", "N3.9"): (0, 0),
        ("0617011", "N1.3"): (1, None),  # n/a still shows what is known
    }  # fmt: skip
    fractions = {key: (cells[key]["numerator"], cells[key]["denominator"]) for key in expected}
    assert fractions == expected
    # Powiat 0617: one gmina lacks its IZUS card, the other any NGO card.
    reason = cells["0617", "N1.3"]["reason"]
    assert reason.startswith(NONE) and (IZ in reason or NGO in reason)
    assert cells["1465", "N3.10"]["reason"] == f"{NONE} (najczęściej: {ZERO})"


def check_coverage_and_names(app: App) -> None:
    data = app.indicators.load(FIRST)
    for teryt, level in COLUMNS:
        c = data.current.at(level)[teryt].coverage
        got = (c.ngo_submitted, c.ngo_assigned, c.izus_submitted, c.izus_assigned)
        assert got == COVERAGE[teryt], teryt
    assert data.name("0617032") == "Mełgiew" and data.name("0617") == "powiat świdnicki"
    assert data.name("14") == "mazowieckie" and data.name("PL") == "Polska"


def check_one_level_at_a_time(app: App) -> None:
    for level in Level:
        data = app.indicators.load(FIRST, (level,))
        assert set(data.current.levels) == {level}
        assert {t for t, lv in COLUMNS if lv is level} == set(data.current.at(level))
        for territory in data.current.at(level).values():
            assert len(territory.values) == len(FIRST_VALUES)


def test_second_session_against_the_frozen_baseline(app: App) -> None:
    build_country(app)
    check_second(shown(app, SECOND))  # computed live: the session is open
    app.sessions.close(SECOND)
    with app.uow() as uow:
        first = uow.sessions.get_by_name(FIRST)
        second = uow.sessions.get_by_name(SECOND)
        assert first and second and first.is_baseline and not second.is_baseline
        snapshots = uow.indicators.snapshots(first.id or 0)
        assert [s.definition_version for s in snapshots] == ["2026.1"]
        values = uow.indicators.snapshot_values(snapshots[0].id or 0, "kraj")
        assert len(values) == len(FIRST_VALUES)
        assert len(uow.indicators.snapshots(second.id or 0)) == 1
    check_second(shown(app, SECOND))  # read back from the snapshot taken at closing


def check_second(cells: dict[tuple[str, str], dict[str, Any]]) -> None:
    for indicator, row in FIRST_VALUES.items():
        now = SECOND_CHANGED.get(indicator, row)
        changes = SECOND_CHANGES.get(indicator)
        for n, (teryt, _level) in enumerate(COLUMNS):
            where = f"{indicator} @ {teryt}"
            cell = cells[teryt, indicator]
            check(cell, now[n], where)
            baseline = None if isinstance(row[n], str) else row[n]
            assert cell["baseline"] == baseline, where
            if changes is not None:
                assert cell["change"] == changes[n], where
            else:
                assert cell["change"] == (None if baseline is None else 0), where
