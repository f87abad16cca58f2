"""Filled templates as spreadsheets: XLSX/XLSM, CSV and ODS (email-cases.md case 16).

The template attached to our emails has the columns `Kod | Pytanie | Odpowiedź`
(channels.md). XLSX is read with openpyxl in `data_only` mode (cached formula
results, no formulas evaluated) and openpyxl parses its XML with defusedxml when it
is installed (it is a project dependency); ODS `content.xml` goes through defusedxml
directly. Archives are checked for decompression bombs before anything is parsed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from defusedxml import ElementTree

from mailer.parsing.charsets import decode_bytes
from mailer.parsing.keyed import CODE, normalize_code

MAX_UNCOMPRESSED = 30 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_ROWS = 2000
MAX_COLUMNS = 30
_HEADER_ROWS = 15
_CODE_CELL = re.compile(r"^\s*\[?\s*" + CODE + r"\s*\]?\s*$", re.IGNORECASE)
_CODE_HEADERS = frozenset({"kod", "code", "kod pytania"})
_ANSWER_HEADERS = frozenset({"odpowiedz", "answer", "wartosc", "value", "odpowiedzi"})
_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}

Cell = object
Rows = list[list[Cell]]


class SpreadsheetError(Exception):
    """A spreadsheet that cannot be read; the message goes to staff review."""


@dataclass(frozen=True)
class SheetValue:
    """One template row: code, the answer cell as text, and where it was."""

    code: str
    raw: str
    sheet: str
    row: int  # 1-based, as a person sees it
    card: str | None = None


def fold(text: str) -> str:
    """Lowercase without diacritics ("Odpowiedź" -> "odpowiedz") for header matching."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().lower()


def cell_text(value: Cell) -> str:
    """A cell as the text a respondent would have typed (dates ISO, booleans tak/nie)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def check_archive(data: bytes) -> None:
    """Refuse ZIP containers that are corrupt or would inflate beyond our limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetError(f"uszkodzone archiwum ({exc})") from exc
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
        raise SpreadsheetError("archiwum jest za duże po rozpakowaniu")


def read_xlsx(data: bytes) -> list[tuple[str, Rows]]:
    """Sheets of an XLSX/XLSM workbook as rows of cell values (cached formula results)."""
    check_archive(data)
    from openpyxl import load_workbook  # imported lazily: only replies with sheets pay

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style", data validation, ...
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return [
                    (sheet.title, _limited(sheet.iter_rows(values_only=True)))
                    for sheet in book.worksheets
                ]
            finally:
                book.close()
    except SpreadsheetError:
        raise
    except Exception as exc:  # openpyxl raises many types for broken files
        raise SpreadsheetError(f"nie da się otworzyć pliku XLSX ({type(exc).__name__})") from exc


def _limited(rows: Iterable[Sequence[Cell]]) -> Rows:
    out: Rows = []
    for row in rows:
        if len(out) >= MAX_ROWS:
            break
        out.append(list(row[:MAX_COLUMNS]))
    return out


def read_csv(data: bytes) -> list[tuple[str, Rows]]:
    """A CSV file (`;`, `,` or tab separated; any charset) as one sheet."""
    text = decode_bytes(data, None).lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    try:
        rows = _limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise SpreadsheetError(f"nie da się odczytać pliku CSV ({exc})") from exc
    return [("CSV", rows)]


def read_ods(data: bytes) -> list[tuple[str, Rows]]:
    """Sheets of an OpenDocument spreadsheet, read from `content.xml` with defusedxml."""
    check_archive(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("content.xml"))
        sheets = []
        for table in root.iter(f"{{{_ODS['table']}}}table"):
            name = table.get(f"{{{_ODS['table']}}}name") or "Arkusz"
            rows = [_ods_row(row) for row in table.iter(f"{{{_ODS['table']}}}table-row")]
            sheets.append((name, rows[:MAX_ROWS]))
    except Exception as exc:  # KeyError, ParseError, defusedxml's forbidden constructs
        raise SpreadsheetError(f"nie da się otworzyć pliku ODS ({type(exc).__name__})") from exc
    return sheets


def _repeat(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 1


def _ods_row(row: Any) -> list[Cell]:
    cells: list[Cell] = []
    table, office = _ODS["table"], _ODS["office"]
    for cell in row:
        repeat = _repeat(cell.get(f"{{{table}}}number-columns-repeated"))
        kind = cell.get(f"{{{office}}}value-type")
        if kind in ("float", "percentage", "currency"):
            value: Cell = cell.get(f"{{{office}}}value")
        elif kind == "date":
            value = (cell.get(f"{{{office}}}date-value") or "")[:10]
        elif kind == "boolean":
            value = cell.get(f"{{{office}}}boolean-value") == "true"
        else:
            value = "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{_ODS['text']}}}p"))
        cells.extend([value] * min(repeat, MAX_COLUMNS - len(cells)))
        if len(cells) >= MAX_COLUMNS:
            break
    return cells


def _columns(rows: Rows) -> tuple[int, int, int]:
    """(header row index or -1, code column, answer column) of a template sheet."""
    for index, row in enumerate(rows[:_HEADER_ROWS]):
        folded = [fold(cell_text(cell)) for cell in row]
        code_col = next((i for i, c in enumerate(folded) if c in _CODE_HEADERS), None)
        answer_col = next((i for i, c in enumerate(folded) if c in _ANSWER_HEADERS), None)
        if code_col is not None and answer_col is not None:
            return index, code_col, answer_col
    width = max((len(row) for row in rows), default=0)
    return -1, 0, 2 if width >= 3 else 1


def template_values(sheets: Sequence[tuple[str, Rows]]) -> list[SheetValue]:
    """Rows whose code cell holds a question code, with the answer cell as text."""
    found: list[SheetValue] = []
    for name, rows in sheets:
        header, code_col, answer_col = _columns(rows)
        for index, row in enumerate(rows):
            if index <= header or len(row) <= code_col:
                continue
            match = _CODE_CELL.match(cell_text(row[code_col]))
            if match is None:
                continue
            raw = cell_text(row[answer_col]) if answer_col < len(row) else ""
            card = match.group("card")
            code = normalize_code(match.group("code"))
            found.append(SheetValue(code, raw, name, index + 1, card.lower() if card else None))
    return found
