"""Registry import through the service on every backend: encodings, upserts, all-or-nothing."""

from __future__ import annotations

from kartomat.bootstrap import App
from tests.sample import REGISTRY_HEADER, REGISTRY_ROWS, registry_csv


def organisations(app: App) -> dict[str, tuple[str, str]]:
    with app.uow() as uow:
        return {o.external_id: (o.name, o.teryt) for o in uow.organisations.all()}


def test_windows_1250_file_with_semicolons(app: App) -> None:
    text = "\n".join([REGISTRY_HEADER, *REGISTRY_ROWS]).replace(",", ";") + "\n"
    report = app.registry.import_csv(text.encode("cp1250"))
    assert report.ok and report.created == 5
    assert organisations(app)["NGO-003"][0] == "Spółdzielnia Socjalna Świt"


def test_utf8_bom_file(app: App) -> None:
    report = app.registry.import_csv(b"\xef\xbb\xbf" + registry_csv())
    assert report.ok and report.created == 5


def test_reimport_upserts_by_external_id(app: App) -> None:
    assert app.registry.import_csv(registry_csv()).created == 5
    changed = [
        REGISTRY_ROWS[0].replace("Fundacja Dobry Start", "Fundacja Dobry Start Plus"),
        *REGISTRY_ROWS[1:],
    ]
    report = app.registry.import_csv(registry_csv(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert organisations(app)["NGO-001"][0] == "Fundacja Dobry Start Plus"
    with app.uow() as uow:
        assert len(uow.organisations.all()) == 5
        org = uow.organisations.get_by_external_id("NGO-001")
        assert org is not None
        assert [c.email for c in uow.contacts.for_organisation(org.id or 0)] == [
            "anna@dobrystart.example"
        ]


def test_contact_change_is_an_update(app: App) -> None:
    app.registry.import_csv(registry_csv())
    rows = [REGISTRY_ROWS[0].replace("anna@dobrystart.example", "biuro@dobrystart.example")]
    report = app.registry.import_csv(registry_csv(rows))
    assert report.updated == 1
    with app.uow() as uow:
        assert uow.contacts.by_email("biuro@dobrystart.example")


def test_bad_rows_import_nothing_and_every_error_has_its_line(app: App) -> None:
    rows = [
        REGISTRY_ROWS[0],
        REGISTRY_ROWS[1].replace("0663011", "663011"),
        REGISTRY_ROWS[2].replace(",ngo,", ",xyz,"),
        REGISTRY_ROWS[3],
        REGISTRY_ROWS[4].replace("cus@swidnik.example", "to-nie-adres"),
    ]
    report = app.registry.import_csv(registry_csv(rows))
    assert not report.ok
    assert sorted({e.line for e in report.errors}) == [3, 4, 6]
    assert all(e.message for e in report.errors)
    assert organisations(app) == {}


def test_territories_are_derived(app: App) -> None:
    app.registry.import_csv(registry_csv())
    with app.uow() as uow:
        names = {t.teryt: (t.level, t.name) for t in uow.territories.all()}
    assert names["06"] == ("wojewodztwo", "lubelskie")
    assert names["0663011"] == ("gmina", "Lublin")
    assert names["0617"][0] == "powiat" and names["0617011"] == ("gmina", "Świdnik")


def test_staff_add_is_an_upsert_by_email(app: App) -> None:
    app.registry.add_staff("Ola", "ola@cm.example", ["06"])
    staff = app.registry.add_staff("Ola Nowa", "OLA@cm.example", ["0663", "0617"], 77)
    with app.uow() as uow:
        everyone = uow.staff.all()
    assert len(everyone) == 1 and everyone[0].territories == ["0663", "0617"]
    assert staff.covers("0663011") and not staff.covers("0614011")
