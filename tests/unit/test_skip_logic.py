"""Skip logic: which questions are asked, which answers count, when a card is complete."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.cards.catalog import CardCatalog
from domain.cards.conditions import AnswerValue
from domain.cards.model import CardDefinition, Question
from domain.cards.skip import (
    applicable_questions,
    effective_answers,
    is_complete,
    missing_required,
)


@pytest.fixture(scope="module")
def ngo() -> CardDefinition:
    return CardCatalog.builtin().get("ngo")


@pytest.fixture(scope="module")
def izus() -> CardDefinition:
    return CardCatalog.builtin().get("izus")


def codes(questions: list[Question]) -> list[str]:
    return [q.code for q in questions]


def full_ngo(card: CardDefinition) -> dict[str, AnswerValue]:
    """Every asked NGO question answered, with institutional form and Menager US."""
    samples: dict[str, AnswerValue] = {
        "int": 1, "text": "x", "yesno": True, "phone": "+48601234567",
        "email": "a@b.pl", "money": Decimal(0), "date": date(2026, 1, 1),
    }  # fmt: skip
    answers = {q.id: samples.get(q.type.value) for q in card.asked_questions}
    answers |= {"ngo.I.1d": "06", "ngo.I.2": "fundacja", "ngo.I.3": ("s09",),
                "ngo.I.4": ("inst",), "ngo.I.7": ("menager_us",)}  # fmt: skip
    return {k: v for k, v in answers.items() if v is not None}


def test_i5_only_when_i4_has_inst(ngo: CardDefinition) -> None:
    assert "I.5" not in codes(applicable_questions(ngo, {}))  # I.4 unknown: not asked
    assert "I.5" not in codes(applicable_questions(ngo, {"ngo.I.4": ("noninst",)}))
    assert "I.5" in codes(applicable_questions(ngo, {"ngo.I.4": ("inst",)}))
    assert "I.5" in codes(applicable_questions(ngo, {"ngo.I.4": ("noninst", "inst")}))


def test_answer_set_aside_when_condition_stops_holding(ngo: CardDefinition) -> None:
    answers: dict[str, AnswerValue] = {"ngo.I.4": ("inst",), "ngo.I.5": "Klub Seniora"}
    assert effective_answers(ngo, answers) == answers
    answers["ngo.I.4"] = ("noninst",)
    assert effective_answers(ngo, answers) == {"ngo.I.4": ("noninst",)}
    assert answers["ngo.I.5"] == "Klub Seniora"  # the caller's history is untouched
    answers["ngo.I.4"] = ("inst", "noninst")
    assert effective_answers(ngo, answers)["ngo.I.5"] == "Klub Seniora"  # counts again


def test_answer_set_aside_when_condition_becomes_unknown(ngo: CardDefinition) -> None:
    assert effective_answers(ngo, {"ngo.I.5": "Klub Seniora"}) == {}


@pytest.mark.parametrize(
    ("adopted", "asked"),
    [(True, True), (False, False), (None, False)],
)
def test_izus_adoption_dates(izus: CardDefinition, adopted: bool | None, asked: bool) -> None:
    answers: dict[str, AnswerValue | None] = {"izus.I.6a": adopted, "izus.I.7a": adopted}
    applicable = codes(applicable_questions(izus, answers))
    assert ("I.6b" in applicable) is asked
    assert ("I.7b" in applicable) is asked


def test_izus_dates_independent(izus: CardDefinition) -> None:
    answers: dict[str, AnswerValue] = {
        "izus.I.6a": True,
        "izus.I.6b": date(2025, 3, 14),
        "izus.I.7a": False,
        "izus.I.7b": date(2024, 1, 1),
    }
    applicable = codes(applicable_questions(izus, answers))
    assert "I.6b" in applicable
    assert "I.7b" not in applicable
    effective = effective_answers(izus, answers)
    assert "izus.I.6b" in effective
    assert "izus.I.7b" not in effective


@pytest.mark.parametrize(
    ("a", "b", "asked"),
    [(0, 0, False), (1, 0, True), (0, 2, True), (None, 3, False), (None, None, False)],
)
def test_ii_3_2c_asked_on_the_sum(
    ngo: CardDefinition, a: int | None, b: int | None, asked: bool
) -> None:
    answers = {"ngo.II.3.2a": a, "ngo.II.3.2b": b}
    assert ("II.3.2c" in codes(applicable_questions(ngo, answers))) is asked


def test_chained_conditions_follow_card_order(ngo: CardDefinition) -> None:
    answers: dict[str, AnswerValue] = {"ngo.II.3.3a": 2, "ngo.II.3.3b": "hospicjum"}
    assert effective_answers(ngo, answers) == answers
    answers["ngo.II.3.3a"] = 0
    assert effective_answers(ngo, answers) == {"ngo.II.3.3a": 0}


def test_system_and_foreign_keys(ngo: CardDefinition) -> None:
    answers: dict[str, AnswerValue] = {"ngo.III.3": date(2026, 3, 1), "izus.I.1a": "x"}
    assert effective_answers(ngo, answers) == {"ngo.III.3": date(2026, 3, 1)}
    assert "III.3" not in codes(applicable_questions(ngo, answers))  # never asked


def test_applicable_questions_in_card_order(ngo: CardDefinition) -> None:
    applicable = codes(applicable_questions(ngo, full_ngo(ngo)))
    assert applicable == [q.code for q in ngo.asked_questions]  # every condition holds
    assert applicable[:3] == ["I.1a", "I.1b", "I.1c"]


def test_missing_required_and_completeness(ngo: CardDefinition) -> None:
    answers = full_ngo(ngo)
    assert missing_required(ngo, answers) == []
    assert is_complete(ngo, answers)
    # optional questions may stay empty
    optional = {"ngo.II.3.2c", "ngo.II.3.6b", "ngo.II.7.1", "ngo.II.7.2"}
    trimmed = {k: v for k, v in answers.items() if k not in optional}
    assert is_complete(ngo, trimmed)
    # a required conditional question is missing only while it applies
    del trimmed["ngo.I.5"]
    assert codes(missing_required(ngo, trimmed)) == ["I.5"]
    trimmed["ngo.I.4"] = ("noninst",)
    assert is_complete(ngo, trimmed)


def test_empty_card_misses_every_unconditional_required(ngo: CardDefinition) -> None:
    missing = codes(missing_required(ngo, {}))
    assert "I.1a" in missing
    assert "I.5" not in missing  # condition unknown
    assert "II.3.7" not in missing
    assert "II.7.1" not in missing  # optional
    assert "III.3" not in missing  # system
    assert not is_complete(ngo, {})


def test_none_is_unanswered(ngo: CardDefinition) -> None:
    answers = full_ngo(ngo) | {"ngo.I.6": None}
    assert codes(missing_required(ngo, answers)) == ["I.6"]
    assert "ngo.I.6" not in effective_answers(ngo, answers)
