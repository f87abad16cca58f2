"""Template spreadsheets (case 16), attachment kinds (case 17) and winmail.dat (case 18)."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from mailer.parsing.attachments import leaf_kind, sniff
from mailer.parsing.spreadsheets import (
    SpreadsheetError,
    cell_text,
    check_archive,
    read_csv,
    read_xlsx,
    template_values,
)
from mailer.parsing.tnef import TnefError, read_tnef


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (True, "tak"),
        (False, "nie"),
        (25, "25"),
        (1200.0, "1200"),
        (12500.5, "12500.5"),
        (datetime(2024, 3, 12, 0, 0), "2024-03-12"),
        ("  fundacja ", "fundacja"),
    ],
)
def test_cell_text(cell: object, text: str) -> None:
    assert cell_text(cell) == text


def test_template_values_find_the_header_row_anywhere_near_the_top() -> None:
    rows: list[list[object]] = [
        ["Karta IZUS"],
        [],
        ["Lp.", "KOD", "Pytanie", "Odpowiedź"],
        [1, "[II.0.1]", "Liczba", 25],
        [2, "izus.II.0.2", "Liczba", None],
        [3, "uwagi", "", "brak"],
    ]
    found = template_values([("Arkusz1", rows)])
    assert [(v.code, v.raw, v.row, v.card) for v in found] == [
        ("II.0.1", "25", 4, None),
        ("II.0.2", "", 5, "izus"),
    ]


def test_template_values_without_a_header_use_the_third_column() -> None:
    found = template_values([("CSV", [["II.0.1", "Liczba", "7"], ["[I.6a]", "Program", "tak"]])])
    assert [(v.code, v.raw) for v in found] == [("II.0.1", "7"), ("I.6a", "tak")]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiters_and_charset(delimiter: str) -> None:
    text = delimiter.join(["Kod", "Pytanie", "Odpowiedź"]) + "\r\n"
    text += (
        delimiter.join(["[I.3]", '"Kto pełni funkcję; opis"', "Pracownik – Źródłowska"]) + "\r\n"
    )
    found = template_values(read_csv(text.encode("cp1250")))
    assert [(v.code, v.raw) for v in found] == [("I.3", "Pracownik – Źródłowska")]


def test_xlsx_round_trip_and_broken_files() -> None:
    book = Workbook()
    assert book.active is not None
    book.active.append(["Kod", "Pytanie", "Odpowiedź"])
    book.active.append(["[II.0.1]", "Liczba", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    assert [(v.code, v.raw) for v in template_values(read_xlsx(buffer.getvalue()))] == [
        ("II.0.1", "12")
    ]
    with pytest.raises(SpreadsheetError):
        read_xlsx(b"PK\x03\x04 not really a zip")


def test_decompression_bombs_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (31 * 1024 * 1024))
    with pytest.raises(SpreadsheetError):
        check_archive(buffer.getvalue())


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


def test_sniff_recognises_containers_whatever_the_name() -> None:
    assert sniff(_zip("xl/workbook.xml")) == "xlsx"
    assert sniff(_zip("word/document.xml")) == "docx"
    assert sniff(b"%PDF-1.4") == "pdf"
    assert sniff(b"plain text") is None


@pytest.mark.parametrize(
    ("ctype", "name", "data", "attached", "inline", "kind"),
    [
        ("text/plain", None, b"x", False, False, "plain"),
        ("text/html", None, b"x", False, False, "html"),
        ("application/octet-stream", "karta.xls", _zip("xl/workbook.xml"), True, False, "xlsx"),
        ("application/vnd.ms-excel", "karta.csv", b"a;b", True, False, "csv"),
        ("application/octet-stream", "WINMAIL.DAT", b"", True, False, "tnef"),
        ("image/png", "image001.png", b"\x89PNG", False, True, "inline_image"),
        ("image/jpeg", "skan.jpg", b"\xff\xd8", True, False, "image"),
        ("application/pkcs7-signature", "smime.p7s", b"", True, False, "signature"),
        ("application/x-foo", "x.bin", b"", True, False, "other"),
    ],
)
def test_leaf_kind(
    ctype: str, name: str | None, data: bytes, attached: bool, inline: bool, kind: str
) -> None:
    assert leaf_kind(ctype, name, data, attached=attached, inline_ref=inline) == kind


def _attr(level: int, attribute: int, data: bytes) -> bytes:
    return (
        struct.pack("<BII", level, attribute, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def test_tnef_body_and_attachment() -> None:
    stream = struct.pack("<IH", 0x223E9F78, 1) + _attr(1, 0x00069007, struct.pack("<II", 1250, 0))
    stream += _attr(1, 0x0002800C, "II.0.1: 5\r\nŚwietlica".encode("cp1250") + b"\0")
    stream += _attr(2, 0x00069002, bytes(14)) + _attr(2, 0x00018010, b"karta.xlsx\0")
    stream += _attr(2, 0x0006800F, b"PK..")
    content = read_tnef(stream)
    assert content.body == "II.0.1: 5\r\nŚwietlica"
    assert [(a.title, a.data) for a in content.attachments] == [("karta.xlsx", b"PK..")]


@pytest.mark.parametrize(
    "data", [b"", b"not tnef", struct.pack("<IH", 0x223E9F78, 1) + b"\x01\x0c\x80\x02\x00\xff"]
)
def test_tnef_errors(data: bytes) -> None:
    with pytest.raises(TnefError):
        read_tnef(data)
