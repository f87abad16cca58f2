"""Consistency checks of cards.md: each fires when it should and only then."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.cards.catalog import CardCatalog
from domain.cards.checks import (
    JUMP_CHECK,
    ConsistencyWarning,
    Warning,
    evaluate_checks,
    format_value,
    render,
)
from domain.cards.conditions import AnswerValue
from domain.cards.loader import parse_card
from domain.cards.model import CardDefinition

NGOS_WITHIN_TOTAL = [
    "II.1.1", "II.1.2", "II.1.3", "II.1.4", "II.2.1", "II.2.2", "II.2.3", "II.2.4",
    "II.3.1", "II.3.2", "II.3.3", "II.3.4", "II.3.5a", "II.3.5b", "II.3.8", "II.4.1",
    "II.6.1", "II.6.2",
]  # fmt: skip


@pytest.fixture(scope="module")
def ngo() -> CardDefinition:
    return CardCatalog.builtin().get("ngo")


@pytest.fixture(scope="module")
def izus() -> CardDefinition:
    return CardCatalog.builtin().get("izus")


def izus_answers(**codes: AnswerValue) -> dict[str, AnswerValue]:
    """A consistent IZUS card, with some codes (II_3_5a style) overridden."""
    answers: dict[str, AnswerValue] = {f"izus.{code}": 2 for code in NGOS_WITHIN_TOTAL}
    base = {"II.0.1": 10, "II.0.2": 20, "II.0.3": 500, "II.0.4": 300, "II.0.5": 5,
            "II.3.1": 4, "II.3.3": 2, "II.3.4": 1, "II.3.5a": 3, "II.3.6": 100,
            "II.3.7": 50, "II.3.8": 5, "II.4.2": 40, "II.5.1": 30}  # fmt: skip
    answers |= {f"izus.{code}": value for code, value in base.items()}
    answers |= {f"izus.{code.replace('_', '.')}": value for code, value in codes.items()}
    return answers


def ngo_answers(**codes: AnswerValue) -> dict[str, AnswerValue]:
    """A consistent NGO card (as far as the checks look), with overrides."""
    answers: dict[str, AnswerValue] = {
        "ngo.I.4": ("inst",),
        "ngo.I.7": ("menager_us", "researcher_lp"),
        "ngo.II.1.1": 1,
        "ngo.II.3.1": 1,
        "ngo.II.3.3a": 1,
        "ngo.II.3.5a": 10,
    }
    answers |= {f"ngo.{code.replace('_', '.')}": value for code, value in codes.items()}
    return answers


def fired(card: CardDefinition, answers: dict[str, AnswerValue]) -> set[str]:
    return {w.check for w in evaluate_checks(card, answers)}


def test_izus_has_one_total_check_per_ngo_count(izus: CardDefinition) -> None:
    ids = {c.id for c in izus.checks}
    assert {f"ngos_{code.replace('.', '_')}_within_total" for code in NGOS_WITHIN_TOTAL} <= ids
    assert len(ids) == len(NGOS_WITHIN_TOTAL) + 4
    rules = {c.rule for c in izus.checks}
    assert {f"{code} <= II.0.1" for code in NGOS_WITHIN_TOTAL} <= rules


def test_consistent_cards_raise_nothing(ngo: CardDefinition, izus: CardDefinition) -> None:
    assert evaluate_checks(izus, izus_answers()) == []
    assert evaluate_checks(ngo, ngo_answers()) == []


@pytest.mark.parametrize("code", NGOS_WITHIN_TOTAL)
def test_ngo_counts_within_total(izus: CardDefinition, code: str) -> None:
    check = f"ngos_{code.replace('.', '_')}_within_total"
    key = code.replace(".", "_")
    # II.3.8 raised too, so that II.3.1 <= II.3.8 stays true when II.3.1 grows
    assert check in fired(izus, izus_answers(**{"II_3_8": 20, key: 11}))
    assert check not in fired(izus, izus_answers(**{"II_3_8": 20, key: 10}))  # equal is fine


@pytest.mark.parametrize(
    ("overrides", "check", "fires"),
    [
        ({"II_3_3": 3, "II_3_4": 2}, "contract_outcomes_within_contracts", True),  # 5 > 4
        ({"II_3_3": 3, "II_3_4": 1}, "contract_outcomes_within_contracts", False),  # 4 = 4
        ({"II_3_1": 6, "II_3_8": 5}, "contracts_within_applicants", True),
        ({"II_3_1": 5, "II_3_8": 5}, "contracts_within_applicants", False),
        ({"II_3_1": 6, "II_3_8": 0}, "contracts_within_applicants", False),  # no applicants known
        ({"II_3_5a": 6}, "institutional_within_providers", True),
        ({"II_3_5a": 5}, "institutional_within_providers", False),
        ({"II_3_6": 301}, "people_served_within_supported", True),
        ({"II_3_6": 300}, "people_served_within_supported", False),
        ({"II_3_7": 5000}, "people_served_within_supported", False),  # II.3.7 is not checked
    ],
)
def test_izus_relations(
    izus: CardDefinition, overrides: dict[str, AnswerValue], check: str, fires: bool
) -> None:
    assert (check in fired(izus, izus_answers(**overrides))) is fires


def test_people_counts_are_not_held_to_the_ngo_total(izus: CardDefinition) -> None:
    answers = izus_answers(II_3_6=200, II_3_7=250)  # both far above II.0.1 = 10
    assert fired(izus, answers) == set()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"I_4": ("noninst",), "II_3_3a": 2}, {"no_inst_form_facilities", "no_inst_form_people"}),
        ({"I_4": ("noninst",), "II_3_3a": 0}, {"no_inst_form_people"}),
        ({"I_4": ("noninst",), "II_3_3a": 0, "II_3_5a": 0}, set()),
        ({"I_4": ("inst", "noninst"), "II_3_3a": 2}, set()),
        ({"I_7": ("menager_us",), "II_1_1": 0}, set()),
        ({"I_7": ("menager_us",)}, {"researcher_people_not_listed"}),
        ({"I_7": ("menager_us", "researcher_lp"), "II_1_1": 0},
         {"researcher_listed_without_people"}),
        ({"I_7": ("researcher_lp",)}, {"menager_people_not_listed"}),
        ({"I_7": ("menager_us", "researcher_lp"), "II_3_1": 0}, {"menager_listed_without_people"}),
        ({"I_7": ("brak",), "II_1_1": 0, "II_3_1": 0}, set()),
        ({"I_7": ("brak",)}, {"researcher_people_not_listed", "menager_people_not_listed"}),
    ],
)  # fmt: skip
def test_ngo_checks(
    ngo: CardDefinition, overrides: dict[str, AnswerValue], expected: set[str]
) -> None:
    assert fired(ngo, ngo_answers(**overrides)) == expected


def test_unknown_rules_raise_nothing(ngo: CardDefinition, izus: CardDefinition) -> None:
    assert evaluate_checks(ngo, {"ngo.I.4": ("noninst",)}) == []  # II.3.3a, II.3.5a unanswered
    assert evaluate_checks(ngo, {"ngo.II.3.3a": 4}) == []  # I.4 unanswered: `when` unknown
    assert evaluate_checks(izus, {"izus.II.1.1": 50}) == []  # II.0.1 unanswered


def test_message_names_the_values_and_asks(ngo: CardDefinition, izus: CardDefinition) -> None:
    [warning] = evaluate_checks(izus, izus_answers(II_3_5a=7))
    assert warning == ConsistencyWarning(
        check="institutional_within_providers",
        about=("II.3.5a", "II.0.5"),
        message_pl=(
            "Liczba organizacji świadczących usługi zinstytucjonalizowane (II.3.5a: 7) jest "
            "większa niż liczba wszystkich realizatorów usług zinstytucjonalizowanych w gminie "
            "(II.0.5: 5). Czy to się zgadza?"
        ),
        message_en=(
            "The number of organisations providing institutional services (II.3.5a: 7) is "
            "larger than the number of all institutional providers in the gmina (II.0.5: 5). "
            "Is that right?"
        ),
    )
    [warning] = evaluate_checks(ngo, ngo_answers(I_7=("brak",), II_3_1=0, II_1_1=3))
    assert "wynosi 3" in warning.message("pl")
    assert "wskazano: brak" in warning.message("pl")
    assert "it lists: none" in warning.message("en")


def test_every_message_ends_with_a_question(ngo: CardDefinition, izus: CardDefinition) -> None:
    for check in (*ngo.checks, *izus.checks):
        assert check.message_pl.endswith("Czy to się zgadza?"), check.id
        assert check.message_en.endswith("Is that right?"), check.id


SMALL_CARD = """
card: ngo
version: "t"
title_pl: T
title_en: T
sections: [{id: I, part: I, title_pl: T, title_en: T}]
questions:
  - {id: ngo.I.1, type: yesno, required: true, section: I,
     label_pl: a, label_en: a, hint_pl: np. tak, hint_en: e.g. yes}
  - {id: ngo.I.2, type: int, required: true, section: I, condition: I.1 = true,
     label_pl: b, label_en: b, hint_pl: np. 1, hint_en: e.g. 1}
checks:
  - {id: small, rule: I.2 <= 5, about: [I.2],
     message_pl: "I.2 = {I.2}. Czy to się zgadza?", message_en: "I.2 = {I.2}. Is that right?"}
"""


def test_set_aside_answers_are_not_checked() -> None:
    card = parse_card(SMALL_CARD, "small.yaml")
    assert fired(card, {"ngo.I.1": True, "ngo.I.2": 9}) == {"small"}
    assert fired(card, {"ngo.I.1": False, "ngo.I.2": 9}) == set()  # I.2 set aside
    jumps = evaluate_checks(card, {"ngo.I.1": False, "ngo.I.2": 900}, {"ngo.I.2": 1})
    assert jumps == []


@pytest.mark.parametrize(
    ("before", "now", "fires"),
    [
        (5, 60, True),  # > 50 and 55 above
        (5, 50, False),  # exactly ten times is not "more than"
        (2, 30, False),  # more than ten times but only 28 above
        (0, 50, True),
        (0, 49, False),
        (100, 1001, True),
        (100, 1000, False),
        (60, 5, False),  # a drop is not a jump
    ],
)
def test_tenfold_jump_since_previous_session(
    ngo: CardDefinition, before: int, now: int, fires: bool
) -> None:
    warnings = evaluate_checks(ngo, ngo_answers(II_1_2=now), {"ngo.II.1.2": before})
    jumps = [w for w in warnings if w.check == JUMP_CHECK]
    assert bool(jumps) is fires
    if fires:
        assert jumps[0].about == ("II.1.2",)
        assert f"podano {now}, a w poprzedniej sesji {before}" in jumps[0].message_pl
        assert jumps[0].message_pl.endswith("Czy to się zgadza?")
        assert jumps[0].message_en.endswith("Is that right?")


def test_jump_rule_ignores_non_counts_and_missing_values(ngo: CardDefinition) -> None:
    answers = ngo_answers(II_7_2=Decimal(90000), II_3_8=True, II_1_2=5)
    previous: dict[str, AnswerValue] = {
        "ngo.II.7.2": Decimal(1),
        "ngo.II.3.8": False,
        "ngo.II.3.4": 0,
        "ngo.II.1.2": 5,
    }
    assert evaluate_checks(ngo, answers, previous) == []
    assert evaluate_checks(ngo, ngo_answers(II_1_2=500)) == []  # no previous session


def test_warning_alias() -> None:
    assert Warning is ConsistencyWarning


@pytest.mark.parametrize(
    ("code", "value", "pl", "en"),
    [
        ("II.1.1", 3, "3", "3"),
        ("II.7.2", Decimal("12500.5"), "12500,50", "12500.50"),
        ("II.3.8", True, "tak", "yes"),
        ("II.3.8", False, "nie", "no"),
        ("III.3", date(2026, 3, 14), "14.03.2026", "2026-03-14"),
        ("I.4", ("inst", "noninst"), "zinstytucjonalizowana, niezinstytucjonalizowana",
         "institutional, non-institutional"),
        ("I.2", "fundacja", "fundacja", "foundation"),
        ("I.5", "Klub Seniora", "Klub Seniora", "Klub Seniora"),
        ("II.1.1", None, "—", "—"),
        ("I.4", (), "—", "—"),
    ],
)  # fmt: skip
def test_format_value(
    ngo: CardDefinition, code: str, value: AnswerValue | None, pl: str, en: str
) -> None:
    assert format_value(ngo, code, value, "pl") == pl
    assert format_value(ngo, code, value, "en") == en


def test_render_leaves_other_braces(ngo: CardDefinition) -> None:
    text = render(ngo, "{II.1.1} / {x} / {II.1.2}", {"ngo.II.1.1": 4}, "pl")
    assert text == "4 / {x} / —"
