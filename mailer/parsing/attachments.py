"""What a MIME leaf is: body text, a template spreadsheet, or something for staff.

Names and content types lie (Outlook sends XLSX as `application/octet-stream`, some
systems export XLSX named `.xls`), so ZIP containers are recognised by their members
and TNEF by its signature before the name and the type are consulted (case 16).
DOCX/PDF/scans are not parsed: staff review them and the reply asks for the
template (case 17). Inline images referenced by `Content-ID` (Outlook signature
logos) are ignored rather than sent to review.
"""

from __future__ import annotations

import io
import zipfile

from mailer.parsing.tnef import is_tnef

SHEETS = frozenset({"xlsx", "csv", "ods"})
_EXTENSIONS = {
    "xlsx": "xlsx", "xlsm": "xlsx", "xltx": "xlsx", "xltm": "xlsx",
    "csv": "csv", "ods": "ods", "eml": "message", "txt": "plain",
    "p7s": "signature", "asc": "signature", "sig": "signature", "p7m": "smime",
    "xls": "xls", "docx": "docx", "doc": "doc", "odt": "odt", "rtf": "rtf", "pdf": "pdf",
    "jpg": "image", "jpeg": "image", "png": "image", "gif": "image", "tif": "image",
    "tiff": "image", "bmp": "image", "heic": "image", "webp": "image",
    "zip": "archive", "rar": "archive", "7z": "archive",
    "vcf": "ignore", "ics": "ignore",
}  # fmt: skip
_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsx",
    "text/csv": "csv", "text/comma-separated-values": "csv", "application/csv": "csv",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/ms-tnef": "tnef", "application/vnd.ms-tnef": "tnef",
    "message/rfc822": "message",
    "application/pkcs7-signature": "signature", "application/x-pkcs7-signature": "signature",
    "application/pgp-signature": "signature",
    "application/pkcs7-mime": "smime", "application/x-pkcs7-mime": "smime",
    "application/vnd.ms-excel": "xls", "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt", "application/rtf": "rtf",
    "text/rtf": "rtf", "application/pdf": "pdf",
    "message/delivery-status": "report", "message/global-delivery-status": "report",
    "message/disposition-notification": "report", "text/rfc822-headers": "report",
    "text/calendar": "ignore", "text/vcard": "ignore", "text/x-vcard": "ignore",
}  # fmt: skip
_REVIEW_LABELS = {
    "xls": "arkusz Excel 97–2003 (.xls)",
    "docx": "dokument Word",
    "doc": "dokument Word (.doc)",
    "odt": "dokument OpenDocument",
    "rtf": "dokument RTF",
    "pdf": "PDF",
    "image": "obraz lub skan",
    "archive": "archiwum",
    "smime": "wiadomość S/MIME zaszyfrowana lub podpisana nieprzezroczyście (.p7m)",
    "other": "plik",
}


def extension(filename: str | None) -> str:
    """The lowercased extension of a file name, "" when there is none."""
    if not filename or "." not in filename:
        return ""
    return filename.rsplit(".", 1)[1].strip().lower()


def sniff(data: bytes) -> str | None:
    """Recognise a file by its content: TNEF, the ZIP-based office formats, PDF, OLE."""
    if is_tnef(data):
        return "tnef"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return None  # OLE2: .xls or .doc; the name decides
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if b"opendocument.text" in mimetype:
        return "odt"
    return None


def leaf_kind(
    content_type: str, filename: str | None, data: bytes, *, attached: bool, inline_ref: bool
) -> str:
    """Classify a MIME leaf: plain, html, xlsx, csv, ods, tnef, message, signature,
    report, ignore, inline_image, or a review kind (docx, pdf, image, ...)."""
    ext = extension(filename)
    if content_type == "text/plain" and not attached and ext in ("", "txt"):
        return "plain"
    if content_type == "text/html" and not attached:
        return "html"
    if filename and filename.strip().lower() == "winmail.dat":
        return "tnef"
    kind = sniff(data) or _EXTENSIONS.get(ext) or _TYPES.get(content_type)
    if kind is None and content_type.startswith("image/"):
        kind = "image"
    if kind == "image" and inline_ref:
        return "inline_image"
    if kind is None and content_type == "text/plain":
        return "plain"
    return kind or "other"


def review_reason(kind: str, filename: str | None, content_type: str) -> str:
    """The Polish note for staff about an attachment that is not read automatically."""
    label = _REVIEW_LABELS.get(kind, _REVIEW_LABELS["other"])
    name = f"„{filename}”" if filename else f"bez nazwy ({content_type})"
    return f"Załącznik {name} ({label}) nie jest odczytywany automatycznie."
