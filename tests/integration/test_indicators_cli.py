"""`kartomat indicators` and `kartomat report` end to end on a SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kartomat.bootstrap import wire
from kartomat.cli.main import app as cli_app
from kartomat.settings import Settings
from storage.uow import SqlUnitOfWork, uow_factory
from tests.conftest import sqlite_engine
from tests.fakes import FakeClock
from tests.service.indicators_fixture import SECOND, build_country

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the indicator fixture (both sessions; the first closed)."""
    folder = tmp_path_factory.mktemp("country")
    engine = sqlite_engine(folder / "k.db")
    sessions = uow_factory(engine)
    settings = Settings(database_url="sqlite://", secret_key_file=folder / "secret")
    clock = FakeClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    app = wire(settings, lambda: SqlUnitOfWork(sessions), clock, b"secret", engine)
    build_country(app)
    engine.dispose()
    return folder


@pytest.fixture
def cli(country: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose kartomat reads the fixture's database."""
    monkeypatch.chdir(country)
    monkeypatch.setenv("KARTOMAT_DATABASE_URL", f"sqlite:///{country / 'k.db'}")
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(cli_app, list(args))
    assert result.exit_code == code, result.output + str(result.exception)
    return result.output


def test_indicators_json_per_level(cli: CliRunner) -> None:
    data = json.loads(run(cli, "indicators", SECOND, "--level", "powiat", "--json"))
    assert set(data) == {"session", "level", "baseline_session", "territories"}
    assert (data["session"], data["level"], data["baseline_session"]) == (
        SECOND,
        "powiat",
        "2026-H2",
    )
    assert [t["teryt"] for t in data["territories"]] == ["0617", "0663", "1465"]
    lublin = data["territories"][1]
    assert set(lublin) == {"teryt", "name", "coverage", "indicators"}
    assert lublin["name"] == "powiat Lublin"
    assert lublin["coverage"] == {"ngo": {"submitted": 4, "assigned": 5},
                                  "izus": {"submitted": 1, "assigned": 1}}  # fmt: skip
    assert lublin["indicators"]["N1.3"] == {
        "value": 8.0, "numerator": 2, "denominator": 25, "baseline": 10.0, "change": -2.0,
        "status": "ok", "reason": None,
    }  # fmt: skip
    assert lublin["indicators"]["N1.1"] == {
        "value": 2, "numerator": 2, "denominator": None, "baseline": 1, "change": 1,
        "status": "ok", "reason": None,
    }  # fmt: skip
    assert len(lublin["indicators"]) == 51


def test_indicators_country_and_territory_filter(cli: CliRunner) -> None:
    country = json.loads(run(cli, "indicators", SECOND, "--level", "kraj", "--json"))
    assert [(t["teryt"], t["name"]) for t in country["territories"]] == [("PL", "Polska")]
    assert country["territories"][0]["indicators"]["EZ"]["value"] == 6.67
    gminy = json.loads(run(cli, "indicators", SECOND, "--territory", "0617", "--json"))
    assert [t["teryt"] for t in gminy["territories"]] == ["0617011", "0617032"]
    na = gminy["territories"][0]["indicators"]["Z1.1"]
    assert (na["status"], na["value"], na["reason"]) == (
        "na",
        None,
        "brak złożonej Karty IZUS w gminie",
    )


def test_indicators_text_and_errors(cli: CliRunner) -> None:
    text = run(cli, "indicators", SECOND, "--territory", "0617011")
    assert "0617011 Świdnik — Karty NGO: 4/4 · Karty IZUS: 0/1" in text
    assert "Z1.1   n/d – brak złożonej Karty IZUS w gminie" in text
    bad = run(cli, "indicators", SECOND, "--level", "region", code=1)
    assert "poziom „region” jest nieznany" in bad and "--level powiat" in bad
    missing = run(cli, "indicators", "2030-H1", code=1)
    assert "Nie ma sesji o nazwie „2030-H1”" in missing


def test_report_written_and_queued(cli: CliRunner, country: Path) -> None:
    out = run(cli, "report", SECOND, "--out", "raport", "--send", "--to", "rops@lublin.example")
    assert "stron HTML 8" in out and "Raport w kolejce do wysłania: rops@lublin.example." in out
    assert (country / "raport" / "index.html").exists()
    assert (country / "raport" / f"raport-mp-{SECOND}.xlsx").exists()
    nobody = run(cli, "report", SECOND, "--out", "raport2", "--send", code=1)
    assert "Brak odbiorców raportu" in nobody
