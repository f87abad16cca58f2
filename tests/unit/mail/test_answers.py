"""The typing layer: merge of sources, conflicts, rejections, card recognition."""

from __future__ import annotations

from datetime import date

import pytest

from domain.cards.catalog import CardCatalog
from domain.cards.model import CardDefinition
from mailer.parsing.answers import guess_card, type_answers
from mailer.parsing.model import RawAnswer

TODAY = date(2026, 11, 22)
SHEET = "attachment:karta.xlsx"


@pytest.fixture(scope="module")
def catalog() -> CardCatalog:
    return CardCatalog.builtin()


@pytest.fixture(scope="module")
def izus(catalog: CardCatalog) -> CardDefinition:
    return catalog.get("izus")


def body(code: str, raw: str, depth: int = 0, card: str | None = None) -> RawAnswer:
    return RawAnswer(code, raw, "body", 0, depth, card)


def sheet(code: str, raw: str) -> RawAnswer:
    return RawAnswer(code, raw, SHEET, 2)


def test_agreeing_sources_give_one_answer(izus: CardDefinition) -> None:
    typed = type_answers(izus, [body("II.0.1", "1 200"), sheet("II.0.1", "1200")], today=TODAY)
    assert typed.answers == {"II.0.1": 1200}
    assert typed.sources == {"II.0.1": "body"}


def test_disagreeing_sources_are_a_conflict_not_a_guess(izus: CardDefinition) -> None:
    typed = type_answers(izus, [body("II.0.2", "40"), sheet("II.0.2", "41")], today=TODAY)
    assert typed.answers == {}
    [conflict] = typed.conflicts
    assert (conflict.code, conflict.values, conflict.sources) == (
        "II.0.2",
        (40, 41),
        ("body", SHEET),
    )


def test_quoted_body_value_yields_to_the_attachment(izus: CardDefinition) -> None:
    typed = type_answers(
        izus, [body("I.3", "Kierownik", depth=1), sheet("I.3", "Zastępca")], today=TODAY
    )
    assert typed.answers == {"I.3": "Zastępca"}
    assert typed.conflicts == []


def test_text_compared_without_case_and_extra_spaces(izus: CardDefinition) -> None:
    typed = type_answers(
        izus, [body("I.3", "Kierownik  OPS"), sheet("I.3", "kierownik ops")], today=TODAY
    )
    assert typed.answers == {"I.3": "Kierownik OPS"}


def test_invalid_value_next_to_a_valid_one(izus: CardDefinition) -> None:
    typed = type_answers(izus, [body("II.0.1", "dwanaście"), sheet("II.0.1", "12")], today=TODAY)
    assert typed.answers == {"II.0.1": 12}
    assert typed.rejected == []


def test_only_invalid_values_are_rejected_with_the_first(izus: CardDefinition) -> None:
    typed = type_answers(izus, [body("II.0.1", "-5"), sheet("II.0.1", "dużo")], today=TODAY)
    [rejection] = typed.rejected
    assert (rejection.code, rejection.raw, rejection.source) == ("II.0.1", "-5", "body")
    assert "ujemna" in rejection.reason_pl


def test_foreign_system_and_unknown_codes_are_ignored(izus: CardDefinition) -> None:
    raws = [body("II.1.1", "5", card="ngo"), body("III.3", "2026-11-22"), body("II.9.9", "1")]
    typed = type_answers(izus, raws, today=TODAY)
    assert typed.answers == {}
    assert typed.ignored == ["ngo.II.1.1", "III.3", "II.9.9"]


def test_answers_follow_card_order(izus: CardDefinition) -> None:
    typed = type_answers(
        izus, [body("II.0.2", "2"), body("I.6a", "tak"), body("II.0.1", "1")], today=TODAY
    )
    assert list(typed.answers) == ["I.6a", "II.0.1", "II.0.2"]


@pytest.mark.parametrize(
    ("codes", "card"),
    [
        (["II.0.1", "I.6a"], "izus"),
        (["II.1.3a", "II.3.2a"], "ngo"),
        (["II.1.1", "II.1.2"], None),  # on both cards: undecided
        ([], None),
    ],
)
def test_guess_card(catalog: CardCatalog, codes: list[str], card: str | None) -> None:
    assert guess_card(catalog, [body(code, "1") for code in codes]) == card


def test_guess_card_prefers_an_explicit_prefix(catalog: CardCatalog) -> None:
    assert guess_card(catalog, [body("II.1.1", "1", card="ngo")]) == "ngo"
