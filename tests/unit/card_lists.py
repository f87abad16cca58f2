"""The option lists of cards.md, built inline so value tests do not need the YAML files."""

from __future__ import annotations

from domain.cards.model import Option, OptionList, Question, QuestionType


def _list(name: str, items: list[tuple[str, str, str]], **flags: set[str]) -> OptionList:
    other = flags.get("other", set())
    exclusive = flags.get("exclusive", set())
    return OptionList(
        name=name,
        options=tuple(
            Option(
                code=code,
                label_pl=pl,
                label_en=en,
                other=code in other,
                exclusive=code in exclusive,
            )
            for code, pl, en in items
        ),
    )


WOJ = _list(
    "WOJ",
    [
        ("02", "dolnośląskie", "Lower Silesian"),
        ("04", "kujawsko-pomorskie", "Kuyavian-Pomeranian"),
        ("06", "lubelskie", "Lublin"),
        ("08", "lubuskie", "Lubusz"),
        ("10", "łódzkie", "Łódź"),
        ("12", "małopolskie", "Lesser Poland"),
        ("14", "mazowieckie", "Masovian"),
        ("16", "opolskie", "Opole"),
        ("18", "podkarpackie", "Subcarpathian"),
        ("20", "podlaskie", "Podlaskie"),
        ("22", "pomorskie", "Pomeranian"),
        ("24", "śląskie", "Silesian"),
        ("26", "świętokrzyskie", "Holy Cross"),
        ("28", "warmińsko-mazurskie", "Warmian-Masurian"),
        ("30", "wielkopolskie", "Greater Poland"),
        ("32", "zachodniopomorskie", "West Pomeranian"),
    ],
)

NGO_TYPE = _list(
    "NGO_TYPE",
    [
        ("stowarzyszenie", "stowarzyszenie", "association"),
        ("fundacja", "fundacja", "foundation"),
        ("spoldzielnia_socjalna", "spółdzielnia socjalna", "social cooperative"),
        ("cis", "centrum integracji społecznej (CIS)", "social integration centre (CIS)"),
        ("kis", "klub integracji społecznej (KIS)", "social integration club (KIS)"),
        ("zaz", "zakład aktywności zawodowej (ZAZ)", "vocational activity establishment (ZAZ)"),
        ("wtz", "warsztat terapii zajęciowej (WTZ)", "occupational therapy workshop (WTZ)"),
        ("podmiot_leczniczy", "podmiot leczniczy", "healthcare provider"),
        ("inny", "inny", "other"),
    ],
    other={"inny"},
)

SERVICES = _list(
    "SERVICES",
    [
        ("s01", "usługa pomocy osobistej", "personal assistance"),
        ("s02", "usługa profesjonalnego reprezentowania interesów", "advocacy"),
        (
            "s03",
            "usługa interwencji kryzysowej i usług w nagłych przypadkach",
            "crisis intervention and emergency services",
        ),
        ("s04", "usługa krótkich urlopów (wytchnieniowa)", "respite care"),
        ("s05", "usługa zawierania znajomości", "befriending"),
        ("s06", "usługa pomocy domowej i opieki domowej", "home help and home care"),
        ("s07", "usługa dla małych dzieci", "services for small children"),
        ("s08", "usługa żłobkowa i przedszkolna", "nursery and kindergarten"),
        ("s09", "usługi opiekuńcze", "care services"),
        ("s10", "usługi rehabilitacyjne", "rehabilitation"),
        ("s11", "usługi „towarzysza”", "companion services"),
        (
            "s12",
            "usługa opieki pozaszkolnej i zajęć pozalekcyjnych",
            "after-school care and activities",
        ),
        (
            "s13",
            "usługi pomocy technicznej i serwisowania sprzętu",
            "technical help and equipment servicing",
        ),
        ("s14", "usługi przygotowywania i dowozu posiłków", "meal preparation and delivery"),
        ("s15", "usługi remontowo-adaptacyjne", "renovation and adaptation"),
        ("inne", "inne", "other"),
    ],
    other={"inne"},
)

FORM = _list(
    "FORM",
    [
        ("inst", "zinstytucjonalizowana", "institutional"),
        ("noninst", "niezinstytucjonalizowana", "non-institutional"),
    ],
)

SPECIALITY = _list(
    "SPECIALITY",
    [
        ("menager_us", "Menager US", "Menager US"),
        ("researcher_lp", "Researcher LP", "Researcher LP"),
        ("brak", "brak", "none"),
    ],
    exclusive={"brak"},
)

IZUS_TYPE = _list(
    "IZUS_TYPE",
    [
        ("cus", "Centrum Usług Społecznych (CUS)", "Social Services Centre (CUS)"),
        ("ops", "Ośrodek Pomocy Społecznej (OPS)", "Social Welfare Centre (OPS)"),
    ],
)

LISTS = {lst.name: lst for lst in (WOJ, NGO_TYPE, SERVICES, FORM, SPECIALITY, IZUS_TYPE)}


def question(kind: str, list_name: str | None = None, qid: str = "ngo.X.1") -> Question:
    """A question of the given type, optionally over a named list."""
    return Question(
        id=qid,
        type=QuestionType(kind),
        required=True,
        section="I",
        label_pl="Pytanie",
        label_en="Question",
        hint_pl="np. 12",
        hint_en="e.g. 12",
        list=list_name,
    )
