"""A small country for the indicator tests, built through the real services.

Four gminy in three powiaty and two województwa:
- A 0663011 Lublin (powiat 0663): IZUS-A and NGO A1–A5; A5 answers part of its card
  but never submits it.
- B 0617011 Świdnik (powiat 0617): NGO B1–B4 submitted; IZUS-B answers part of its
  card but never submits it (no Karta IZUS).
- C 0617032 Mełgiew (powiat 0617): IZUS-C submitted with II.3.1 = II.3.8 = 0 (zero
  denominators); NGO C1–C2 never answer (no Karta NGO).
- D 1465011 Warszawa (powiat 1465, województwo 14): IZUS-D with II.0.5 = 0, NGO D1
  with nothing but zeros and the optional staff and cost answers.
NGO cards arrive on paper (`paper.import_csv(..., submit=True)`), IZUS cards by email
(`collection.record_many` then `submission.submit`).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from kartomat.bootstrap import App
from services.card_state import Provenance

FIRST, SECOND = "2026-H2", "2027-H1"
EMAIL = Provenance(channel="email", source_message_id="<izus@test>")

ORGS = {
    # external_id: (kind, name, org_type, teryt, town, powiat)
    "IZUS-A": ("izus", "MOPR Lublin", "ops", "0663011", "Lublin", "Lublin"),
    "IZUS-B": ("izus", "CUS Świdnik", "cus", "0617011", "Świdnik", "świdnicki"),
    "IZUS-C": ("izus", "GOPS Mełgiew", "ops", "0617032", "Mełgiew", "świdnicki"),
    "IZUS-D": ("izus", "CUS Warszawa", "cus", "1465011", "Warszawa", "Warszawa"),
    **{f"A{i}": ("ngo", f"Fundacja A{i}", "fundacja", "0663011", "Lublin", "Lublin")
       for i in range(1, 6)},
    **{f"B{i}": ("ngo", f"Stowarzyszenie B{i}", "stowarzyszenie", "0617011", "Świdnik",
                 "świdnicki") for i in range(1, 5)},
    **{f"C{i}": ("ngo", f"Fundacja C{i}", "fundacja", "0617032", "Mełgiew", "świdnicki")
       for i in range(1, 3)},
    "D1": ("ngo", "Fundacja D1", "fundacja", "1465011", "Warszawa", "Warszawa"),
}  # fmt: skip

NGO_COUNTS = [
    "II.1.1", "II.1.2", "II.1.3a", "II.1.3b", "II.1.3c", "II.1.3d", "II.1.4", "II.2.1", "II.2.2",
    "II.2.3", "II.2.4", "II.3.1", "II.3.2a", "II.3.2b", "II.3.3a", "II.3.4", "II.3.5a", "II.3.5b",
    "II.3.6a", "II.4.1a", "II.4.1b", "II.4.2", "II.4.3", "II.5.1", "II.5.2",
]  # fmt: skip
IZUS_COUNTS = [
    "II.0.1", "II.0.2", "II.0.3", "II.0.4", "II.0.5", "II.1.1", "II.1.2", "II.1.3", "II.1.4",
    "II.2.1", "II.2.2", "II.2.3", "II.2.4", "II.3.1", "II.3.2", "II.3.3", "II.3.4", "II.3.5a",
    "II.3.5b", "II.3.6", "II.3.7", "II.3.8", "II.4.1", "II.4.2", "II.5.1", "II.6.1", "II.6.2",
]  # fmt: skip

# Everything not listed is 0 / "nie"; II.7.x only where listed (optional block).
NGO_CARDS: dict[str, dict[str, str]] = {
    "A1": {"II.1.1": "2", "II.1.2": "1", "II.1.3a": "3", "II.1.4": "1", "II.2.1": "1",
           "II.3.1": "1", "II.3.7": "tak", "II.3.2a": "2", "II.3.3a": "1", "II.3.4": "2",
           "II.3.5a": "40", "II.3.5b": "60", "II.3.8": "tak", "II.4.1a": "1", "II.4.2": "2",
           "II.5.1": "1", "II.5.2": "1", "II.6.1": "tak", "II.6.2": "tak", "II.7.1": "10",
           "II.7.2": "50 000 zł"},
    "A2": {"II.1.2": "2", "II.1.3c": "1", "II.2.2": "1", "II.3.4": "1", "II.3.5b": "20",
           "II.3.6a": "2", "II.4.2": "1", "II.6.2": "tak", "II.7.1": "5"},
    "A3": {"II.2.3": "1", "II.3.1": "1", "II.3.7": "nie", "II.3.2b": "1", "II.4.3": "1",
           "II.5.2": "2"},
    "A4": {},
    "B1": {"II.1.1": "1", "II.1.3b": "2", "II.1.4": "2", "II.2.1": "2", "II.3.3a": "2",
           "II.3.5a": "100", "II.6.1": "tak"},
    "B2": {"II.2.4": "1", "II.3.6a": "1", "II.3.5b": "30", "II.4.1b": "2", "II.4.2": "3",
           "II.6.2": "tak"},
    "B3": {"II.3.1": "2", "II.3.7": "tak", "II.3.4": "1", "II.5.1": "2", "II.3.8": "tak"},
    "B4": {},
    "D1": {"II.7.1": "3", "II.7.2": "1000"},
}  # fmt: skip

IZUS_CARDS: dict[str, dict[str, int]] = {
    "IZUS-A": {"II.0.1": 20, "II.0.2": 40, "II.0.3": 500, "II.0.4": 1000, "II.0.5": 10,
               "II.1.1": 2, "II.1.2": 2, "II.1.3": 1, "II.1.4": 2, "II.2.1": 1, "II.2.2": 3,
               "II.2.4": 1, "II.3.1": 4, "II.3.2": 5, "II.3.3": 3, "II.3.4": 1, "II.3.5a": 2,
               "II.3.5b": 3, "II.3.6": 150, "II.3.7": 80, "II.3.8": 8, "II.4.2": 4,
               "II.5.1": 2, "II.6.1": 6, "II.6.2": 1},
    "IZUS-C": {"II.0.1": 5, "II.0.2": 8, "II.0.3": 100, "II.0.4": 300, "II.0.5": 2,
               "II.1.2": 1, "II.2.2": 1, "II.3.2": 1, "II.3.5a": 1, "II.3.6": 10},
    "IZUS-D": {"II.0.1": 4, "II.0.2": 6, "II.0.3": 50, "II.0.4": 90, "II.0.5": 0,
               "II.1.1": 1, "II.3.1": 2, "II.3.3": 1, "II.3.5b": 1, "II.3.6": 9, "II.3.8": 3,
               "II.4.2": 2, "II.5.1": 1, "II.6.1": 2},
}  # fmt: skip

# The second session: one more Researcher LP in A, and A's IZUS counts 25 NGOs, not 20.
SECOND_NGO = {"A2": {"II.1.1": "1"}}
SECOND_IZUS = {"IZUS-A": {"II.0.1": 25}}


def registry_csv() -> bytes:
    """The registry of the four gminy."""
    lines = ["external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,"
             "contact_name,email,phone,channel"]  # fmt: skip
    for external_id, (kind, name, org_type, teryt, town, powiat) in ORGS.items():
        email = f"{external_id.lower()}@test.example"
        lines.append(f"{external_id},{kind},{name},{org_type},{teryt},{town},{powiat},"
                     f"{teryt[:2]},Osoba {external_id},{email},601 000 000,email")  # fmt: skip
    return ("\n".join(lines) + "\n").encode("utf-8")


def ngo_answers(external_id: str, overrides: dict[str, str]) -> dict[str, str]:
    """A whole Karta NGO by code: zeros and "nie" unless overridden."""
    _, name, _, teryt, town, powiat = ORGS[external_id]
    answers = {
        "I.1a": name, "I.1b": town, "I.1c": powiat, "I.1d": teryt[:2], "I.2": "fundacja",
        "I.3": "1", "I.4": "niezinstytucjonalizowana", "I.6": town, "I.7": "brak",
        **dict.fromkeys(NGO_COUNTS, "0"), "II.3.8": "nie", "II.6.1": "nie", "II.6.2": "nie",
        "III.1": f"Osoba {external_id}", "III.2a": "601 000 000",
        "III.2b": f"{external_id.lower()}@test.example",
    }  # fmt: skip
    answers.update(overrides)
    if int(answers["II.3.3a"]) > 0:
        answers["II.3.3b"] = "Klub Seniora"
    return answers


def izus_answers(external_id: str, counts: dict[str, int]) -> dict[str, str]:
    """A whole Karta IZUS by code: zeros unless given."""
    _, name, org_type, teryt, town, powiat = ORGS[external_id]
    answers = {
        "I.1a": name, "I.1b": town, "I.1c": powiat, "I.1d": teryt[:2], "I.2": org_type,
        "I.3": "Dział Usług", "I.4": "Zespół OSL", "I.5": "Koordynator", "I.6a": "nie",
        "I.7a": "nie", **dict.fromkeys(IZUS_COUNTS, "0"),
        "III.1": f"Osoba {external_id}", "III.2a": "601 000 000",
        "III.2b": f"{external_id.lower()}@test.example",
    }  # fmt: skip
    answers.update({code: str(value) for code, value in counts.items()})
    return answers


def paper_csv(cards: dict[str, dict[str, str]]) -> bytes:
    """Paper answers of several NGO cards (external_id,card,code,value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["external_id", "card", "code", "value"])
    for external_id, answers in cards.items():
        for code, value in answers.items():
            writer.writerow([external_id, "ngo", code, value])
    return buffer.getvalue().encode("utf-8")


def assignment(app: App, external_id: str, session: str) -> int:
    """The assignment id of the organisation's card in the session."""
    with app.uow() as uow:
        org = uow.organisations.get_by_external_id(external_id)
        found = uow.sessions.get_by_name(session)
        assert org is not None and found is not None
        a = uow.assignments.find(found.id or 0, org.id or 0, org.kind)
        assert a is not None
        return a.id or 0


def run_session(
    app: App,
    name: str,
    opens: date,
    ngo: dict[str, dict[str, str]],
    izus: dict[str, dict[str, int]],
) -> None:
    """Create and open the session, submit the cards given, leave A5 and IZUS-B unfinished."""
    app.sessions.create(name, opens, date(opens.year + 1, 1, 31), ["ngo", "izus"], [])
    app.sessions.open(name)
    cards = {external_id: ngo_answers(external_id, answers) for external_id, answers in ngo.items()}
    report = app.paper.import_csv(name, paper_csv(cards), submit=True)
    assert not report.errors and not report.not_submitted, (report.errors, report.not_submitted)
    for external_id, counts in izus.items():
        a = assignment(app, external_id, name)
        result = app.collection.record_many(a, izus_answers(external_id, counts), EMAIL)
        assert not result.rejected, result.rejected
        app.submission.submit(a, EMAIL, confirm_warnings=True)
    partial = app.collection.record_many(assignment(app, "A5", name), {"II.1.1": "5"}, EMAIL)
    assert partial.accepted
    app.collection.record_many(assignment(app, "IZUS-B", name), {"II.0.1": "10"}, EMAIL)


def build_country(app: App, *, second: bool = True) -> None:
    """The registry, the first session (closed: the baseline) and, optionally, the second."""
    assert app.registry.import_csv(registry_csv()).ok
    run_session(app, FIRST, date(2026, 11, 2), NGO_CARDS, IZUS_CARDS)
    app.sessions.close(FIRST)
    if second:
        ngo = {k: {**v, **SECOND_NGO.get(k, {})} for k, v in NGO_CARDS.items()}
        izus = {k: {**v, **SECOND_IZUS.get(k, {})} for k, v in IZUS_CARDS.items()}
        run_session(app, SECOND, date(2026, 11, 2), ngo, izus)
