"""Charset fallback (email-cases.md cases 7-9) and text normalisation (case 6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailer.parsing.charsets import codec_name, decode_bytes
from mailer.parsing.normalize import normalize_text

POLISH = "Zażółć gęślą jaźń - Świetlica Środowiskowa, Źródło, Ąę, ŁÓDŹ"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("UTF-8", "utf-8"),
        ('"windows-1250"', "cp1250"),
        ("ISO-8859-2", "iso8859-2"),
        ("utf-8*pl", "utf-8"),  # RFC 2231 language suffix
        ("x-unknown-8", None),
        ("iso-8859-8-i", None),
        ("", None),
        (None, None),
        ("\x00bad", None),
    ],
)
def test_codec_name(label: str | None, expected: str | None) -> None:
    assert codec_name(label) == expected


@pytest.mark.parametrize(
    ("codec", "label"),
    [
        ("utf-8", "utf-8"),
        ("cp1250", "windows-1250"),
        ("iso-8859-2", "iso-8859-2"),
        ("cp1250", "iso-8859-2"),  # mislabelled (Outlook)
        ("cp1250", "utf-8"),  # mislabelled
        ("iso-8859-2", "windows-1250"),  # mislabelled the other way
        ("utf-8", "iso-8859-2"),  # UTF-8 labelled as Latin-2
        ("cp1250", None),  # undeclared 8-bit
        ("cp1250", "x-unknown-8"),  # unknown label
        ("utf-8", "iso-8859-8-i"),
    ],
)
def test_polish_text_survives_wrong_labels(codec: str, label: str | None) -> None:
    assert decode_bytes(POLISH.encode(codec), label) == POLISH


def test_ascii_is_ascii_whatever_the_label() -> None:
    assert decode_bytes(b"II.0.1: 25", "bogus") == "II.0.1: 25"


@given(st.binary(max_size=300), st.sampled_from(["utf-8", "cp1250", "x-unknown-8", None, "?"]))
def test_decoding_never_fails(data: bytes, label: str | None) -> None:
    assert isinstance(decode_bytes(data, label), str)


def test_normalize_text_spaces_invisibles_newlines() -> None:
    raw = "\ufeffII.\u200b0.1: 1\u00a0200\r\nII.0.2: 2\u202f500\rII.0.3: 1\u00ad0"
    assert normalize_text(raw) == "II.0.1: 1 200\nII.0.2: 2 500\nII.0.3: 10"


def test_normalize_text_composes_decomposed_letters() -> None:
    assert normalize_text("Os\u0301rodek") == "Ośrodek"
