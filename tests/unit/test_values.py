"""Parsing, JSON and display of answer values, for every question type (cards.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.cards.values import (
    AnswerValue,
    ParsedValue,
    display,
    from_json,
    normalise,
    numbered,
    parse_value,
    to_json,
)
from domain.errors import InvalidAnswer
from tests.unit.card_lists import LISTS, WOJ, question

TODAY = date(2025, 6, 1)
NBSP, NNBSP, THIN, ZWSP = "\u00a0", "\u202f", "\u2009", "\u200b"


def parse(kind: str, raw: str, list_name: str | None = None) -> ParsedValue:
    """Parse `raw` as an answer to a question of `kind` (over `list_name`)."""
    options = LISTS[list_name] if list_name else None
    return parse_value(question(kind, list_name), options, raw, today=TODAY)


def case(
    kind: str, raw: object, expected: object, list_name: str | None = None, *, id: str
) -> object:
    """One table row: a question type, an input, what it gives, the list (if any)."""
    return pytest.param(kind, raw, expected, list_name, id=id)


ACCEPTED = [
    # int: Polish ways of writing counts (cards.md, email-cases.md rows 6 and 13)
    case("int", "0", 0, id="int-zero"),
    case("int", "12", 12, id="int-plain"),
    case("int", "  12  ", 12, id="int-surrounding-space"),
    case("int", "12.", 12, id="int-trailing-dot"),
    case("int", "1 200", 1200, id="int-space-group"),
    case("int", f"1{NBSP}200", 1200, id="int-nbsp-group"),
    case("int", f"1{NNBSP}200", 1200, id="int-narrow-nbsp-group"),
    case("int", f"1{THIN}200", 1200, id="int-thin-space-group"),
    case("int", f"1{ZWSP}2", 12, id="int-zero-width-inside"),
    case("int", "\ufeff12\r\n", 12, id="int-bom-crlf"),
    case("int", "1.200", 1200, id="int-dot-thousands"),
    case("int", "1 000 000", 1_000_000, id="int-max"),
    case("int", "1200 osób", 1200, id="int-unit-osob"),
    case("int", "12 os.", 12, id="int-unit-os"),
    case("int", "3 organizacje", 3, id="int-unit-word"),
    case("int", "brak", 0, id="int-brak"),
    case("int", "Brak.", 0, id="int-brak-capital-dot"),
    case("int", "zero", 0, id="int-word-zero"),
    case("int", "2,0", 2, id="int-zero-decimals"),
    case("int", "007", 7, id="int-leading-zeros"),
    case("int", "„12”", 12, id="int-quoted"),
    # money
    case("money", "12 500,50 zł", Decimal("12500.50"), id="money-polish"),
    case("money", "12500.5", Decimal("12500.50"), id="money-dot-decimal"),
    case("money", "12 500 PLN", Decimal("12500.00"), id="money-pln"),
    case("money", "PLN 300", Decimal("300.00"), id="money-pln-before"),
    case("money", "1.234,56 zł", Decimal("1234.56"), id="money-dot-groups"),
    case("money", "1,234.56", Decimal("1234.56"), id="money-english"),
    case("money", f"12{NBSP}500,5{NBSP}zł", Decimal("12500.50"), id="money-nbsp"),
    case("money", "12500zł", Decimal("12500.00"), id="money-glued-zl"),
    case("money", "12,- zł", Decimal("12.00"), id="money-comma-dash"),
    case("money", "0", Decimal("0.00"), id="money-zero"),
    case("money", "99,99 złotych", Decimal("99.99"), id="money-zlotych"),
    # yesno
    case("yesno", "tak", True, id="yes-tak"),
    case("yesno", "TAK.", True, id="yes-caps-dot"),
    case("yesno", "Tak, jest", True, id="yes-first-word"),
    case("yesno", "t", True, id="yes-t"),
    case("yesno", "Yes", True, id="yes-en"),
    case("yesno", "y", True, id="yes-y"),
    case("yesno", "nie", False, id="no-nie"),
    case("yesno", "N", False, id="no-n"),
    case("yesno", "no", False, id="no-en"),
    case("yesno", "Nie, jeszcze nie", False, id="no-first-word"),
    # date: numeric forms, Polish month names in several cases, no diacritics
    case("date", "2025-03-14", date(2025, 3, 14), id="date-iso"),
    case("date", "14.03.2025", date(2025, 3, 14), id="date-dots"),
    case("date", "14/03/2025", date(2025, 3, 14), id="date-slashes"),
    case("date", "14-03-2025", date(2025, 3, 14), id="date-dashes"),
    case("date", "4.3.2025", date(2025, 3, 4), id="date-single-digits"),
    case("date", "14 marca 2025", date(2025, 3, 14), id="date-genitive"),
    case("date", "12 marca 2024 r.", date(2024, 3, 12), id="date-genitive-r"),
    case("date", "1 styczeń 2025", date(2025, 1, 1), id="date-nominative"),
    case("date", "3 maja 2024", date(2024, 5, 3), id="date-maja"),
    case("date", "14 pazdziernika 2024", date(2024, 10, 14), id="date-no-diacritics"),
    case("date", "14 października 2024", date(2024, 10, 14), id="date-diacritics"),
    case("date", "30 listopadzie 2024", date(2024, 11, 30), id="date-locative"),
    case("date", "5 WRZEŚNIA 2024", date(2024, 9, 5), id="date-upper-case"),
    case("date", "14 mar 2025", date(2025, 3, 14), id="date-short-month"),
    case("date", "14 paź. 2024", date(2024, 10, 14), id="date-short-month-dot"),
    case("date", "14.III.2025", date(2025, 3, 14), id="date-roman-month"),
    case("date", "dnia 5 czerwca 2024r.", date(2024, 6, 5), id="date-dnia-glued-r"),
    case("date", "29.02.2024", date(2024, 2, 29), id="date-leap-day"),
    case("date", "01.06.2025", TODAY, id="date-today"),
    case("date", "14 March 2025", date(2025, 3, 14), id="date-english"),
    # one(LIST): number, code, label without diacritics
    case("one", "lodzkie", "10", "WOJ", id="woj-label-no-diacritics"),
    case("one", "Łódzkie", "10", "WOJ", id="woj-label"),
    case("one", "06", "06", "WOJ", id="woj-teryt-code"),
    case("one", "6", "06", "WOJ", id="woj-teryt-code-zero-lost"),
    case("one", "10", "10", "WOJ", id="woj-10-is-lodzkie"),
    case("one", "kujawsko pomorskie", "04", "WOJ", id="woj-dash-as-space"),
    case("one", "woj. śląskie", "24", "WOJ", id="woj-title"),
    case("one", "mazow", "14", "WOJ", id="woj-unique-prefix"),
    case("one", "fundacja", "fundacja", "NGO_TYPE", id="ngo-type-label"),
    case("one", "3", "spoldzielnia_socjalna", "NGO_TYPE", id="ngo-type-number"),
    case("one", "spoldzielnia socjalna", "spoldzielnia_socjalna", "NGO_TYPE", id="ngo-type-fold"),
    case("one", "CIS", "cis", "NGO_TYPE", id="ngo-type-short-form"),
    case("one", "klub integracji spolecznej", "kis", "NGO_TYPE", id="ngo-type-long-form"),
    case("one", "OPS", "ops", "IZUS_TYPE", id="izus-type-short"),
    case("one", "inny", "inny", "NGO_TYPE", id="other-bare"),
    case("one", "2)", "fundacja", "NGO_TYPE", id="number-with-bracket"),
    # many(LIST)
    case("many", "1, 3", ("s01", "s03"), "SERVICES", id="many-numbers"),
    case("many", "s03; s01", ("s01", "s03"), "SERVICES", id="many-codes-list-order"),
    case("many", "1\n2\n16", ("s01", "s02", "inne"), "SERVICES", id="many-lines"),
    case("many", "1 i 3 oraz 5", ("s01", "s03", "s05"), "SERVICES", id="many-conjunctions"),
    case("many", "1 3 5", ("s01", "s03", "s05"), "SERVICES", id="many-spaces"),
    case("many", "1, 1, 2", ("s01", "s02"), "SERVICES", id="many-duplicates"),
    case(
        "many",
        "usługa żłobkowa i przedszkolna i usługi opiekuncze",
        ("s08", "s09"),
        "SERVICES",
        id="many-label-containing-i",
    ),
    case("many", "zinstytucjonalizowana", ("inst",), "FORM", id="form-label"),
    case("many", "Niezinstytucjonalizowana", ("noninst",), "FORM", id="form-non"),
    case("many", "1, 2", ("inst", "noninst"), "FORM", id="form-both"),
    case("many", "brak", ("brak",), "SPECIALITY", id="speciality-brak"),
    case(
        "many",
        "researcher lp i menager us",
        ("menager_us", "researcher_lp"),
        "SPECIALITY",
        id="speciality-labels",
    ),
    # text, email, phone
    case("text", "  Klub Seniora  ", "Klub Seniora", id="text-trimmed"),
    case("text", "linia 1\r\nlinia 2", "linia 1\nlinia 2", id="text-crlf"),
    case("text", "x" * 1000, "x" * 1000, id="text-max-length"),
    case("email", "jan@gmina.PL", "jan@gmina.pl", id="email-domain-lowered"),
    case("email", "Jan Kowalski <Jan.K@Gmina.pl>", "Jan.K@gmina.pl", id="email-angle"),
    case("email", "mailto:ops@gmina.pl.", "ops@gmina.pl", id="email-mailto-dot"),
    case("phone", "601 234 567", "+48601234567", id="phone-spaces"),
    case("phone", "+48 601-234-567", "+48601234567", id="phone-plus48"),
    case("phone", "0048601234567", "+48601234567", id="phone-0048"),
    case("phone", "48601234567", "+48601234567", id="phone-48"),
    case("phone", "(22) 123 45 67", "+48221234567", id="phone-landline"),
    case("phone", "(+48) 22 123 45 67", "+48221234567", id="phone-bracketed-prefix"),
    case("phone", "tel. 601234567", "+48601234567", id="phone-tel-prefix"),
]


@pytest.mark.parametrize(("kind", "raw", "expected", "list_name"), ACCEPTED)
def test_accepted_values(kind: str, raw: str, expected: object, list_name: str | None) -> None:
    parsed = parse(kind, raw, list_name)
    assert parsed.value == expected
    assert type(parsed.value) is type(expected)
    assert parsed.other_text is None


OTHER = [
    pytest.param(
        "one", "inny: fundacja rodzinna", "NGO_TYPE", "inny", "fundacja rodzinna", id="one-colon"
    ),
    pytest.param(
        "one", "Inny – spółka non-profit", "NGO_TYPE", "inny", "spółka non-profit", id="one-dash"
    ),
    pytest.param("one", "inna (rodzinna)", "NGO_TYPE", "inny", "rodzinna", id="one-brackets"),
    pytest.param(
        "many",
        "inne – pomoc prawna",
        "SERVICES",
        ("inne",),
        "pomoc prawna",
        id="many-dash",
    ),
    pytest.param(
        "many",
        "2, inne: pomoc prawna, doradztwo",
        "SERVICES",
        ("s02", "inne"),
        "pomoc prawna, doradztwo",
        id="many-with-items-before",
    ),
    pytest.param("many", "inne", "SERVICES", ("inne",), None, id="many-bare-other"),
]


@pytest.mark.parametrize(("kind", "raw", "list_name", "value", "other_text"), OTHER)
def test_other_option_carries_its_text(
    kind: str, raw: str, list_name: str, value: object, other_text: str | None
) -> None:
    assert parse(kind, raw, list_name) == ParsedValue(value, other_text)  # type: ignore[arg-type]


REJECTED = [
    # int
    case("int", "", "pusta", id="int-empty"),
    case("int", "   ", "pusta", id="int-blank"),
    case("int", "-5", "ujemna", id="int-negative"),
    case("int", "−5", "ujemna", id="int-negative-unicode-minus"),
    case("int", "2,5", "nie jest liczbą całkowitą", id="int-fraction-comma"),
    case("int", "2.5", "nie jest liczbą całkowitą", id="int-fraction-dot"),
    case("int", "dwanaście", "Nie rozumiem „dwanaście” jako liczby", id="int-word"),
    case("int", "kilka", "dokładna liczba", id="int-vague"),
    case("int", "ok. 12", "dokładna liczba", id="int-approx"),
    case("int", "10-12", "przedział", id="int-range"),
    case("int", "10000000000", "za dużo", id="int-too-large"),
    case("int", "1 000 001", "1 000 000", id="int-just-over"),
    case("int", "12 tys.", "tys.", id="int-multiplier"),
    case("int", "👍", "Nie rozumiem", id="int-emoji"),
    case("int", "1,200", "tysiące, czy ułamek", id="int-ambiguous-comma"),
    case("int", "12 5", "Nie rozumiem", id="int-bad-grouping"),
    case("int", "12²", "Nie rozumiem", id="int-superscript"),
    case("int", "١٢", "Nie rozumiem", id="int-arabic-digits"),
    case("int", "nie wiem", "dokładna liczba", id="int-dont-know"),
    # money
    case("money", "", "pusta", id="money-empty"),
    case("money", "-100 zł", "ujemna", id="money-negative"),
    case("money", "12,505", "najwyżej 2 miejsca", id="money-three-decimals"),
    case("money", "12 500,505 zł", "najwyżej 2 miejsca", id="money-three-decimals-grouped"),
    case("money", "dużo", "dokładna liczba", id="money-vague"),
    case("money", "sto złotych", "jako kwoty", id="money-words"),
    case("money", "2 000 000 000 zł", "za dużo", id="money-too-large"),
    case("money", "1,5 tys. zł", "tys.", id="money-multiplier"),
    case("money", "brak", "jako kwoty", id="money-brak-is-not-zero"),
    # yesno
    case("yesno", "", "pusta", id="yesno-empty"),
    case("yesno", "może", "„tak” albo „nie”", id="yesno-maybe"),
    case("yesno", "nie wiem", "„tak” albo „nie”", id="yesno-dont-know"),
    case("yesno", "tak/nie", "„tak” albo „nie”", id="yesno-template-hint"),
    case("yesno", "1", "„tak” albo „nie”", id="yesno-digit"),
    # date
    case("date", "", "pusta", id="date-empty"),
    case("date", "31.02.2024", "nie istnieje", id="date-impossible-day"),
    case("date", "31 kwietnia 2024", "30 dni", id="date-impossible-day-named"),
    case("date", "14.13.2024", "Miesiąc 13", id="date-impossible-month"),
    case("date", "29.02.2023", "28 dni", id="date-not-leap"),
    case("date", "14.03.25", "czterema cyframi", id="date-two-digit-year"),
    case("date", "14.03.2030", "w przyszłości", id="date-future"),
    case("date", "02.06.2025", "w przyszłości", id="date-tomorrow"),
    case("date", "14.03.1985", "od 1990", id="date-too-early"),
    case("date", "14 marca", "brakuje roku", id="date-no-year"),
    case("date", "14 marzek 2025", "miesiąca „marzek”", id="date-bad-month-name"),
    case("date", "wczoraj", "jako daty", id="date-words"),
    case("date", "2025-03-14 10:15", "jako daty", id="date-with-time"),
    # one / many
    case("one", "", "pusta", "NGO_TYPE", id="one-empty"),
    case("one", "xyz", "Nie rozpoznaję „xyz”", "NGO_TYPE", id="one-unknown"),
    case("one", "10", "nie ma pozycji nr 10", "NGO_TYPE", id="one-number-out-of-range"),
    case("one", "07", "nie ma pozycji nr 07", "WOJ", id="woj-unknown-code"),
    case("one", "1, 2", "tylko jedną", "NGO_TYPE", id="one-several"),
    case("one", "fundacja, inny: x", "tylko jedną", "NGO_TYPE", id="one-item-and-other"),
    case("many", "brak, 1", "„brak” wyklucza", "SPECIALITY", id="many-exclusive"),
    case("many", "1, 17", "nie ma pozycji nr 17", "SERVICES", id="many-out-of-range"),
    case(
        "many",
        "usługi opiekuńcze i rehabilitacyjne",
        "„rehabilitacyjne”",
        "SERVICES",
        id="many-names-the-unknown-part",
    ),
    case("many", "usługi", "Nie rozpoznaję", "SERVICES", id="many-ambiguous-prefix"),
    case("one", "inny: " + "x" * 1001, "1001 znaków", "NGO_TYPE", id="other-text-too-long"),
    # text
    case("text", "", "pusta", id="text-empty"),
    case("text", " \u200b\n ", "pusta", id="text-only-invisible"),
    case("text", "x" * 1001, "1001 znaków", id="text-too-long"),
    case("text", "x" * 1002, "1002 znaki", id="text-too-long-plural"),
    # email
    case("email", "", "pusta", id="email-empty"),
    case("email", "jan.kowalski", "znak @", id="email-no-at"),
    case("email", "a@@gmina.pl", "jeden znak @", id="email-two-ats"),
    case("email", "jan@gmina", "domeny z kropką", id="email-no-dot"),
    case("email", "jan kowalski@gmina.pl", "spacji", id="email-space"),
    case("email", "jan..k@gmina.pl", "poprawny adres", id="email-double-dot"),
    case("email", "jan@-gmina.pl", "poprawny adres", id="email-bad-domain"),
    # phone
    case("phone", "", "pusta", id="phone-empty"),
    case("phone", "12345", "5 cyfr", id="phone-too-short"),
    case("phone", "60123456789", "11 cyfr", id="phone-too-long"),
    case("phone", "+49 30 1234567", "zagraniczny", id="phone-foreign"),
    case("phone", "tel. komórkowy", "tylko cyfry", id="phone-letters"),
    case("phone", "012 345 678", "nie zaczyna się od 0", id="phone-leading-zero"),
]


@pytest.mark.parametrize(("kind", "raw", "fragment", "list_name"), REJECTED)
def test_rejected_values_explain_and_give_an_example(
    kind: str, raw: str, fragment: str, list_name: str | None
) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse(kind, raw, list_name)
    error = caught.value
    assert fragment in error.message_pl
    assert "np." in error.message_pl
    assert "e.g." in error.message_en
    assert error.message_en != error.message_pl


def test_unknown_option_lists_numbered_choices() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse("many", "pomoc prawna", "SERVICES")
    message = caught.value.message_pl
    assert "1. usługa pomocy osobistej" in message
    assert "16. inne" in message
    assert "np. 1, 2" in message
    assert "inne: …" in message


def test_woj_is_numbered_by_teryt_code() -> None:
    numbers = [n for n, _ in numbered(WOJ)]
    assert numbers[:3] == ["02", "04", "06"]
    assert [n for n, _ in numbered(LISTS["FORM"])] == ["1", "2"]


ROUND_TRIPS = [
    case("int", 1200, 1200, id="int"),
    case("money", Decimal("12500.50"), "12500.50", id="money"),
    case("money", Decimal("0.00"), "0.00", id="money-zero"),
    case("yesno", True, True, id="yes"),
    case("yesno", False, False, id="no"),
    case("date", date(2025, 3, 14), "2025-03-14", id="date"),
    case("one", "10", "10", "WOJ", id="one"),
    case("many", ("s01", "s03"), ["s01", "s03"], "SERVICES", id="many"),
    case("text", "Klub Seniora", "Klub Seniora", id="text"),
    case("email", "ops@gmina.pl", "ops@gmina.pl", id="email"),
    case("phone", "+48601234567", "+48601234567", id="phone"),
]


@pytest.mark.parametrize(("kind", "value", "json", "list_name"), ROUND_TRIPS)
def test_json_round_trip(
    kind: str, value: AnswerValue, json: object, list_name: str | None
) -> None:
    q = question(kind, list_name)
    assert to_json(q, value) == json
    assert from_json(q, json) == value
    assert from_json(q, to_json(q, value)) == value


def test_to_json_of_nothing_is_null() -> None:
    assert to_json(question("int"), None) is None


@pytest.mark.parametrize(
    ("kind", "json"),
    [
        pytest.param("int", "12", id="int-from-string"),
        pytest.param("int", True, id="int-from-bool"),
        pytest.param("money", "abc", id="money-garbage"),
        pytest.param("money", "-1.00", id="money-negative"),
        pytest.param("yesno", "tak", id="yesno-from-string"),
        pytest.param("date", "14.03.2025", id="date-not-iso"),
        pytest.param("many", "s01", id="many-not-a-list"),
        pytest.param("text", 12, id="text-from-int"),
    ],
)
def test_from_json_rejects_data_of_the_wrong_shape(kind: str, json: object) -> None:
    with pytest.raises(InvalidAnswer, match="nie pasuje"):
        from_json(question(kind), json)


def test_from_json_money_accepts_a_whole_number() -> None:
    assert from_json(question("money"), 12500) == Decimal("12500.00")


DISPLAYS = [
    pytest.param("int", 1200, "pl", None, "1 200", id="int-pl"),
    pytest.param("int", 1200000, "en", None, "1,200,000", id="int-en"),
    pytest.param("int", 0, "pl", None, "0", id="int-zero"),
    pytest.param("money", Decimal("12500.50"), "pl", None, "12 500,50 zł", id="money-pl"),
    pytest.param("money", Decimal("12500.50"), "en", None, "PLN 12,500.50", id="money-en"),
    pytest.param("yesno", True, "pl", None, "tak", id="yes-pl"),
    pytest.param("yesno", False, "en", None, "no", id="no-en"),
    pytest.param("date", date(2025, 3, 14), "pl", None, "14.03.2025", id="date-pl"),
    pytest.param("date", date(2025, 3, 14), "en", None, "14 March 2025", id="date-en"),
    pytest.param("text", "Klub Seniora", "pl", None, "Klub Seniora", id="text"),
]


@pytest.mark.parametrize(("kind", "value", "lang", "other", "shown"), DISPLAYS)
def test_display(kind: str, value: AnswerValue, lang: str, other: str | None, shown: str) -> None:
    assert display(question(kind), None, value, lang, other) == shown  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "list_name", "value", "lang", "other", "shown"),
    [
        pytest.param("one", "WOJ", "10", "pl", None, "łódzkie", id="one-pl"),
        pytest.param("one", "NGO_TYPE", "fundacja", "en", None, "foundation", id="one-en"),
        pytest.param(
            "one", "NGO_TYPE", "inny", "pl", "fundacja rodzinna", "inny: fundacja rodzinna",
            id="one-other",
        ),
        pytest.param(
            "many", "SERVICES", ("s09", "inne"), "pl", "pomoc prawna",
            "usługi opiekuńcze, inne: pomoc prawna", id="many-other",
        ),
        pytest.param("many", "FORM", ("inst", "noninst"), "en", None,
                     "institutional, non-institutional", id="many-en"),
        pytest.param("one", "NGO_TYPE", "dawny_kod", "pl", None, "dawny_kod", id="unknown-code"),
    ],
)  # fmt: skip
def test_display_options(
    kind: str, list_name: str, value: AnswerValue, lang: str, other: str | None, shown: str
) -> None:
    q = question(kind, list_name)
    assert display(q, LISTS[list_name], value, lang, other) == shown  # type: ignore[arg-type]


def test_displayed_values_parse_back() -> None:
    samples: list[tuple[str, AnswerValue]] = [
        ("int", 1_000_000),
        ("money", Decimal("12500.50")),
        ("yesno", True),
        ("date", date(2024, 2, 29)),
    ]
    for kind, value in samples:
        shown = display(question(kind), None, value, "pl")
        assert parse(kind, shown).value == value


def test_normalise_removes_invisible_characters_and_unusual_spaces() -> None:
    raw = f"\ufeff a{NBSP}b{NNBSP}c{THIN}d{ZWSP}e\u200c\u200d \r\n"
    assert normalise(raw) == "a b c de"
    assert normalise("a\r\nb\rc", keep_lines=True) == "a\nb\nc"


def test_options_are_required_for_list_questions() -> None:
    with pytest.raises(ValueError, match="needs its list"):
        parse_value(question("one", "WOJ"), None, "1", today=TODAY)


KINDS: list[tuple[str, str | None]] = [("int", None), ("money", None), ("yesno", None)]
KINDS += [("date", None), ("text", None), ("email", None), ("phone", None)]
KINDS += [("one", name) for name in LISTS] + [("many", name) for name in LISTS]
NEAR_MISSES = st.text(
    alphabet=st.sampled_from(list("0123456789 .,;:-–/+()@łóż\n\u00a0\u200bi")),
    max_size=40,
)
WORDS = st.lists(
    st.sampled_from(["tak", "nie", "brak", "inne", "inny", "marca", "2024", "zł", "12", "i"]),
    max_size=6,
).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(raw=st.one_of(st.text(max_size=80), NEAR_MISSES, WORDS), kind=st.sampled_from(KINDS))
def test_parse_value_raises_only_invalid_answer(raw: str, kind: tuple[str, str | None]) -> None:
    rejection: InvalidAnswer | None = None
    try:
        parsed = parse(kind[0], raw, kind[1])
    except InvalidAnswer as error:  # anything else fails the test
        rejection = error
    if rejection is not None:
        assert "np." in rejection.message_pl
        assert "e.g." in rejection.message_en
    else:
        assert isinstance(parsed, ParsedValue)
