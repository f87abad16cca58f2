"""Parsing the registry import file: organisations and their contacts, one per row.

Staff export the registry from Excel, so the file may be UTF-8 (with or without
a BOM), UTF-16 ("Tekst Unicode") or Windows-1250, separated by commas,
semicolons (Polish Excel) or tabs. Every problem is reported with its physical
line (header = line 1), so the whole file can be fixed in one pass.
"""

from __future__ import annotations

from collections import defaultdict

from domain.cards.model import OptionList
from domain.registry.csvfile import decode_registry_bytes, header, records
from domain.registry.model import COLUMNS, RegistryError, RegistryParseResult, RegistryRow
from domain.registry.rows import Lists, RowCheck

__all__ = [
    "COLUMNS",
    "RegistryError",
    "RegistryParseResult",
    "RegistryRow",
    "decode_registry_bytes",
    "parse_registry",
]


def _duplicates(rows: list[tuple[int, str]]) -> list[RegistryError]:
    """An error on every line whose external_id repeats another line's."""
    lines: dict[str, list[int]] = defaultdict(list)
    for line, external_id in rows:
        if external_id:
            lines[external_id].append(line)
    errors = []
    for external_id, found in lines.items():
        for line in found if len(found) > 1 else ():
            others = ", ".join(str(n) for n in found if n != line)
            message = (
                f"external_id: „{external_id}” powtarza się (także wiersz {others}); "
                "każda organizacja musi mieć własny, np. NGO-0002."
            )
            errors.append(RegistryError(line, "external_id", message))
    return errors


def parse_registry(
    text: str, *, woj: OptionList, ngo_types: OptionList, izus_types: OptionList
) -> RegistryParseResult:
    """Rows and every problem of a registry file (see `COLUMNS`)."""
    lines = records(text.lstrip("\ufeff"))
    first = next(lines, None)
    if first is None:
        return RegistryParseResult(errors=[RegistryError(1, None, "Plik jest pusty.")])
    names, errors, readable = header(*first)
    if not readable:
        return RegistryParseResult(errors=errors)
    lists, checked = Lists(woj, ngo_types, izus_types), []
    for line, cells in lines:
        extra = [c for c in cells[len(names) :] if c.strip()]
        row = RowCheck(line, dict(zip(names, cells, strict=False)), lists)
        if extra:
            message = (
                f"Wiersz ma {len(cells)} pól, a nagłówek {len(names)} – sprawdź separator; "
                'tekst z przecinkiem ujmij w cudzysłów, np. "Gmina Biała, powiat bialski".'
            )
            row.errors.append(RegistryError(line, None, message))
        checked.append((row, row.build()))
    duplicates = _duplicates([(r.line, r.get("external_id")) for r, _ in checked])
    errors += [e for r, _ in checked for e in r.errors] + duplicates
    bad_lines = {e.line for e in duplicates}
    rows = [b for r, b in checked if b is not None and r.line not in bad_lines]
    warnings = [w for r, _ in checked for w in r.warnings]
    return RegistryParseResult(
        rows=rows, errors=sorted(errors, key=lambda e: e.line), warnings=warnings
    )
