"""`kartomat mail parse FILE.eml --json` over every fixture: the CLI prints the parser's JSON.

Table-driven from tests/fixtures/emails/manifest.json (the same table the parser's own
tests use), through typer's CliRunner: no database is created or touched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kartomat.cli.main import app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "emails"
MANIFEST: dict[str, Any] = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
NAMES = sorted(MANIFEST["fixtures"])


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner in an empty directory whose From address is the fixtures' one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KARTOMAT_MAIL_FROM", MANIFEST["our_addresses"][0])
    monkeypatch.setenv("KARTOMAT_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    return CliRunner()


def test_the_table_covers_every_case_of_the_spec() -> None:
    covered = {case for spec in MANIFEST["fixtures"].values() for case in spec["cases"]}
    assert len(NAMES) >= 40 and set(range(1, 30)) <= covered


@pytest.mark.parametrize("name", NAMES)
def test_mail_parse_json_matches_the_expected_output(
    cli: CliRunner, tmp_path: Path, name: str
) -> None:
    spec = MANIFEST["fixtures"][name]
    args = ["mail", "parse", str(FIXTURES / f"{name}.eml"), "--json"]
    args += ["--today", MANIFEST["today"]]
    if spec["card"]:
        args += ["--card", spec["card"]]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == expected
    assert not (tmp_path / "never.db").exists()


def test_plain_output_lists_answers_and_rejections_in_polish(cli: CliRunner) -> None:
    path = FIXTURES / "26_bad_values_rejected.eml"
    result = cli.invoke(app, ["mail", "parse", str(path), "--today", MANIFEST["today"]])
    assert result.exit_code == 0
    assert "Rodzaj: reply; karta: izus" in result.stdout
    assert "II.0.1    odrzucone „dwadzieścia”" in result.stdout


def test_unknown_card_and_missing_file_are_refused_with_an_example(cli: CliRunner) -> None:
    path = str(FIXTURES / "01_gmail_answers_above_quote.eml")
    result = cli.invoke(app, ["mail", "parse", path, "--card", "xyz"])
    assert result.exit_code == 1 and "np." not in result.stdout
    assert "--card ngo albo --card izus" in result.output
    result = cli.invoke(app, ["mail", "parse", "nie-ma.eml"])
    assert result.exit_code == 1 and "nie można odczytać pliku" in result.output
