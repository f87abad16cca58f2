"""Table-driven: every real-shaped message in tests/fixtures/emails against its JSON.

`manifest.json` lists each fixture with the `--card` it is parsed with (null: derived),
the email-cases.md rows it covers and extra attributes to check; `NAME.expected.json`
is the exact `MailParseResult.to_json()`.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from domain.cards.catalog import CardCatalog
from mailer.parsing import MailParseResult, parse_message

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "emails"
MANIFEST: dict[str, Any] = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(MANIFEST["today"])
NAMES = sorted(MANIFEST["fixtures"])


@cache
def catalog() -> CardCatalog:
    """The built-in card definitions, loaded once."""
    return CardCatalog.builtin()


@cache
def parsed(name: str) -> MailParseResult:
    """Parse one fixture as `kartomat mail parse` would, with the manifest's card."""
    spec = MANIFEST["fixtures"][name]
    card = catalog().get(spec["card"]) if spec["card"] else None
    return parse_message(
        (FIXTURES / f"{name}.eml").read_bytes(),
        card=card,
        catalog=catalog(),
        our_addresses=set(MANIFEST["our_addresses"]),
        today=TODAY,
    )


def test_every_fixture_is_listed_and_has_its_expectation() -> None:
    on_disk = {path.stem for path in FIXTURES.glob("*.eml")}
    assert on_disk == set(NAMES)
    assert all((FIXTURES / f"{name}.expected.json").is_file() for name in NAMES)
    assert len(NAMES) >= 40


def test_every_case_of_the_spec_that_a_parser_can_show_is_covered() -> None:
    covered = {case for spec in MANIFEST["fixtures"].values() for case in spec["cases"]}
    assert set(range(1, 30)) <= covered  # case 30 is IMAP behaviour, not parsing


@pytest.mark.parametrize("name", NAMES)
def test_fixture_matches_expected_json(name: str) -> None:
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    result = parsed(name)
    assert result.errors == []
    assert result.to_json() == expected


def _check(result: MailParseResult, key: str, expected: Any) -> None:
    attribute, _, check = key.partition("__")
    actual = getattr(result, attribute)
    if check == "len":
        assert len(actual) == expected, (key, actual)
    elif check == "contains":
        assert expected in actual, (key, actual)
    elif check == "not_contains":
        assert expected not in actual, (key, actual)
    else:
        assert actual == expected, (key, actual)


@pytest.mark.parametrize("name", [n for n in NAMES if MANIFEST["fixtures"][n]["attrs"]])
def test_fixture_details(name: str) -> None:
    result = parsed(name)
    for key, expected in MANIFEST["fixtures"][name]["attrs"].items():
        _check(result, key, expected)


def test_json_output_is_serialisable_with_exactly_the_cli_keys() -> None:
    keys = {"kind", "token", "in_reply_to", "card", "answers", "rejected", "conflicts"}
    for name in NAMES:
        data = parsed(name).to_json()
        assert set(data) == keys | {"bounced_recipient"}
        json.dumps(data)


def test_same_message_id_with_other_content_has_another_hash() -> None:
    first, second = (
        parsed("01_gmail_answers_above_quote"),
        parsed("55_same_message_id_other_content"),
    )
    assert first.message_id == second.message_id
    assert first.sha256 != second.sha256


def test_non_replies_never_carry_answers() -> None:
    for name in NAMES:
        result = parsed(name)
        if result.kind != "reply":
            assert result.answers == {} and result.raw_answers == [], name


def test_rejections_carry_a_polish_reason_with_an_example() -> None:
    result = parsed("26_bad_values_rejected")
    assert {r.code for r in result.rejected} == {"II.0.1", "II.0.2", "II.0.3", "I.6b", "I.7b"}
    assert all("np." in r.reason_pl and r.reason_en for r in result.rejected)
    assert result.answers == {"I.6a": True, "II.1.1": 3, "II.3.1": 2}
