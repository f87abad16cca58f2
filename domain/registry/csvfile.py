"""Reading the registry's CSV as Excel writes it: encodings, separators, header."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from domain.cards.values import fold, normalise
from domain.registry.model import COLUMNS, RegistryError


def decode_registry_bytes(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1250."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel in Poland saves "CSV" in the ANSI code page, Windows-1250.
        return data.decode("cp1250", errors="replace")


def _delimiter(text: str) -> str:
    """The separator the header line uses most: comma, semicolon or tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=first.count)


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-empty records with the physical line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    previous = 0
    for record in reader:
        line, previous = previous + 1, reader.line_num
        if any(cell.strip() for cell in record):
            yield line, record


def column_name(cell: str) -> str:
    """A header cell as a column name: "Województwo" -> "wojewodztwo"."""
    return fold(normalise(cell)).replace(" ", "_").replace("-", "_")


def header(line: int, cells: list[str]) -> tuple[list[str], list[RegistryError], bool]:
    """Column names, header problems, and whether rows can be read at all."""
    names = [column_name(c) for c in cells]
    expected = ",".join(COLUMNS)
    if not set(names) & set(COLUMNS):
        message = f"Pierwszy wiersz musi być nagłówkiem z nazwami kolumn, np. {expected}"
        return names, [RegistryError(line, None, message)], False
    errors = []
    if missing := [c for c in COLUMNS if c not in names]:
        message = f"Brak kolumn: {', '.join(missing)}. Pełny nagłówek to np. {expected}"
        errors.append(RegistryError(line, None, message))
    if unknown := [n for n in names if n and n not in COLUMNS]:
        message = f"Nieznane kolumny: {', '.join(unknown)}. Dozwolone są np. {expected}"
        errors.append(RegistryError(line, None, message))
    if repeated := sorted({n for n in names if n and names.count(n) > 1}):
        message = f"Powtórzone kolumny: {', '.join(repeated)}. Nagłówek to np. {expected}"
        errors.append(RegistryError(line, None, message))
    return names, errors, not missing and not repeated
