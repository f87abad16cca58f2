"""Keyed answer lines (channels.md "Incoming replies: what is accepted")."""

from __future__ import annotations

import pytest

from mailer.parsing.keyed import (
    KeyedLine,
    best_per_code,
    clean_value,
    extract_keyed,
    is_keyed_line,
    normalize_code,
)


@pytest.mark.parametrize(
    ("line", "code", "value"),
    [
        ("[II.0.1] Liczba podmiotów/organizacji: 25", "II.0.1", "25"),
        ("[I.6a] Program Usług Społecznych – czy jest uchwalony? (tak/nie): tak", "I.6a", "tak"),
        ("II.0.1: 25", "II.0.1", "25"),
        ("II.0.1 = 1 200", "II.0.1", "1 200"),
        ("II.0.1 – 25 organizacji", "II.0.1", "25 organizacji"),
        ("- II.0.1: 4", "II.0.1", "4"),
        ("ii.0.1: 3", "II.0.1", "3"),
        ("[I.6A]: TAK", "I.6a", "TAK"),
        ("izus.II.0.1: 7", "II.0.1", "7"),
        ("[II.0.1] | Liczba podmiotów | 25", "II.0.1", "25"),
        ("| [II.0.1] | Liczba | 25 |", "II.0.1", "25"),
        ("[II.0.1]\tLiczba\t25", "II.0.1", "25"),
        ("[II.0.1] | Liczba |", "II.0.1", ""),
        ("[II.0.1] Liczba: *25*", "II.0.1", "25"),
        ("*[II.0.1]* Liczba: 25", "II.0.1", "25"),
        ("[II.0.1] Liczba: ____", "II.0.1", ""),
        ("[II.0.1] Liczba: …", "II.0.1", ""),
        ("[II.0.1] 25", "II.0.1", "25"),
        ("[I.6b] Data uchwalenia Programu: 12:03:2024", "I.6b", "12:03:2024"),
        ("[I.3] Kto pełni funkcję: Kierownik: Jan Nowak", "I.3", "Kierownik: Jan Nowak"),
    ],
)
def test_keyed_line_forms(line: str, code: str, value: str) -> None:
    [found] = extract_keyed([line])
    assert (found.code, found.value) == (code, value)


@pytest.mark.parametrize(
    "line",
    [
        "I.3 jest dla nas niejasne",
        "- II.1.1 (3) jest większe niż II.0.1 (2): czy to prawda?",
        "Program: I. Usługi społeczne, II. Partycypacja.",
        "II.0.1.5: 5",
        "Data: 14.03.2024",
        "-- ",
    ],
)
def test_prose_is_not_an_answer(line: str) -> None:
    assert extract_keyed([line]) == []
    assert not is_keyed_line(line)


def test_quote_prefixes_give_depth() -> None:
    [found] = extract_keyed(["> > [II.0.1] Liczba: 5"])
    assert (found.depth, found.value) == (2, "5")


def test_wrapped_template_line_is_joined_until_its_separator() -> None:
    lines = [
        "> [II.1.1] Liczba podmiotów/organizacji samorzutnie dostarczających własne",
        "> raporty z rozpoznania potrzeb mieszkańców: 7",
    ]
    [found] = extract_keyed(lines)
    assert (found.code, found.value, found.line) == ("II.1.1", "7", 0)


def test_short_line_without_separator_is_not_joined() -> None:
    found = extract_keyed(["[II.0.1] 25", "Uwaga: szacunkowo"])
    assert [(k.code, k.value) for k in found] == [("II.0.1", "25")]


def test_interleaved_answer_below_a_quoted_line() -> None:
    found = extract_keyed(["> [II.0.1] Liczba: 25", "28", "> [II.0.2] Liczba:", "", "35"])
    assert [(k.code, k.value, k.depth) for k in found] == [
        ("II.0.1", "25", 1),
        ("II.0.1", "28", 0),
        ("II.0.2", "", 1),
        ("II.0.2", "35", 0),
    ]


def test_sign_off_below_a_quote_is_not_an_answer() -> None:
    found = extract_keyed(["> [III.1] Imię i nazwisko:", "Pozdrawiam"])
    assert [(k.code, k.value) for k in found] == [("III.1", "")]


def test_lines_that_look_like_signatures_do_not_stop_reading() -> None:
    lines = ["--", "[II.0.1]: 1", "-x-", "Pozdrawiam", "II.0.2: 2", "Uwaga: x", "-- ", "II.0.3: 3"]
    assert [k.code for k in extract_keyed(lines)] == ["II.0.1", "II.0.2", "II.0.3"]


def test_best_value_is_the_topmost_non_empty_at_the_lowest_depth() -> None:
    found = [
        KeyedLine("II.0.1", "", 0, 0),
        KeyedLine("II.0.1", "25", 3, 1),
        KeyedLine("II.0.1", "27", 5, 0),
        KeyedLine("II.0.1", "30", 9, 0),
        KeyedLine("II.0.2", "", 1, 0),
    ]
    best = best_per_code(found)
    assert best["II.0.1"].value == "27"
    assert "II.0.2" not in best


def test_normalize_code_and_clean_value() -> None:
    assert normalize_code("iii.2B") == "III.2b"
    assert clean_value("  _12_ ") == "12"
    assert clean_value(" - ") == ""
