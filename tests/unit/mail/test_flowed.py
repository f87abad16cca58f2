"""Un-flowing format=flowed text (RFC 3676, email-cases.md case 5)."""

from __future__ import annotations

from mailer.parsing.flowed import split_quote, unflow
from mailer.parsing.keyed import starts_with_key


def test_flowed_lines_join_and_keep_their_space() -> None:
    text = "[I.3] Kto pełni funkcję: Kierownik \nDziału Usług\nkoniec"
    assert unflow(text) == "[I.3] Kto pełni funkcję: Kierownik Działu Usług\nkoniec"


def test_delsp_deletes_the_added_space() -> None:
    text = "[I.3] Kto: Kierow \nnik  \nDziału"
    assert unflow(text, delsp=True) == "[I.3] Kto: Kierownik Działu"


def test_quoted_flowed_lines_join_within_their_depth() -> None:
    text = "> [II.0.1] Liczba podmiotów działających \n> na terytorium gminy: \n>> stary"
    assert (
        unflow(text) == "> [II.0.1] Liczba podmiotów działających na terytorium gminy: \n>> stary"
    )


def test_depth_change_ends_a_paragraph() -> None:
    assert unflow("> cytat \nnowy tekst") == "> cytat \nnowy tekst"


def test_signature_separator_is_not_flowed() -> None:
    assert unflow("-- \nJan Kowalski") == "-- \nJan Kowalski"


def test_space_stuffing_is_removed() -> None:
    assert split_quote(" From the start") == (0, "From the start")
    assert split_quote(">> quoted") == (2, "quoted")


def test_keyed_line_never_continues_a_flowed_empty_answer() -> None:
    # Some senders leave the template's trailing space ("label: ") on fixed lines.
    text = "[I.4] Organizator Społeczności Lokalnej: \n[I.6a] Program: tak"
    assert unflow(text) == "[I.4] Organizator Społeczności Lokalnej: [I.6a] Program: tak"
    assert unflow(text, starts_line=starts_with_key) == (
        "[I.4] Organizator Społeczności Lokalnej: \n[I.6a] Program: tak"
    )
