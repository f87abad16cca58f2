"""The XLSX copy of the card attached to our emails (`Kod | Pytanie | Odpowiedź`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

WIDTHS = {"A": 10, "B": 90, "C": 40}


def card_workbook(rows: Sequence[tuple[str, str, str]], title: str = "Karta") -> bytes:
    """One sheet: the header row, then one row per question; answers stay text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=2):
        cells[1].alignment = Alignment(wrap_text=True, vertical="top")
        cells[2].number_format = "@"  # text: "1 200" or "14.03.2025" stay as typed
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
