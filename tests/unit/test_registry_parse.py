"""Parsing the registry import file as Excel writes it in Poland."""

from __future__ import annotations

import codecs

import pytest

from domain.registry import (
    COLUMNS,
    RegistryParseResult,
    RegistryRow,
    decode_registry_bytes,
    parse_registry,
)
from tests.unit.card_lists import IZUS_TYPE, NGO_TYPE, WOJ

HEADER = ",".join(COLUMNS)
NGO = (
    "NGO-1,ngo,Fundacja „Łączy Nas”,fundacja,1061011,Łódź,Łódź,łódzkie,"
    "Zofia Żak,zofia@fundacja.pl,601 234 567,"
)
IZUS = (
    "IZ-1,izus,Ośrodek Pomocy Społecznej w Białej,OPS,0611011,Biała Podlaska,Biała Podlaska,06,"
    "Jan Kos,ops@biala.pl,,"
)


def parse(text: str) -> RegistryParseResult:
    return parse_registry(text, woj=WOJ, ngo_types=NGO_TYPE, izus_types=IZUS_TYPE)


def parse_bytes(data: bytes) -> RegistryParseResult:
    return parse(decode_registry_bytes(data))


def messages(result: RegistryParseResult) -> list[tuple[int, str | None, str]]:
    return [(e.line, e.column, e.message) for e in result.errors]


def test_a_good_file_gives_normalised_rows() -> None:
    result = parse(f"{HEADER}\n{NGO}\n{IZUS}\n")
    assert result.ok
    assert result.rows == [
        RegistryRow(
            line=2,
            external_id="NGO-1",
            kind="ngo",
            name="Fundacja „Łączy Nas”",
            org_type="fundacja",
            teryt="1061011",
            miejscowosc="Łódź",
            powiat="Łódź",
            wojewodztwo="10",
            contact_name="Zofia Żak",
            email="zofia@fundacja.pl",
            phone="+48601234567",
            channel="telegram",  # empty channel: telegram for an NGO
        ),
        RegistryRow(
            line=3,
            external_id="IZ-1",
            kind="izus",
            name="Ośrodek Pomocy Społecznej w Białej",
            org_type="ops",
            teryt="0611011",
            miejscowosc="Biała Podlaska",
            powiat="Biała Podlaska",
            wojewodztwo="06",
            contact_name="Jan Kos",
            email="ops@biala.pl",
            phone=None,
            channel="email",  # empty channel: email for an IZUS
        ),
    ]
    assert result.warnings == []


def test_windows_1250_with_semicolons_as_polish_excel_writes_it() -> None:
    text = f"{HEADER}\r\n{NGO}\r\n{IZUS}\r\n".replace(",", ";")
    data = text.encode("cp1250")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test really is about a non-UTF-8 file
    result = parse_bytes(data)
    assert result.ok, messages(result)
    assert [r.name for r in result.rows] == [
        "Fundacja „Łączy Nas”",
        "Ośrodek Pomocy Społecznej w Białej",
    ]
    assert result.rows[0].miejscowosc == "Łódź"


def test_utf8_with_bom() -> None:
    data = codecs.BOM_UTF8 + f"{HEADER}\n{IZUS}\n".encode()
    result = parse_bytes(data)
    assert result.ok, messages(result)
    assert result.rows[0].external_id == "IZ-1"  # the BOM is not part of the first column


def test_utf8_without_bom_and_utf16_tab_separated() -> None:
    text = f"{HEADER}\n{IZUS}\n"
    assert parse_bytes(text.encode()).rows[0].name == "Ośrodek Pomocy Społecznej w Białej"
    tabbed = text.replace(",", "\t").encode("utf-16")  # Excel's "Tekst Unicode"
    assert parse_bytes(tabbed).rows[0].name == "Ośrodek Pomocy Społecznej w Białej"


def test_header_names_with_capitals_and_diacritics() -> None:
    header = HEADER.replace("miejscowosc", "Miejscowość").replace("wojewodztwo", "Województwo")
    result = parse(f"{header.upper()}\n{IZUS}\n")
    assert result.ok, messages(result)


BAD_FILE = "\n".join(
    [
        HEADER,  # 1
        NGO,  # 2: fine
        "",  # 3: empty lines are skipped but still counted
        "NGO-2,ngo,Stowarzyszenie A,stowarzyszenie,611011,Lublin,Lublin,lubelskie,,a@b.pl,,",  # 4
        "NGO-3,firma,Spółka B,fundacja,0611011,Lublin,Lublin,,,b@b.pl,,",  # 5
        "NGO-4,ngo,,fundacja,0611011,Lublin,Lublin,mazowieckie,,c@b.pl,,",  # 6
        "IZ-2,izus,OPS Lublin,szkoła,0611011,Lublin,Lublin,,,nie-adres,123,poczta",  # 7
        '"NGO-5",ngo,"Fundacja ""Razem"",',  # 8: a quoted field spanning two lines
        ' Lublin",fundacja,0611011,Lublin,Lublin,,,,,email',  # 9
        "NGO-6,ngo,Fundacja C,fundacja,3411011,Lublin,Lublin,,,d@b.pl,,",  # 10
        "NGO-7,ngo,Fundacja D,fundacja,0611010,Lublin,Lublin,,,e@b.pl,,,extra",  # 11
        "",
    ]
)


def test_every_error_is_reported_with_its_line_and_column() -> None:
    result = parse(BAD_FILE)
    found = {(line, column) for line, column, _ in messages(result)}
    assert found == {
        (4, "teryt"),
        (5, "kind"),
        (6, "name"),
        (6, "wojewodztwo"),
        (7, "org_type"),
        (7, "email"),
        (7, "phone"),
        (7, "channel"),
        (8, "email"),
        (10, "teryt"),
        (11, None),
        (11, "teryt"),
    }
    assert [r.external_id for r in result.rows] == ["NGO-1"]
    assert [e.line for e in result.errors] == sorted(e.line for e in result.errors)


@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        pytest.param(4, "teryt", "czy Excel usunął zero z przodu? Wpisz np. 0611011", id="zero"),
        pytest.param(5, "kind", "„firma” – wpisz „ngo” albo „izus”", id="kind"),
        pytest.param(6, "name", "pole jest wymagane", id="name"),
        pytest.param(6, "wojewodztwo", "nie zgadza się z kodem TERYT 0611011", id="woj"),
        pytest.param(7, "org_type", "możliwe kody: cus, ops", id="org-type"),
        pytest.param(7, "email", "musi zawierać znak @", id="email"),
        pytest.param(7, "phone", "polski numer ma 9 cyfr", id="phone"),
        pytest.param(7, "channel", "„telegram” albo „email”", id="channel"),
        pytest.param(8, "email", "wymagany, gdy kanał to email", id="email-needed"),
        pytest.param(10, "teryt", "nie jest kod województwa", id="teryt-woj"),
        pytest.param(11, "teryt", "rodzaj gminy", id="teryt-kind"),
        pytest.param(11, None, "Wiersz ma 13 pól, a nagłówek 12", id="extra-field"),
    ],
)
def test_error_messages_say_what_is_wrong_with_an_example(
    line: int, column: str | None, fragment: str
) -> None:
    relevant = [m for ln, col, m in messages(parse(BAD_FILE)) if (ln, col) == (line, column)]
    assert len(relevant) == 1
    assert fragment in relevant[0]
    assert "np." in relevant[0]


def test_duplicate_ids_are_reported_on_both_lines() -> None:
    other = NGO.replace("Fundacja „Łączy Nas”", "Inna fundacja")
    result = parse(f"{HEADER}\n{NGO}\n{IZUS}\n{other}\n")
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "external_id"),
        (4, "external_id"),
    ]
    assert "także wiersz 4" in result.errors[0].message
    assert "także wiersz 2" in result.errors[1].message
    assert [r.external_id for r in result.rows] == ["IZ-1"]


def test_missing_columns_stop_the_file() -> None:
    header = HEADER.replace(",powiat", "").replace(",teryt", "")
    result = parse(f"{header}\nx\n")
    assert result.rows == []
    assert [(e.line, e.column) for e in result.errors] == [(1, None)]
    assert "Brak kolumn: teryt, powiat" in result.errors[0].message


def test_unknown_and_repeated_columns_are_reported() -> None:
    unknown = parse(f"{HEADER},uwagi\n{IZUS},zadzwonić\n")
    assert messages(unknown) == [(1, None, unknown.errors[0].message)]
    assert "Nieznane kolumny: uwagi" in unknown.errors[0].message
    assert [r.external_id for r in unknown.rows] == ["IZ-1"]
    repeated = parse(f"{HEADER},email\n")
    assert "Powtórzone kolumny: email" in repeated.errors[0].message


def test_a_file_without_header_or_content() -> None:
    assert "nagłówkiem" in parse(f"{IZUS}\n").errors[0].message
    assert parse("\n\n").errors[0].message == "Plik jest pusty."


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        pytest.param({"org_type": "CUS"}, "org_type", "cus", id="izus-short-form"),
        pytest.param(
            {"org_type": "Centrum Usług Społecznych (CUS)"}, "org_type", "cus", id="izus-label"
        ),
        pytest.param({"org_type": "ops"}, "org_type", "ops", id="izus-code"),
        pytest.param({"wojewodztwo": "Lubelskie"}, "wojewodztwo", "06", id="woj-label"),
        pytest.param({"wojewodztwo": "6"}, "wojewodztwo", "06", id="woj-code-zero-lost"),
        pytest.param({"wojewodztwo": "woj. lubelskie"}, "wojewodztwo", "06", id="woj-title"),
        pytest.param({"wojewodztwo": ""}, "wojewodztwo", "06", id="woj-from-teryt"),
        pytest.param({"teryt": "061101 1"}, "teryt", "0611011", id="teryt-terc-style"),
        pytest.param({"channel": "Telegram"}, "channel", "telegram", id="channel-case"),
        pytest.param({"channel": "e-mail"}, "channel", "email", id="channel-e-mail"),
        pytest.param({"phone": "+48 (81) 123-45-67"}, "phone", "+48811234567", id="phone"),
        pytest.param({"email": "OPS@Biala.PL"}, "email", "OPS@biala.pl", id="email-domain"),
        pytest.param({"contact_name": ""}, "contact_name", None, id="no-contact-name"),
        pytest.param({"name": "  OPS\u00a0Biała  "}, "name", "OPS Biała", id="name-normalised"),
    ],
)
def test_accepted_field_forms(changes: dict[str, str], field: str, expected: object) -> None:
    cells = dict(zip(COLUMNS, IZUS.split(","), strict=True)) | changes
    result = parse(f"{HEADER}\n" + ",".join(cells[c] for c in COLUMNS) + "\n")
    assert result.ok, messages(result)
    assert getattr(result.rows[0], field) == expected


def test_missing_email_for_telegram_contact_is_only_a_warning() -> None:
    row = NGO.replace("zofia@fundacja.pl", "")
    result = parse(f"{HEADER}\n{row}\n")
    assert result.ok
    assert result.rows[0].email is None
    assert [(w.line, w.column) for w in result.warnings] == [(2, "email")]
    assert "np." in result.warnings[0].message
