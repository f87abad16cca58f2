"""The packaged cards against spec/cards.md, question by question."""

from __future__ import annotations

import pytest

from domain.cards.catalog import CardCatalog, card_to_json
from domain.cards.model import PREFILL_SOURCES, Question, QuestionType

Row = tuple[str, str, bool, str | None, str | None]

# (id, type, required, condition as encoded, list) — cards.md, "Karta NGO"
NGO_TABLE: list[Row] = [
    ("ngo.I.1a", "text", True, None, None),
    ("ngo.I.1b", "text", True, None, None),
    ("ngo.I.1c", "text", True, None, None),
    ("ngo.I.1d", "one", True, None, "WOJ"),
    ("ngo.I.2", "one", True, None, "NGO_TYPE"),
    ("ngo.I.3", "many", True, None, "SERVICES"),
    ("ngo.I.4", "many", True, None, "FORM"),
    ("ngo.I.5", "text", True, "I.4 has inst", None),
    ("ngo.I.6", "text", True, None, None),
    ("ngo.I.7", "many", True, None, "SPECIALITY"),
    ("ngo.II.1.1", "int", True, None, None),
    ("ngo.II.1.2", "int", True, None, None),
    ("ngo.II.1.3a", "int", True, None, None),
    ("ngo.II.1.3b", "int", True, None, None),
    ("ngo.II.1.3c", "int", True, None, None),
    ("ngo.II.1.3d", "int", True, None, None),
    ("ngo.II.1.4", "int", True, None, None),
    ("ngo.II.2.1", "int", True, None, None),
    ("ngo.II.2.2", "int", True, None, None),
    ("ngo.II.2.3", "int", True, None, None),
    ("ngo.II.2.4", "int", True, None, None),
    ("ngo.II.3.1", "int", True, None, None),
    ("ngo.II.3.2a", "int", True, None, None),
    ("ngo.II.3.2b", "int", True, None, None),
    ("ngo.II.3.2c", "text", False, "II.3.2a + II.3.2b > 0", None),
    ("ngo.II.3.3a", "int", True, None, None),
    ("ngo.II.3.3b", "text", True, "II.3.3a > 0", None),
    ("ngo.II.3.4", "int", True, None, None),
    ("ngo.II.3.5a", "int", True, None, None),
    ("ngo.II.3.5b", "int", True, None, None),
    ("ngo.II.3.6a", "int", True, None, None),
    ("ngo.II.3.6b", "text", False, "II.3.6a > 0", None),
    ("ngo.II.3.7", "yesno", True, "II.3.1 > 0", None),
    ("ngo.II.3.8", "yesno", True, None, None),
    ("ngo.II.4.1a", "int", True, None, None),
    ("ngo.II.4.1b", "int", True, None, None),
    ("ngo.II.4.2", "int", True, None, None),
    ("ngo.II.4.3", "int", True, None, None),
    ("ngo.II.5.1", "int", True, None, None),
    ("ngo.II.5.2", "int", True, None, None),
    ("ngo.II.6.1", "yesno", True, None, None),
    ("ngo.II.6.2", "yesno", True, None, None),
    ("ngo.II.7.1", "int", False, None, None),
    ("ngo.II.7.2", "money", False, None, None),
    ("ngo.III.1", "text", True, None, None),
    ("ngo.III.2a", "phone", True, None, None),
    ("ngo.III.2b", "email", True, None, None),
    ("ngo.III.3", "date", False, None, None),
]

# cards.md, "Karta IZUS"
IZUS_TABLE: list[Row] = [
    ("izus.I.1a", "text", True, None, None),
    ("izus.I.1b", "text", True, None, None),
    ("izus.I.1c", "text", True, None, None),
    ("izus.I.1d", "one", True, None, "WOJ"),
    ("izus.I.2", "one", True, None, "IZUS_TYPE"),
    ("izus.I.3", "text", True, None, None),
    ("izus.I.4", "text", True, None, None),
    ("izus.I.5", "text", True, None, None),
    ("izus.I.6a", "yesno", True, None, None),
    ("izus.I.6b", "date", True, "I.6a = true", None),
    ("izus.I.7a", "yesno", True, None, None),
    ("izus.I.7b", "date", True, "I.7a = true", None),
    ("izus.II.0.1", "int", True, None, None),
    ("izus.II.0.2", "int", True, None, None),
    ("izus.II.0.3", "int", True, None, None),
    ("izus.II.0.4", "int", True, None, None),
    ("izus.II.0.5", "int", True, None, None),
    ("izus.II.1.1", "int", True, None, None),
    ("izus.II.1.2", "int", True, None, None),
    ("izus.II.1.3", "int", True, None, None),
    ("izus.II.1.4", "int", True, None, None),
    ("izus.II.2.1", "int", True, None, None),
    ("izus.II.2.2", "int", True, None, None),
    ("izus.II.2.3", "int", True, None, None),
    ("izus.II.2.4", "int", True, None, None),
    ("izus.II.3.1", "int", True, None, None),
    ("izus.II.3.2", "int", True, None, None),
    ("izus.II.3.3", "int", True, None, None),
    ("izus.II.3.4", "int", True, None, None),
    ("izus.II.3.5a", "int", True, None, None),
    ("izus.II.3.5b", "int", True, None, None),
    ("izus.II.3.6", "int", True, None, None),
    ("izus.II.3.7", "int", True, None, None),
    ("izus.II.3.8", "int", True, None, None),
    ("izus.II.4.1", "int", True, None, None),
    ("izus.II.4.2", "int", True, None, None),
    ("izus.II.5.1", "int", True, None, None),
    ("izus.II.6.1", "int", True, None, None),
    ("izus.II.6.2", "int", True, None, None),
    ("izus.III.1", "text", True, None, None),
    ("izus.III.2a", "phone", True, None, None),
    ("izus.III.2b", "email", True, None, None),
    ("izus.III.3", "date", False, None, None),
]

PREFILL = {
    "ngo.I.1a": "organisation.name",
    "ngo.I.1b": "organisation.miejscowosc",
    "ngo.I.1c": "organisation.powiat",
    "ngo.I.1d": "organisation.wojewodztwo",
    "ngo.I.6": "organisation.territory",
    "ngo.III.1": "contact.name",
    "ngo.III.2a": "contact.phone",
    "ngo.III.2b": "contact.email",
    "izus.I.1a": "organisation.name",
    "izus.I.1b": "organisation.miejscowosc",
    "izus.I.1c": "organisation.powiat",
    "izus.I.1d": "organisation.wojewodztwo",
    "izus.I.2": "organisation.org_type",
    "izus.III.1": "contact.name",
    "izus.III.2a": "contact.phone",
    "izus.III.2b": "contact.email",
}

ADDED = {
    "ngo.II.3.7", "ngo.II.3.8", "ngo.II.4.3", "ngo.II.5.2", "ngo.II.6.1", "ngo.II.6.2",
    "ngo.II.7.1", "ngo.II.7.2",
    "izus.II.0.1", "izus.II.0.2", "izus.II.0.3", "izus.II.0.4", "izus.II.0.5",
    "izus.II.1.4", "izus.II.2.3", "izus.II.2.4", "izus.II.3.8", "izus.II.4.2",
}  # fmt: skip

SYSTEM = {"ngo.III.3", "izus.III.3"}

LISTS = {
    "WOJ": [
        ("02", "dolnośląskie"), ("04", "kujawsko-pomorskie"), ("06", "lubelskie"),
        ("08", "lubuskie"), ("10", "łódzkie"), ("12", "małopolskie"),
        ("14", "mazowieckie"), ("16", "opolskie"), ("18", "podkarpackie"),
        ("20", "podlaskie"), ("22", "pomorskie"), ("24", "śląskie"),
        ("26", "świętokrzyskie"), ("28", "warmińsko-mazurskie"), ("30", "wielkopolskie"),
        ("32", "zachodniopomorskie"),
    ],
    "NGO_TYPE": [
        ("stowarzyszenie", "stowarzyszenie"), ("fundacja", "fundacja"),
        ("spoldzielnia_socjalna", "spółdzielnia socjalna"),
        ("cis", "centrum integracji społecznej (CIS)"),
        ("kis", "klub integracji społecznej (KIS)"),
        ("zaz", "zakład aktywności zawodowej (ZAZ)"),
        ("wtz", "warsztat terapii zajęciowej (WTZ)"),
        ("podmiot_leczniczy", "podmiot leczniczy"), ("inny", "inny"),
    ],
    "SERVICES": [
        ("s01", "usługa pomocy osobistej"),
        ("s02", "usługa profesjonalnego reprezentowania interesów"),
        ("s03", "usługa interwencji kryzysowej i usług w nagłych przypadkach"),
        ("s04", "usługa krótkich urlopów (wytchnieniowa)"),
        ("s05", "usługa zawierania znajomości"),
        ("s06", "usługa pomocy domowej i opieki domowej"),
        ("s07", "usługa dla małych dzieci"),
        ("s08", "usługa żłobkowa i przedszkolna"),
        ("s09", "usługi opiekuńcze"),
        ("s10", "usługi rehabilitacyjne"),
        ("s11", "usługi „towarzysza”"),
        ("s12", "usługa opieki pozaszkolnej i zajęć pozalekcyjnych"),
        ("s13", "usługi pomocy technicznej i serwisowania sprzętu"),
        ("s14", "usługi przygotowywania i dowozu posiłków"),
        ("s15", "usługi remontowo-adaptacyjne"),
        ("inne", "inne"),
    ],
    "FORM": [("inst", "zinstytucjonalizowana"), ("noninst", "niezinstytucjonalizowana")],
    "SPECIALITY": [
        ("menager_us", "Menager US"), ("researcher_lp", "Researcher LP"), ("brak", "brak"),
    ],
    "IZUS_TYPE": [
        ("cus", "Centrum Usług Społecznych (CUS)"),
        ("ops", "Ośrodek Pomocy Społecznej (OPS)"),
    ],
}  # fmt: skip

CARD_LISTS = {
    "ngo": ["WOJ", "NGO_TYPE", "SERVICES", "FORM", "SPECIALITY"],
    "izus": ["WOJ", "IZUS_TYPE"],
}


@pytest.fixture(scope="module")
def catalog() -> CardCatalog:
    return CardCatalog.builtin()


def _all(catalog: CardCatalog) -> list[Question]:
    return [q for kind in catalog.kinds for q in catalog.get(kind).questions]


def test_catalog_has_both_cards(catalog: CardCatalog) -> None:
    assert catalog.kinds == ("ngo", "izus")
    assert catalog.get("ngo").title_pl == "Karta NGO"
    assert catalog.get("izus").title_pl == "Karta IZUS"
    assert catalog.get("ngo").version == catalog.get("izus").version == "2026.1"


def test_unknown_kind_is_a_key_error(catalog: CardCatalog) -> None:
    with pytest.raises(KeyError, match="xyz"):
        catalog.get("xyz")


@pytest.mark.parametrize(("kind", "table"), [("ngo", NGO_TABLE), ("izus", IZUS_TABLE)])
def test_questions_match_cards_md(catalog: CardCatalog, kind: str, table: list[Row]) -> None:
    card = catalog.get(kind)
    actual = [(q.id, q.type.value, q.required, q.condition, q.list) for q in card.questions]
    assert actual == table


@pytest.mark.parametrize("kind", ["ngo", "izus"])
def test_prefill_added_and_system_flags(catalog: CardCatalog, kind: str) -> None:
    card = catalog.get(kind)
    assert {q.id: q.prefill for q in card.questions if q.prefill} == {
        k: v for k, v in PREFILL.items() if k.startswith(kind + ".")
    }
    assert {q.id for q in card.questions if q.added} == {
        a for a in ADDED if a.startswith(kind + ".")
    }
    assert {q.id for q in card.questions if q.system} == {
        s for s in SYSTEM if s.startswith(kind + ".")
    }
    assert all(q.prefill in PREFILL_SOURCES for q in card.questions if q.prefill)


@pytest.mark.parametrize("kind", ["ngo", "izus"])
def test_lists_and_codes(catalog: CardCatalog, kind: str) -> None:
    card = catalog.get(kind)
    assert [lst.name for lst in card.lists] == CARD_LISTS[kind]
    for lst in card.lists:
        assert [(o.code, o.label_pl) for o in lst.options] == LISTS[lst.name]
        assert all(o.label_en for o in lst.options)


def test_other_and_exclusive_options(catalog: CardCatalog) -> None:
    ngo = catalog.get("ngo")
    others = {(lst.name, o.code) for lst in ngo.lists for o in lst.options if o.other}
    exclusive = {(lst.name, o.code) for lst in ngo.lists for o in lst.options if o.exclusive}
    assert others == {("NGO_TYPE", "inny"), ("SERVICES", "inne")}
    assert exclusive == {("SPECIALITY", "brak")}


def test_every_question_has_labels_and_hints_with_an_example(catalog: CardCatalog) -> None:
    for q in _all(catalog):
        assert q.label_pl, q.id
        assert q.label_en, q.id
        assert "…" not in q.label_pl, q.id  # abbreviations of cards.md expanded
        assert "np." in q.hint_pl, q.id
        assert "e.g." in q.hint_en, q.id


def test_expanded_labels_stand_alone(catalog: CardCatalog) -> None:
    ngo = catalog.get("ngo")
    assert ngo.question("ngo.II.1.3b").label_pl == (
        "Wykorzystanie własnego narzędzia monitoringu – sondaż uliczny (liczba zdarzeń)"
    )
    assert ngo.question("ngo.II.4.1b").label_pl.startswith("Liczba zgłoszonych do IZUS")


@pytest.mark.parametrize("kind", ["ngo", "izus"])
def test_sections_cover_parts_and_spheres(catalog: CardCatalog, kind: str) -> None:
    card = catalog.get(kind)
    ids = [s.id for s in card.sections]
    spheres = [f"II.{n}" for n in range(1, 7)]
    expected = {"ngo": ["I", *spheres, "II.7", "III"], "izus": ["I", "II.0", *spheres, "III"]}
    assert ids == expected[kind]
    assert all(s.title_pl and s.title_en for s in card.sections)
    for q in card.questions:  # each question sits in the section its code names
        assert q.code.startswith(q.section + "."), q.id


def test_card_to_json_shape(catalog: CardCatalog) -> None:
    data = card_to_json(catalog.get("ngo"))
    assert set(data) == {"card", "version", "questions"}
    assert data["card"] == "ngo"
    assert data["version"] == "2026.1"
    first = data["questions"][0]
    assert first == {
        "id": "ngo.I.1a",
        "code": "I.1a",
        "type": "text",
        "required": True,
        "condition": None,
        "options": None,
        "prefill": True,
        "added": False,
        "label_pl": "Nazwa podmiotu/organizacji",
        "label_en": "Name of the organisation",
    }
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id["ngo.I.4"]["options"] == [
        {"code": "inst", "label_pl": "zinstytucjonalizowana"},
        {"code": "noninst", "label_pl": "niezinstytucjonalizowana"},
    ]
    assert by_id["ngo.I.5"]["condition"] == "I.4 has inst"
    assert by_id["ngo.I.5"]["prefill"] is False
    assert by_id["ngo.II.6.1"]["added"] is True
    assert "ngo.III.3" in by_id  # system questions included
    assert len(data["questions"]) == len(NGO_TABLE)


def test_json_woj_codes_are_strings(catalog: CardCatalog) -> None:
    data = card_to_json(catalog.get("izus"))
    woj = next(q for q in data["questions"] if q["id"] == "izus.I.1d")
    assert [o["code"] for o in woj["options"]][:2] == ["02", "04"]


def test_question_types_are_known(catalog: CardCatalog) -> None:
    assert {q.type for q in _all(catalog)} <= set(QuestionType)
