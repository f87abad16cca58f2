"""Paper cards imported by staff, on every backend."""

from __future__ import annotations

from domain.entities import AssignmentStatus
from kartomat.bootstrap import App
from tests.sample import IZUS_ANSWERS
from tests.service.test_collection import open_session


def paper_csv(external_id: str, card: str, answers: dict[str, str]) -> bytes:
    lines = ["external_id,card,code,value"]
    for code, value in answers.items():
        quoted = f'"{value}"' if "," in value else value
        lines.append(f"{external_id},{card},{code},{quoted}")
    return ("\n".join(lines) + "\n").encode()


def full_izus() -> dict[str, str]:
    answers = {"I.1a": "MOPR Lublin", "I.1b": "Lublin", "I.1c": "Lublin", "I.1d": "06",
               "I.2": "OPS", "III.1": "Maria Wiśniewska", "III.2a": "81 466 50 00",
               "III.2b": "mops@lublin.example"}  # fmt: skip
    answers.update(IZUS_ANSWERS)
    for code in ("II.1.1", "II.1.2", "II.1.3", "II.1.4", "II.2.1", "II.2.2", "II.2.3", "II.2.4",
                 "II.3.1", "II.3.2", "II.3.3", "II.3.4", "II.3.5a", "II.3.5b", "II.3.6",
                 "II.3.7", "II.4.1", "II.4.2", "II.5.1", "II.6.1", "II.6.2"):  # fmt: skip
        answers.setdefault(code, "2")
    return answers


def test_paper_card_imported_and_submitted(app: App) -> None:
    open_session(app)
    data = paper_csv("IZUS-LUB", "izus", full_izus())
    report = app.paper.import_csv("2026-H2", data, submit=True)
    assert not report.errors and report.cards == 1
    assert len(report.submitted) == 1
    assert report.submitted[0].submission_no.startswith("MP/2026-H2/IZUS/")
    rows = {r.external_id: r for r in app.sessions.status("2026-H2")}
    assert rows["IZUS-LUB"].status is AssignmentStatus.SUBMITTED
    exported = [r for r in app.export.rows("2026-H2") if r.external_id == "IZUS-LUB"]
    assert {r.channel for r in exported} == {"paper", "system"}


def test_incomplete_paper_card_is_stored_but_not_submitted(app: App) -> None:
    open_session(app)
    data = paper_csv("IZUS-LUB", "izus", IZUS_ANSWERS)
    report = app.paper.import_csv("2026-H2", data, submit=True)
    assert report.answers == len(IZUS_ANSWERS) and not report.submitted
    assert "IZUS-LUB" in report.not_submitted
    assert "brakuje" in report.not_submitted["IZUS-LUB"]


def test_many_options_separated_by_commas(app: App) -> None:
    open_session(app)
    report = app.paper.import_csv("2026-H2", paper_csv("NGO-001", "ngo", {"I.3": "s01, s09"}),
                                  submit=False)  # fmt: skip
    assert not report.errors
    rows = [r for r in app.export.rows("2026-H2") if r.code == "I.3"]
    assert [r.value for r in rows] == [["s01", "s09"]]


def test_any_bad_row_imports_nothing(app: App) -> None:
    open_session(app)
    data = paper_csv("IZUS-LUB", "izus", {"II.0.1": "120", "II.0.2": "-5", "II.0.3": "5"})
    data += b"IZUS-LUB,izus,II.0.1,121\nNGO-001,izus,II.0.1,1\n"
    report = app.paper.import_csv("2026-H2", data, submit=False)
    assert sorted(e.line for e in report.errors) == [3, 5, 6]
    assert "drugi raz" in next(e.message for e in report.errors if e.line == 5)
    assert app.export.rows("2026-H2") == []
