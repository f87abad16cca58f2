"""Checking one data row of the registry file, field by field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.cards.model import OptionList
from domain.cards.values import find_option, fold, normalise, parse_email, parse_phone
from domain.errors import InvalidAnswer
from domain.registry.model import Channel, Kind, RegistryError, RegistryRow

_REQUIRED = ("external_id", "kind", "name", "org_type", "teryt", "miejscowosc", "powiat")
_EXAMPLES = {
    "external_id": "NGO-0001",
    "kind": "ngo",
    "name": "Fundacja Pomocy Sąsiedzkiej",
    "org_type": "fundacja",
    "teryt": "0611011",
    "miejscowosc": "Biała Podlaska",
    "powiat": "Biała Podlaska",
}
_CHANNELS: dict[str, Channel] = {
    "telegram": "telegram",
    "tg": "telegram",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
}


@dataclass(frozen=True)
class Lists:
    """The option lists a row is checked against."""

    woj: OptionList
    ngo_types: OptionList
    izus_types: OptionList


class RowCheck:
    """One data row being checked; collects its own errors and warnings."""

    def __init__(self, line: int, cells: dict[str, str], lists: Lists) -> None:
        self.line, self.cells, self.lists = line, cells, lists
        self.errors: list[RegistryError] = []
        self.warnings: list[RegistryError] = []

    def get(self, column: str) -> str:
        """The cell's text, normalised ("" if absent)."""
        return normalise(self.cells.get(column, ""))

    def fail(self, column: str, message: str) -> None:
        """Record a problem of this row's `column`."""
        self.errors.append(RegistryError(self.line, column, f"{column}: {message}"))

    def required(self, column: str) -> str:
        """The cell's text; a problem if it is empty."""
        value = self.get(column)
        if not value:
            self.fail(column, f"pole jest wymagane, np. {_EXAMPLES[column]}.")
        return value

    def build(self) -> RegistryRow | None:
        """The row, or None if any field is wrong (the errors say which)."""
        texts = {c: self.required(c) for c in _REQUIRED}
        kind = _kind(self, texts["kind"])
        org_type = _org_type(self, kind, texts["org_type"])
        teryt = _teryt(self, texts["teryt"])
        woj = _wojewodztwo(self, teryt)
        channel = _channel(self, kind)
        email = _optional(self, "email", parse_email)
        phone = _optional(self, "phone", parse_phone)
        _email_needed(self, channel, email)
        if self.errors or kind is None or org_type is None or teryt is None or woj is None:
            return None
        assert channel is not None
        return RegistryRow(
            line=self.line,
            external_id=texts["external_id"],
            kind=kind,
            name=texts["name"],
            org_type=org_type,
            teryt=teryt,
            miejscowosc=texts["miejscowosc"],
            powiat=texts["powiat"],
            wojewodztwo=woj,
            contact_name=self.get("contact_name") or None,
            email=email,
            phone=phone,
            channel=channel,
        )


def _kind(row: RowCheck, text: str) -> Kind | None:
    value = fold(text)
    if value in ("ngo", "izus"):
        return "ngo" if value == "ngo" else "izus"
    if text:
        row.fail("kind", f"„{text}” – wpisz „ngo” albo „izus”, np. ngo.")
    return None


def _org_type(row: RowCheck, kind: Kind | None, text: str) -> str | None:
    if kind is None or not text:
        return None
    types = row.lists.ngo_types if kind == "ngo" else row.lists.izus_types
    found = None if text.isdigit() else find_option(types, text, prefix=False)
    if found is None:
        codes = ", ".join(o.code for o in types.options)
        row.fail(
            "org_type",
            f"„{text}” to nie rodzaj {kind}; możliwe kody: {codes}, np. {types.options[0].code}.",
        )
        return None
    return found.code


def _teryt(row: RowCheck, text: str) -> str | None:
    value = "".join(c for c in text if c not in " -")
    if not text:
        return None
    if not (value.isdigit() and value.isascii()) or len(value) != 7:
        if len(value) == 6 and value.isdigit():
            row.fail(
                "teryt",
                f"kod TERYT musi mieć 7 cyfr, a „{text}” ma 6 – czy Excel usunął zero z przodu? "
                f"Wpisz np. 0{value} (w Excelu ustaw format komórek „Tekst”).",
            )
        else:
            row.fail("teryt", f"kod TERYT gminy musi mieć 7 cyfr („{text}”), np. 0611011.")
        return None
    if row.lists.woj.by_code(value[:2]) is None:
        row.fail(
            "teryt",
            f"„{value}” zaczyna się od {value[:2]}, a to nie jest kod "
            "województwa (02, 04, … 32), np. 0611011.",
        )
        return None
    if value[6] == "0":
        row.fail(
            "teryt",
            f"ostatnia cyfra kodu „{value}” (rodzaj gminy) musi być od 1 do 9, np. 0611011.",
        )
        return None
    return value


def _wojewodztwo(row: RowCheck, teryt: str | None) -> str | None:
    text = row.get("wojewodztwo")
    if not text:
        return teryt[:2] if teryt else None  # the TERYT code says it already
    found = find_option(row.lists.woj, text, prefix=False)
    if found is None:
        row.fail(
            "wojewodztwo", f"nie rozpoznaję „{text}” – wpisz nazwę albo kod, np. lubelskie albo 06."
        )
        return None
    if teryt and teryt[:2] != found.code:
        named = row.lists.woj.by_code(teryt[:2])
        row.fail(
            "wojewodztwo",
            f"„{text}” ({found.code}) nie zgadza się z kodem TERYT {teryt} "
            f"({teryt[:2]} = {named.label_pl if named else '?'}), np. {teryt[:2]}.",
        )
        return None
    return found.code


def _channel(row: RowCheck, kind: Kind | None) -> Channel | None:
    text = row.get("channel")
    if not text:
        return "email" if kind == "izus" else "telegram"  # the usual channel per kind
    channel = _CHANNELS.get(fold(text))
    if channel is None:
        row.fail("channel", f"„{text}” – wpisz „telegram” albo „email”, np. email.")
    return channel


def _optional(row: RowCheck, column: str, parse: Callable[[str], str]) -> str | None:
    text = row.get(column)
    if not text:
        return None
    try:
        return parse(text)
    except InvalidAnswer as error:
        row.fail(column, error.message_pl)
        return None


def _email_needed(row: RowCheck, channel: Channel | None, email: str | None) -> None:
    if email or row.get("email"):
        return
    if channel == "email":
        row.fail("email", "adres jest wymagany, gdy kanał to email, np. sekretariat@gmina.pl.")
    else:
        message = "email: warto podać adres (przypomnienia, awarie), np. sekretariat@gmina.pl."
        row.warnings.append(RegistryError(row.line, "email", message))
