"""`parse_message` as a whole: kinds, the last line of defence, confirmations."""

from __future__ import annotations

from datetime import date

import pytest

from domain.cards.catalog import CardCatalog
from domain.cards.model import CardDefinition
from mailer.parsing import is_confirmation, parse_message

OURS = {"monitoring@obserwatorium-mp.example.org"}
TODAY = date(2026, 11, 22)


class BrokenCatalog:
    """A catalog whose lookups fail in a way the parser does not expect."""

    def get(self, kind: str) -> CardDefinition:
        """Always fails."""
        raise RuntimeError(f"catalog unavailable for {kind}")


@pytest.mark.parametrize(
    "raw", [b"", b"\x00\xff" * 50, b"Subject: x\r\n", b"\r\n\r\n\r\n", "Żółw".encode()]
)
def test_anything_gets_a_kind_and_nothing_escapes(raw: bytes) -> None:
    result = parse_message(raw, card=None, catalog=None, our_addresses=OURS, today=TODAY)
    assert result.kind == "reply"
    assert result.errors == []
    assert result.size == len(raw)


def test_an_unexpected_failure_becomes_kind_unknown_with_a_note() -> None:
    raw = (
        b"From: a@b.pl\r\nSubject: [Karta IZUS \xc2\xb7 2026-H2 \xc2\xb7 #q7Xv2LmN]\r\n"
        b"\r\nII.0.1: 5\r\n"
    )
    result = parse_message(raw, card=None, catalog=BrokenCatalog(), our_addresses=OURS, today=TODAY)
    assert result.kind == "unknown"
    assert result.errors == ["RuntimeError: catalog unavailable for izus"]
    assert result.to_json()["kind"] == "unknown"
    assert len(result.sha256) == 64


def test_our_address_with_a_plus_tag_is_own() -> None:
    raw = b"From: Centrum <Monitoring+abc@obserwatorium-mp.example.org>\r\n\r\nII.0.1: 5\r\n"
    result = parse_message(raw, card=None, catalog=None, our_addresses=OURS, today=TODAY)
    assert result.kind == "own"
    assert result.answers == {}


def test_card_unknown_keeps_raw_answers_for_staff() -> None:
    raw = b"From: a@b.pl\r\n\r\nII.1.1: 5\r\nII.1.2: 6\r\n"
    result = parse_message(
        raw, card=None, catalog=CardCatalog.builtin(), our_addresses=OURS, today=TODAY
    )
    assert result.card is None
    assert result.answers == {}
    assert [(r.code, r.raw) for r in result.raw_answers] == [("II.1.1", "5"), ("II.1.2", "6")]


@pytest.mark.parametrize(
    ("text", "confirmed"),
    [
        ("POTWIERDZAM", True),
        ("potwierdzam.", True),
        ("Dane są poprawne, POTWIERDZAM wszystko.", True),
        ("Nie potwierdzam, poprawię jutro", False),
        ("Potwierdzam otrzymanie wiadomości", False),
        ("", False),
    ],
)
def test_is_confirmation(text: str, confirmed: bool) -> None:
    assert is_confirmation(text) is confirmed
