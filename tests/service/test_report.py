"""The Raport MP: its files, their content, sending through the outbox, definition versions."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.errors import NotAllowed, UserError
from domain.indicators import Level, parse_indicators
from domain.schedule.harmonogram import load_harmonogram
from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from services.report import ReportBuild
from tests.fakes import FakeClock, FakeUnitOfWork, Store
from tests.service.indicators_fixture import FIRST, SECOND, build_country

GMINY = ("0617011", "0617032", "0663011", "1465011")
DEFINITIONS = "definitions/indicators.yaml"
FILES = {"index.html", "metody.html", "wojewodztwa/06.html", "wojewodztwa/14.html",
         *(f"gminy/{g}.html" for g in GMINY), f"raport-mp-{SECOND}.xlsx",
         f"raport-mp-{SECOND}.csv"}  # fmt: skip


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ReportBuild, list[tuple[str, int, int]]]:
    """The report of the second session, built once on the fake backend (rendering only)."""
    store = Store()
    settings = Settings(
        database_url="sqlite://", secret_key_file=tmp_path_factory.mktemp("s") / "k"
    )
    clock = FakeClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    app = wire(settings, lambda: FakeUnitOfWork(store), clock, b"secret")
    build_country(app)
    ticks: list[tuple[str, int, int]] = []
    build = app.report.build(SECOND, tmp_path_factory.mktemp("raport"), lambda *t: ticks.append(t))
    return build, ticks


def test_report_files_pages_and_offline_html(built: tuple[ReportBuild, list[Any]]) -> None:
    build, ticks = built
    out = build.directory
    assert set(build.files) == FILES
    assert all((out / f).stat().st_size > 0 for f in FILES)
    assert ticks[-1][1] == ticks[-1][2]  # the progress reached its end
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="pl">' in index and "Najważniejsze liczby (kraj)" in index
    assert "Wartości bazowe: sesja <b>2026-H2</b>" in index and "Luka NGO – IZUS" in index
    for name in FILES:
        if name.endswith(".html"):
            html = (out / name).read_text(encoding="utf-8")
            # Offline: nothing fetched (the SVG namespace is a name, not a request).
            assert not re.search(r"(src|href)=\"(https?:)?//", html), name
            assert "<link" not in html and "<script src" not in html
            assert html.count('<svg class="chart"') > 0, name
    gmina = (out / "gminy" / "0617032.html").read_text(encoding="utf-8")
    assert "brak złożonych Kart NGO w gminie" in gmina and "mianownik równy 0" in gmina
    methods = (out / "metody.html").read_text(encoding="utf-8")
    assert "count(ngo.II.1.3a &gt; 0 or ngo.II.1.3b &gt; 0" in methods
    assert "Braki danych (n/d) w gminach" in methods


def test_report_csv_is_long_and_matches_the_indicators(built: tuple[ReportBuild, Any]) -> None:
    build, _ = built
    text = (build.directory / f"raport-mp-{SECOND}.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 51 * 10 and build.build_id
    row = next(r for r in rows if r["teryt"] == "PL" and r["indicator"] == "N1.3")
    assert row == {
        "session": SECOND, "level": "kraj", "teryt": "PL", "name": "Polska",
        "indicator": "N1.3", "value": "6.9", "numerator": "2", "denominator": "29",
        "baseline": "8.3", "change": "-1.4", "status": "ok", "reason": "", "cards": "7",
        "definition_version": "2026.1",
    }  # fmt: skip
    na = next(r for r in rows if r["teryt"] == "0617011" and r["indicator"] == "Z1.1")
    assert (na["status"], na["value"], na["reason"]) == (
        "na",
        "",
        "brak złożonej Karty IZUS w gminie",
    )


def test_report_workbook_for_staff(built: tuple[ReportBuild, Any]) -> None:
    build, _ = built
    book = load_workbook(build.directory / f"raport-mp-{SECOND}.xlsx")
    assert book.sheetnames == ["Kraj", "Województwa", "Powiaty", "Gminy", "Luka NGO–IZUS",
                               "Definicje"]  # fmt: skip
    sheet = book["Gminy"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["TERYT", "Nazwa", "NGO złożone", "NGO przydzielone", "IZUS złożone",
                          "IZUS przydzielone"]  # fmt: skip
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == f"A1:{_col(len(header))}5"
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == set(GMINY)
    n13 = header.index("N1.3")
    cell = rows["0663011"][n13]
    assert (cell.value, cell.number_format) == (8.0, "0.0")
    assert rows["0663011"][n13 + 1].value == -2.0  # the change, in percentage points
    assert rows["0617011"][header.index("Z1.1")].value is None  # n/a stays empty
    assert book["Kraj"]["A2"].value == "PL" and book["Definicje"]["A2"].value == "N1.1"


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def test_send_queues_one_message_per_recipient_and_build(app: App, tmp_path: Path) -> None:
    build_country(app, second=False)
    with app.uow() as uow:
        session = uow.sessions.get_by_name(FIRST)
        assert session is not None
        session.harmonogram = {"report_recipients": ["rops@lublin.example", "mrpips@gov.example"]}
        assert load_harmonogram(session.harmonogram).report_recipients  # the scheduler agrees
        uow.sessions.update(session)
        uow.commit()
    build = app.report.build(FIRST, tmp_path)
    sent = app.report.send(build, ["ROPS@lublin.example", "analityk@cm.example"])
    assert sent == ["rops@lublin.example", "mrpips@gov.example", "analityk@cm.example"]
    app.report.send(build)  # the same build again: nothing new
    with app.uow() as uow:
        messages = [m for m in uow.outbox.all() if m.kind == "report"]
    assert sorted(m.recipient for m in messages) == sorted(sent)
    message = messages[0]
    assert message.channel == "email" and message.payload["session"] == FIRST
    assert message.payload["dir"] == str(tmp_path) and message.payload["build"] == build.build_id
    assert message.dedupe_key == f"report:{FIRST}:{build.build_id}:{message.recipient}"


def test_send_needs_valid_recipients(app: App, tmp_path: Path) -> None:
    build_country(app, second=False)
    build = app.report.build(FIRST, tmp_path)
    with pytest.raises(UserError, match="report_recipients"):
        app.report.send(build)
    with pytest.raises(UserError, match="nie jest poprawnym adresem"):
        app.report.send(build, ["rops(at)lublin"])


def test_revised_definitions_are_a_new_version_never_a_rewrite(app: App, tmp_path: Path) -> None:
    build_country(app)
    # The Centrum revises N1.1 in the definitions file and bumps its version.
    text = resources.files("domain.indicators").joinpath(DEFINITIONS).read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', 'version: "2026.2"', 1)
    text = text.replace("numerator: {count: II.1.1 > 0}", "numerator: {count: II.1.1 > 1}", 1)
    app.indicators.definitions = parse_indicators(text, "revised.yaml", app.catalog)
    app.sessions.close(SECOND)
    data = app.indicators.load(SECOND, (Level.GMINA,))
    assert data.revised == ["N1.1"]
    b = data.current.at(Level.GMINA)["0617011"].values["N1.1"]
    assert b.value == 0  # B1 has one Researcher LP: counted before, not under "> 1"
    baseline = data.baseline_value(Level.GMINA, "0617011", "N1.1")
    assert baseline is not None and baseline.value == 1  # the baseline keeps its old value
    assert data.baseline and data.baseline.version == "2026.1"
    with app.uow() as uow:
        first = uow.sessions.get_by_name(FIRST)
        second = uow.sessions.get_by_name(SECOND)
        assert first and second
        assert [s.definition_version for s in uow.indicators.snapshots(first.id or 0)] == ["2026.1"]
        assert [s.definition_version for s in uow.indicators.snapshots(second.id or 0)] == [
            "2026.2"
        ]
    with pytest.raises(NotAllowed, match="zamrożone"):
        app.indicators.snapshot(FIRST)  # the baseline is never recomputed
    app.report.build(SECOND, tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Definicje zmieniły się od sesji bazowej dla: N1.1" in index
