"""The `kartomat` command end to end on a SQLite file (and once on PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kartomat.cli.main import app
from tests.sample import REGISTRY_HEADER, registry_csv

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose kartomat uses a fresh SQLite file in a temp working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KARTOMAT_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    monkeypatch.setenv("KARTOMAT_TELEGRAM_BOT_USERNAME", "kartomat_test_bot")
    (tmp_path / "registry.csv").write_bytes(registry_csv())
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output + str(result.exception)
    return result.output


def test_pipeline_import_open_status_invites_paper_export(cli: CliRunner, tmp_path: Path) -> None:
    out = run(cli, "registry", "import", "registry.csv", "--dry-run")
    assert "Sprawdzono (bez zapisu): nowe 5" in out
    assert "nowe 5" in run(cli, "registry", "import", "registry.csv")
    assert "bez zmian 5" in run(cli, "registry", "import", "registry.csv")
    run(cli, "staff", "add", "--name", "Ola Staff", "--email", "ola@cm.example",
        "--territory", "06", "--telegram-id", "5001")  # fmt: skip
    run(cli, "session", "create", "2026-H2", "--opens", "2026-11-02", "--deadline",
        "2030-11-29", "--cards", "ngo,izus", "--territory", "06")  # fmt: skip
    assert "nowych przydziałów kart 5" in run(cli, "session", "open", "2026-H2")
    status = json.loads(run(cli, "status", "2026-H2", "--json"))
    assert status["session"] == "2026-H2" and len(status["assignments"]) == 5
    row = status["assignments"][0]
    assert set(row) == {"external_id", "card", "status", "answered", "required", "deadline",
                        "submitted_at"}  # fmt: skip
    invites = json.loads(run(cli, "invites", "2026-H2", "--json"))
    assert len(invites) == 5
    token = invites[0]["token"]
    assert len(token) >= 22 and invites[0]["telegram_link"].endswith(f"?start={token}")
    assert token not in (tmp_path / "k.db").read_bytes().decode("latin-1")  # only a hash

    paper = "external_id,card,code,value\nIZUS-LUB,izus,II.0.1,120\nIZUS-LUB,izus,I.6a,tak\n"
    (tmp_path / "paper.csv").write_text(paper)
    assert "Zapisano odpowiedzi: 2" in run(cli, "answers", "import", "2026-H2", "paper.csv")
    exported = run(cli, "export", "2026-H2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {(r["external_id"], r["code"], r["value"]) for r in rows} >= {
        ("IZUS-LUB", "II.0.1", "120"), ("IZUS-LUB", "I.6a", "true")
    }  # fmt: skip
    assert rows[0]["channel"] == "paper" and rows[0]["status"] == "in_progress"
    as_json = json.loads(run(cli, "export", "2026-H2", "--format", "json"))
    assert any(
        (r["external_id"], r["code"], r["value"]) == ("IZUS-LUB", "II.0.1", 120) for r in as_json
    )
    run(cli, "export", "2026-H2", "--format", "xlsx", "--out", "x.xlsx")
    assert (tmp_path / "x.xlsx").read_bytes()[:2] == b"PK"
    run(cli, "session", "extend", "2026-H2", "--org", "NGO-003", "--until", "2030-12-10")
    assert "sesja bazowa" in run(cli, "session", "close", "2026-H2").lower()


def test_bad_paper_file_imports_nothing(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "registry", "import", "registry.csv")
    run(cli, "session", "create", "S1", "--opens", "2026-11-02", "--deadline", "2026-11-30")
    run(cli, "session", "open", "S1")
    bad = (
        "external_id,card,code,value\n"
        "IZUS-LUB,izus,II.0.1,120\n"
        "IZUS-LUB,izus,II.0.2,dużo\n"
        "NGO-999,ngo,II.1.1,1\n"
        "IZUS-LUB,izus,X.9,1\n"
    )
    (tmp_path / "bad.csv").write_text(bad)
    out = run(cli, "answers", "import", "S1", "bad.csv", code=1)
    assert "wiersz 3" in out and "wiersz 4" in out and "wiersz 5" in out
    exported = run(cli, "export", "S1", "--format", "json")
    assert json.loads(exported) == []


def test_bad_registry_lists_every_error_and_imports_nothing(cli: CliRunner, tmp_path: Path) -> None:
    rows = [
        "A1,ngo,Fundacja A,fundacja,0663011,Lublin,Lublin,lubelskie,Anna,a@a.example,,telegram",
        "A2,xyz,Fundacja B,fundacja,0663011,Lublin,Lublin,lubelskie,Anna,b@b.example,,telegram",
        "A3,ngo,Fundacja C,fundacja,663011,Lublin,Lublin,lubelskie,Anna,c@c.example,,telegram",
    ]
    (tmp_path / "bad.csv").write_text("\n".join([REGISTRY_HEADER, *rows]) + "\n")
    out = run(cli, "registry", "import", "bad.csv", code=1)
    assert "wiersz 3" in out and "wiersz 4" in out and "wiersz 2" not in out
    run(cli, "session", "create", "S1", "--opens", "2026-11-02", "--deadline", "2026-11-30")
    assert "nowych przydziałów kart 0" in run(cli, "session", "open", "S1")


def test_user_errors_are_polish_and_exit_1(cli: CliRunner) -> None:
    out = run(cli, "session", "open", "nie-ma-takiej", code=1)
    assert "Nie ma sesji" in out
    out = run(cli, "session", "create", "X", "--opens", "15.11.2026", "--deadline", "2026-11-30",
              code=1)  # fmt: skip
    assert "RRRR-MM-DD" in out
    out = run(cli, "session", "create", "X", "--opens", "2026-11-02", "--deadline", "2026-11-01",
              code=1)  # fmt: skip
    assert "nie może być wcześniejszy" in out
    out = run(cli, "staff", "add", "--name", "A", "--email", "a@b.c", "--territory", "6", code=1)
    assert "prefiksem TERYT" in out


def test_db_upgrade_reports_revision(cli: CliRunner) -> None:
    assert "→ " in run(cli, "db", "upgrade")
