"""From answer rows to values: versions, skip logic, n/a reasons, roll-up, rounding."""

from __future__ import annotations

import pytest

from domain.cards.catalog import CardCatalog
from domain.indicators import (
    Coverage,
    IndicatorResults,
    Kind,
    Level,
    Plan,
    Value,
    builtin_indicators,
    change,
    compute,
    gap_view,
    present,
)

CATALOG = CardCatalog.builtin()
PLAN = Plan(builtin_indicators(CATALOG), CATALOG)
G1, G2 = "0663011", "0663022"


def results(
    cards: list[tuple[int, str, str]], rows: list[tuple[int, str, str | None]]
) -> IndicatorResults:
    """Every value for gminy G1 and G2 (one NGO and one IZUS assigned in each)."""
    coverage = {G1: Coverage(1, 1, 1, 1), G2: Coverage(1, 1, 1, 1)}
    return compute(PLAN, PLAN.gather(cards, rows), coverage)


def value(res: IndicatorResults, teryt: str, indicator: str) -> Value:
    level = Level.GMINA if len(teryt) == 7 else Level.POWIAT
    return res.at(level)[teryt].values[indicator]


def test_latest_version_wins_and_a_cleared_answer_counts_as_none() -> None:
    rows = [(1, "ngo.II.1.2", "0"), (1, "ngo.II.1.1", "2"), (1, "ngo.II.1.2", "3"),
            (1, "ngo.II.1.1", "null")]  # fmt: skip
    res = results([(1, G1, "ngo")], rows)
    assert value(res, G1, "N1.2") == Value(1, 1, None, None, 1)
    assert value(res, G1, "N1.1").value == 0  # cleared: not counted, but the card is


def test_set_aside_answers_do_not_count() -> None:
    # II.3.7 is asked only when II.3.1 > 0; the manager was removed after answering "tak".
    rows = [(1, "ngo.II.3.1", "1"), (1, "ngo.II.3.7", "true"), (1, "ngo.II.3.1", "0")]
    assert value(results([(1, G1, "ngo")], rows), G1, "N3.2").value == 0
    rows = [(1, "ngo.II.3.1", "1"), (1, "ngo.II.3.7", "true")]
    assert value(results([(1, G1, "ngo")], rows), G1, "N3.2").value == 1


def test_missing_inputs_give_reasons_never_zero() -> None:
    res = results([(1, G1, "ngo"), (2, G2, "izus")], [(2, "izus.II.0.1", "0")])
    assert value(res, G1, "Z1.1").reason == "brak złożonej Karty IZUS w gminie"
    assert value(res, G2, "N1.1").reason == "brak złożonych Kart NGO w gminie"
    assert value(res, G2, "Z1.1").reason == "brak odpowiedzi w Karcie IZUS: izus(izus.II.1.1)"
    assert value(res, G1, "EZ").reason == (
        "żadna Karta NGO nie zawiera odpowiedzi na pytanie opcjonalne ngo.II.7.1"
    )
    assert value(res, G1, "N1.1") == Value(0, 0, None, None, 1)  # a card with nothing loaded


def test_zero_denominators_are_left_out_of_the_roll_up() -> None:
    cards = [(1, G1, "ngo"), (2, G1, "izus"), (3, G2, "ngo"), (4, G2, "izus")]
    rows = [(1, "ngo.II.6.2", "true"), (2, "izus.II.0.1", "0"),
            (3, "ngo.II.6.2", "true"), (4, "izus.II.0.1", "4")]  # fmt: skip
    res = results(cards, rows)
    assert value(res, G1, "N6.3") == Value(None, 1, 0, "mianownik równy 0", 2)
    assert value(res, G2, "N6.3") == Value(25.0, 1, 4, None, 2)
    # The powiat: 1/4, not (1 + 1) / (0 + 4) and never the mean of 25% and n/a.
    assert value(res, "0663", "N6.3") == Value(25.0, 1, 4, None, 2)
    assert value(res, "0663", "N6.2") == Value(2, 2, None, None, 2)


def test_two_izus_cards_in_a_gmina_add_up() -> None:
    cards = [(1, G1, "izus"), (2, G1, "izus")]
    rows = [(1, "izus.II.1.1", "2"), (2, "izus.II.1.1", "3")]
    assert value(results(cards, rows), G1, "Z1.1") == Value(5, 5, None, None, 2)


def test_money_and_the_optional_block() -> None:
    cards = [(1, G1, "ngo"), (2, G1, "ngo")]
    rows = [(1, "ngo.II.3.5a", "30"), (1, "ngo.II.3.5b", "0"), (1, "ngo.II.7.2", '"1500.50"'),
            (2, "ngo.II.3.5b", "70")]  # fmt: skip
    ek = value(results(cards, rows), G1, "EK")
    assert ek == Value(pytest.approx(50.0167, abs=1e-4), 1500.5, 30, None, 1)


def test_gap_view_sums_gminy_with_both_perspectives() -> None:
    cards = [(1, G1, "ngo"), (2, G1, "izus"), (3, G2, "ngo")]
    rows = [(1, "ngo.II.1.4", "2"), (2, "izus.II.1.1", "5"), (3, "ngo.II.1.4", "1")]
    res = results(cards, rows)
    gaps = gap_view(PLAN.definitions, res)
    first = gaps[Level.GMINA][G1][0]
    assert (first.pair.ngo, first.ngo, first.izus, first.difference) == ("N1.5", 1, 5, -4)
    assert gaps[Level.GMINA][G2][0].difference is None  # no IZUS card in G2
    assert (gaps[Level.KRAJ]["PL"][0].ngo, gaps[Level.KRAJ]["PL"][0].gminy) == (1, 1)


@pytest.mark.parametrize(
    ("kind", "raw", "shown"),
    [(Kind.PERCENTAGE, 8.3333, 8.3), (Kind.RATIO, 6.66666, 6.67), (Kind.COUNT, 3.0, 3),
     (Kind.SUM, 1500.5, 1500.5), (Kind.PERCENTAGE, None, None)],
)  # fmt: skip
def test_rounding_per_kind(kind: Kind, raw: float | None, shown: float | None) -> None:
    assert present(kind, raw) == shown
    assert type(present(kind, raw)) is type(shown)


def test_change_needs_both_values() -> None:
    assert change(Value(6.9), Value(8.3)) == pytest.approx(-1.4)
    assert change(Value(None, reason="x"), Value(8.3)) is None
    assert change(Value(1), None) is None
