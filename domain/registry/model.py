"""What a registry file yields: rows, errors and warnings with line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

COLUMNS = (
    "external_id",
    "kind",
    "name",
    "org_type",
    "teryt",
    "miejscowosc",
    "powiat",
    "wojewodztwo",
    "contact_name",
    "email",
    "phone",
    "channel",
)
Kind = Literal["ngo", "izus"]
Channel = Literal["telegram", "email"]


@dataclass(frozen=True)
class RegistryRow:
    """One valid organisation with its primary contact."""

    line: int
    external_id: str
    kind: Kind
    name: str
    org_type: str
    teryt: str  # 7-digit gmina code
    miejscowosc: str
    powiat: str
    wojewodztwo: str  # 2-digit TERYT code
    contact_name: str | None
    email: str | None
    phone: str | None  # "+48XXXXXXXXX"
    channel: Channel


@dataclass(frozen=True)
class RegistryError:
    """A problem of the file: line (header = 1), column (None: the whole line), message."""

    line: int
    column: str | None
    message: str


@dataclass(frozen=True)
class RegistryParseResult:
    """Valid rows, errors (the import must not proceed) and warnings (it may)."""

    rows: list[RegistryRow] = field(default_factory=list)
    errors: list[RegistryError] = field(default_factory=list)
    warnings: list[RegistryError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors."""
        return not self.errors
