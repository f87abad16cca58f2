"""The Raport MP as data: a long CSV for analysts and an XLSX workbook for staff."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from domain.indicators import LEVELS, GapView, Kind, Level
from services.indicators import SessionIndicators, indicator_json
from services.report_pages import KINDS

CSV_COLUMNS = (
    "session", "level", "teryt", "name", "indicator", "value", "numerator", "denominator",
    "baseline", "change", "status", "reason", "cards", "definition_version",
)  # fmt: skip
SHEETS = {Level.KRAJ: "Kraj", Level.WOJEWODZTWO: "Województwa", Level.POWIAT: "Powiaty",
          Level.GMINA: "Gminy"}  # fmt: skip
FORMATS = {Kind.PERCENTAGE: "0.0", Kind.RATIO: "0.00", Kind.COUNT: "#,##0", Kind.SUM: "#,##0"}
CHANGE_FORMATS = {Kind.PERCENTAGE: "+0.0;-0.0;0.0", Kind.RATIO: "+0.00;-0.00;0.00",
                  Kind.COUNT: "+#,##0;-#,##0;0", Kind.SUM: "+#,##0;-#,##0;0"}  # fmt: skip
_BOLD = Font(bold=True)


def long_rows(data: SessionIndicators) -> Iterator[list[Any]]:
    """One row per territory and indicator, every level (the CSV's body)."""
    for level in LEVELS:
        for teryt, territory in data.current.at(level).items():
            for indicator in data.definitions.indicators:
                value = territory.values[indicator.id]
                cells = indicator_json(
                    indicator, value, data.baseline_value(level, teryt, indicator.id)
                )
                yield [
                    data.session.name, level.value, teryt, data.name(teryt), indicator.id,
                    cells["value"], cells["numerator"], cells["denominator"], cells["baseline"],
                    cells["change"], cells["status"], cells["reason"], value.cards,
                    data.current.version,
                ]  # fmt: skip


def csv_bytes(data: SessionIndicators) -> bytes:
    """The long CSV, UTF-8 with a BOM so that spreadsheet programs read Polish letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([("" if c is None else c) for c in row] for row in long_rows(data))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(data: SessionIndicators, gaps: GapView) -> bytes:
    """A sheet per level (value and change of every indicator), the gap view, definitions."""
    workbook = Workbook(write_only=True)
    for level in (Level.KRAJ, Level.WOJEWODZTWO, Level.POWIAT, Level.GMINA):
        _level_sheet(workbook.create_sheet(SHEETS[level]), data, level)
    _gap_sheet(workbook.create_sheet("Luka NGO–IZUS"), data, gaps)
    _definitions_sheet(workbook.create_sheet("Definicje"), data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet: WriteOnlyWorksheet, names: list[str], rows: int, frozen: str) -> None:
    """Bold header, frozen panes, filters over the whole table (set before rows are written)."""
    sheet.freeze_panes = frozen
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{rows + 1}"
    for n in range(1, len(names) + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 28 if n == 2 else 11
    sheet.append([_cell(sheet, name, font=_BOLD) for name in names])


def _cell(sheet: WriteOnlyWorksheet, value: Any, *, fmt: str | None = None,
          font: Font | None = None) -> WriteOnlyCell:  # fmt: skip
    cell = WriteOnlyCell(sheet, value=value)
    if fmt is not None:
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    return cell


def _level_sheet(sheet: WriteOnlyWorksheet, data: SessionIndicators, level: Level) -> None:
    indicators = data.definitions.indicators
    names = ["TERYT", "Nazwa", "NGO złożone", "NGO przydzielone", "IZUS złożone",
             "IZUS przydzielone"]  # fmt: skip
    for indicator in indicators:
        names += [indicator.id, f"{indicator.id} zmiana"]
    territories = data.current.at(level)
    _header(sheet, names, len(territories), "C2")
    for teryt, territory in territories.items():
        c = territory.coverage
        row: list[Any] = [teryt, data.name(teryt), c.ngo_submitted, c.ngo_assigned,
                          c.izus_submitted, c.izus_assigned]  # fmt: skip
        for indicator in indicators:
            cells = indicator_json(indicator, territory.values[indicator.id],
                                   data.baseline_value(level, teryt, indicator.id))  # fmt: skip
            row.append(_cell(sheet, cells["value"], fmt=FORMATS[indicator.kind]))
            row.append(_cell(sheet, cells["change"], fmt=CHANGE_FORMATS[indicator.kind]))
        sheet.append(row)


def _gap_sheet(sheet: WriteOnlyWorksheet, data: SessionIndicators, gaps: GapView) -> None:
    names = ["TERYT", "Nazwa", "Poziom"]
    for pair in data.definitions.gaps:
        names += [f"{pair.ngo} (NGO)", f"{pair.izus} (IZUS)", f"{pair.ngo}−{pair.izus}"]
    rows = [
        (level, teryt, items) for level in LEVELS for teryt, items in gaps.get(level, {}).items()
    ]
    _header(sheet, names, len(rows), "D2")
    for level, teryt, items in rows:
        row: list[Any] = [teryt, data.name(teryt), level.value]
        for gap in items:
            row += [gap.ngo, gap.izus, gap.difference]
        sheet.append(row)


def _definitions_sheet(sheet: WriteOnlyWorksheet, data: SessionIndicators) -> None:
    definitions = data.definitions
    names = ["Id", "Nazwa", "Perspektywa", "Sfera", "Rodzaj", "Wzór", "Odczyt", "Wersja"]
    _header(sheet, names, len(definitions.indicators), "B2")
    for i in definitions.indicators:
        sheet.append([i.id, i.name_pl, i.perspective, i.sphere, KINDS[i.kind], i.formula(),
                      i.reading_pl or "", definitions.version])  # fmt: skip
