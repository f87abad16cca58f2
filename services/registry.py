"""The registry: organisations, contacts and territories from CSV; Centrum staff."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.cards.catalog import CardCatalog
from domain.entities import Contact, Organisation, Staff, Territory
from domain.errors import UserError
from domain.registry import RegistryError, RegistryRow, decode_registry_bytes, parse_registry
from services.ports import UnitOfWork, UnitOfWorkFactory


@dataclass
class ImportReport:
    """What an import did (or, with dry-run or errors, would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RegistryError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """No errors: the import was (or would be) applied."""
        return not self.errors


class RegistryService:
    """Imports the registry (all-or-nothing) and registers staff."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog) -> None:
        self.uow = uow
        self.catalog = catalog

    def import_csv(self, data: bytes, *, dry_run: bool = False) -> ImportReport:
        """Upsert organisations by external_id; any invalid row → nothing imported."""
        ngo, izus = self.catalog.get("ngo"), self.catalog.get("izus")
        parsed = parse_registry(
            decode_registry_bytes(data),
            woj=ngo.option_list("WOJ"),
            ngo_types=ngo.option_list("NGO_TYPE"),
            izus_types=izus.option_list("IZUS_TYPE"),
        )
        report = ImportReport(errors=list(parsed.errors), dry_run=dry_run)
        if parsed.errors:
            return report
        with self.uow() as uow:
            for row in parsed.rows:
                self._upsert_territories(uow, row)
                self._upsert_row(uow, row, report)
            if not dry_run:
                uow.commit()
        return report

    def _upsert_row(self, uow: UnitOfWork, row: RegistryRow, report: ImportReport) -> None:
        incoming = Organisation(
            external_id=row.external_id,
            kind=row.kind,
            name=row.name,
            org_type=row.org_type,
            teryt=row.teryt,
            miejscowosc=row.miejscowosc,
            powiat=row.powiat,
            wojewodztwo=row.wojewodztwo,
        )
        existing = uow.organisations.get_by_external_id(row.external_id)
        if existing is None:
            org = uow.organisations.add(incoming)
            report.created += 1
        else:
            incoming.id = existing.id
            changed = incoming != existing
            if changed:
                uow.organisations.update(incoming)
            org = incoming
            changed = self._upsert_contact(uow, org, row) or changed
            report.updated += int(changed)
            report.unchanged += int(not changed)
            return
        self._upsert_contact(uow, org, row)

    def _upsert_contact(self, uow: UnitOfWork, org: Organisation, row: RegistryRow) -> bool:
        """The registry's contact is the organisation's primary contact."""
        contacts = uow.contacts.for_organisation(org.id or 0)
        primary = next((c for c in contacts if c.is_primary), None)
        fields = {
            "name": row.contact_name or row.name,
            "email": row.email,
            "phone": row.phone,
            "channel": row.channel,
        }
        if primary is None:
            uow.contacts.add(Contact(organisation_id=org.id or 0, **fields))
            return True
        if all(getattr(primary, k) == v for k, v in fields.items()):
            return False
        if (primary.email or "") != (row.email or ""):
            primary.email_unreachable = False  # a new address deserves a new chance
        uow.contacts.update(primary.model_copy(update=fields))
        return True

    def _upsert_territories(self, uow: UnitOfWork, row: RegistryRow) -> None:
        woj = self.catalog.get("ngo").option_list("WOJ").by_code(row.wojewodztwo)
        powiat = row.powiat.strip()
        powiat_name = powiat if powiat.lower().startswith("powiat") else f"powiat {powiat}"
        entries = [
            Territory(teryt=row.wojewodztwo, level="wojewodztwo", name=woj.label_pl if woj else ""),
            Territory(
                teryt=row.teryt[:4], level="powiat", name=powiat_name, parent=row.wojewodztwo
            ),
        ]
        gmina = uow.territories.get(row.teryt)
        if gmina is None or row.kind == "izus":
            # The IZUS sits in its gmina, so its town names the gmina best.
            entries.append(
                Territory(
                    teryt=row.teryt, level="gmina", name=row.miejscowosc, parent=row.teryt[:4]
                )
            )
        for territory in entries:
            if uow.territories.get(territory.teryt) != territory:
                uow.territories.upsert(territory)

    def add_staff(
        self, name: str, email: str, territories: list[str], telegram_id: int | None = None
    ) -> Staff:
        """Register (or update) a staff member by email with the TERYT prefixes they cover."""
        _validate_prefixes(territories)
        with self.uow() as uow:
            existing = uow.staff.get_by_email(email)
            staff = Staff(name=name, email=email, telegram_id=telegram_id, territories=territories)
            if existing is None:
                staff = uow.staff.add(staff)
            else:
                staff.id = existing.id
                uow.staff.update(staff)
            uow.commit()
            return staff


def _validate_prefixes(prefixes: list[str]) -> None:
    if not prefixes:
        raise UserError(
            "Podaj co najmniej jeden obszar, np. --territory 06 (województwo lubelskie).",
            "Give at least one territory, e.g. --territory 06.",
        )
    for prefix in prefixes:
        if not (prefix.isdigit() and len(prefix) in (2, 4, 7)) and prefix != "PL":
            raise UserError(
                f"„{prefix}” nie jest prefiksem TERYT. Podaj 2 cyfry (województwo), 4 (powiat) "
                "lub 7 (gmina), np. 06 albo 0663.",
                f"'{prefix}' is not a TERYT prefix (2, 4 or 7 digits, e.g. 06).",
            )
