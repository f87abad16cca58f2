"""Quote header detection for Polish clients (email-cases.md "Quote headers")."""

from __future__ import annotations

import pytest

from mailer.parsing.quotes import boundary_at, header_block_length, is_attribution, reply_lines

OURS = ["monitoring@obserwatorium-mp.example.org"]
NAMES = ["Centrum Monitoringu MP"]


@pytest.mark.parametrize(
    "line",
    [
        "pon., 11 mar 2024 o 10:15 Centrum Monitoringu MP <monitoring@x.pl> napisał(a):",
        "W dniu pon., 11 mar 2024 o 10:15 Jan <jan@x.pl> napisał(a):",
        "W dniu 11 marca 2024 10:15 użytkownik Jan <jan@x.pl> napisał:",
        "W dniu 11.03.2024 o 10:15, Jan Kowalski pisze:",
        "Dnia 28/10/2021, 12:46 użytkownik „X” <x@y.pl> napisał:",
        "Wiadomość napisana przez X <x@y.pl> w dniu 04.08.2024, o godz. 08:22:",
        "Dnia 10 lutego 2026 17:59 X < x@y.pl > napisał(a):",
        "W dniu 2026-11-16 09:15, Centrum Monitoringu MP napisał(a):",
        "On Mon, 16 Nov 2026 at 09:15, Jan <jan@x.pl> wrote:",
    ],
)
def test_attribution_lines_of_polish_clients(line: str) -> None:
    assert is_attribution(line, NAMES, OURS)


@pytest.mark.parametrize(
    "line",
    ["Jak napisała Pani Anna:", "Data: 14.03.2024", "[I.3] Kto pełni funkcję:", "Uwaga: dane"],
)
def test_ordinary_lines_are_not_attributions(line: str) -> None:
    assert not is_attribution(line, NAMES, OURS)


def test_outlook_header_block() -> None:
    lines = [
        "Od: Centrum <m@x.pl>",
        "Wysłane: poniedziałek",
        "Do: Jan",
        "DW: Anna",
        "Temat: ODP: x",
        "",
        "tekst",
    ]
    assert header_block_length(lines, 0) == 5


def test_new_outlook_block_with_data() -> None:
    lines = ["Od: X", "Data: czwartek, 28 października 2021 o 12:46", "Do: Y", "Temat: Z"]
    assert header_block_length(lines, 0) == 4


@pytest.mark.parametrize(
    "lines",
    [
        ["Data: 20.11.2026", "Sporządziła: Anna"],  # a lone label line is an answer
        ["Od: poniedziałku pracuję zdalnie", "Data: 20.11.2026"],  # two labels only
        ["Do: Anna", "Temat: x", "Od: y"],  # must start with Od:/From:
    ],
)
def test_never_cut_on_lone_label_lines(lines: list[str]) -> None:
    assert header_block_length(lines, 0) == 0


def test_gmail_attribution_wrapped_onto_two_lines() -> None:
    lines = ["pon., 16 lis 2026 o 09:15 Centrum Monitoringu MP <", "monitoring@x.pl> napisał(a):"]
    assert boundary_at(lines, 0, NAMES, OURS) == 2


def test_our_sender_in_a_from_line_is_a_boundary_even_alone() -> None:
    assert boundary_at(["Od: Centrum Monitoringu MP"], 0, NAMES, OURS) == 1
    assert boundary_at(["Od: poniedziałku"], 0, NAMES, OURS) == 0


def test_our_marker_and_separators_are_boundaries() -> None:
    for line in (
        "--- Prosimy odpowiadać nad tą linią ---",
        "-------- Treść oryginalnej wiadomości --------",
        "----- Wiadomość oryginalna -----",
        "-----Original Message-----",
    ):
        assert boundary_at([line], 0, NAMES, OURS) == 1


def test_reply_lines_stop_at_an_outlook_block() -> None:
    lines = [
        "POTWIERDZAM",
        "",
        "____________________",
        "Od: Centrum",
        "Wysłane: pon",
        "Do: Jan",
        "Temat: x",
        "[II.0.1] Liczba: 5",
    ]
    kept, start = reply_lines(lines, NAMES, OURS)
    assert kept == ["POTWIERDZAM", ""]
    assert start == 2


def test_reply_lines_of_an_interleaved_reply_skip_only_the_quote() -> None:
    lines = [
        "W dniu 16.11.2026 o 09:15, X pisze:",
        "> [II.0.1] Liczba: 25",
        "28",
        "> [II.0.2] Liczba:",
        "35",
    ]
    kept, start = reply_lines(lines, NAMES, OURS)
    assert kept == ["28", "35"]
    assert start == 0


def test_reply_lines_without_any_quote() -> None:
    assert reply_lines(["II.0.1: 5", "Anna"]) == (["II.0.1: 5", "Anna"], None)
