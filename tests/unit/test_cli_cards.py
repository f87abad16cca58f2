"""`kartomat cards show|check`, driven through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kartomat.cli.cards import app

DEFINITIONS = Path(__file__).parents[2] / "domain" / "cards" / "definitions"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_show_lists_questions_by_section() -> None:
    code, out, _ = run("show", "ngo")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Karta NGO (ngo), wersja 2026.1"
    assert "Część I – Ogólne informacje o podmiocie / organizacji" in lines
    assert "Sfera 6 – System monitoringu lokalnych usług społecznych" in lines
    i5 = next(line for line in lines if line.strip().startswith("I.5 "))
    assert i5.split()[:3] == ["I.5", "text", "R"]
    assert i5.endswith("Rodzaj placówki  [jeśli I.4 has inst]")
    assert any(line.split()[:3] == ["I.1d", "one(WOJ)", "R"] for line in lines)
    assert any(line.split()[:3] == ["II.7.2", "money", "O"] for line in lines)
    assert any(line.split()[:3] == ["III.3", "date", "—"] for line in lines)


def test_show_izus_sections_in_order() -> None:
    code, out, _ = run("show", "izus")
    assert code == 0
    assert out.index("Kontekst terytorium") < out.index("Sfera 1 –") < out.index("Część III")
    assert "I.6b      date              R  Data uchwalenia Programu  [jeśli I.6a = true]" in out


def test_show_json() -> None:
    code, out, _ = run("show", "izus", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["card"] == "izus"
    assert data["version"] == "2026.1"
    assert data["questions"][0]["id"] == "izus.I.1a"
    assert "Nazwa instytucji" in out  # Polish text is not \u-escaped
    keys = {"id", "code", "type", "required", "condition", "options", "prefill", "added",
            "label_pl", "label_en"}  # fmt: skip
    assert all(set(q) == keys for q in data["questions"])


def test_show_unknown_kind_is_a_usage_error() -> None:
    code, _, err = run("show", "xyz")
    assert code == 2
    assert "xyz" in err


def test_check_ok() -> None:
    code, out, _ = run("check", str(DEFINITIONS / "ngo.yaml"))
    assert code == 0
    assert out.strip() == "OK: ngo 2026.1, 48 pytań"
    code, out, _ = run("check", str(DEFINITIONS / "izus.yaml"))
    assert out.strip() == "OK: izus 2026.1, 43 pytań"


def test_check_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "ngo.yaml"
    text = (DEFINITIONS / "ngo.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("condition: I.4 has inst", "condition: I.4 has instytucja"))
    code, out, err = run("check", str(broken))
    assert code == 1
    assert out == ""
    assert err.startswith(f"{broken}: ngo.I.5: expression 'I.4 has instytucja': ")
    assert "'instytucja' is not an option of list FORM" in err


def test_check_missing_file(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "none.yaml"))
    assert code == 1
    assert "cannot read the file" in err
