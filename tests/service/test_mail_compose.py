"""Composing every outbox kind into an email: respondents' kinds and staff kinds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.entities import OutboxMessage
from kartomat.bootstrap import App
from services.card_state import Provenance
from services.mail_compose import message_id_for
from tests.fakes import FakeClock
from tests.service.mail_support import MOPS, izus, mail_app_ready, outbox
from tests.service.test_collection import fill

pytestmark = pytest.mark.parametrize("backend", ["fake"], indirect=True)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def row(
    kind: str, payload: dict[str, object], recipient: str = MOPS, key: str = ""
) -> OutboxMessage:
    return OutboxMessage(
        id=999,
        channel="email",
        recipient=recipient,
        kind=kind,
        payload=payload,
        dedupe_key=key or f"{kind}:test",
        next_attempt_at=NOW,
        created_at=NOW,
        assignment_id=payload.get("assignment_id"),  # type: ignore[arg-type]
    )


def test_invitation_template_shows_prefills_as_labels_and_the_lists(app: App) -> None:
    mail_app_ready(app)
    invitation = next(m for m in outbox(app, "invitation") if m.recipient == MOPS)
    mail = app.mail.compose.compose(invitation)
    assert "[Karta IZUS · 2026-H2 · #" in mail.subject and mail.reply_to
    assert mail.message_id == message_id_for(invitation, "cm.example")
    assert "[I.1d] Siedziba – województwo (numer z listy poniżej): lubelskie" in mail.text
    assert "[I.3] Kto pełni funkcję Organizatora Usług Społecznych" in mail.text
    assert "Pytanie I.2 – 1 Centrum Usług Społecznych (CUS)" in mail.text
    assert mail.sheet is not None and mail.sheet[0] == ("Kod", "Pytanie", "Odpowiedź")
    with app.uow() as uow:  # stored, so replies thread back
        assert uow.sent_mail.by_message_ids([mail.message_id])[0].assignment_id == izus(app)


def test_reminder_lists_only_missing_and_days_left_overdue_says_days_ago(
    app: App, clock: FakeClock
) -> None:
    mail_app_ready(app)
    a = izus(app)
    app.collection.record_by_code(a, "II.0.1", "12", Provenance("email"))
    text = app.mail.compose.compose(row("reminder", {"assignment_id": a})).text
    assert "zostało: 28 dni" in text and "[II.0.1]" not in text and "[II.0.2]" in text
    clock.advance(days=31)
    text = app.mail.compose.compose(row("overdue", {"assignment_id": a}, key="o")).text
    assert "minął 3 dni temu" in text


def test_confirmation_after_a_telegram_submission_has_number_and_answers(app: App) -> None:
    mail_app_ready(app)
    a = izus(app)
    fill(app, a)
    app.submission.submit(a, Provenance("telegram"), confirm_warnings=True)
    [confirmation] = outbox(app, "confirmation")
    mail = app.mail.compose.compose(confirmation)
    assert (
        "Numer zgłoszenia: MP/2026-H2/IZUS/" in mail.text
        and "Korekty są możliwe do 30.11.2026" in mail.text
    )
    assert "• II.0.1 (" in mail.text and mail.sheet is None


def test_english_contact_gets_english_text(app: App) -> None:
    mail_app_ready(app)
    with app.uow() as uow:
        [contact] = uow.contacts.by_email(MOPS)
        contact.language = "en"
        uow.contacts.update(contact)
        uow.commit()
    text = app.mail.compose.compose(row("reminder", {"assignment_id": izus(app)})).text
    assert text.startswith("Dear Sir or Madam") and "left until the deadline" in text


def test_staff_kinds_are_rendered_in_polish(app: App) -> None:
    mail_app_ready(app)
    alert = {
        "session": "2026-H2",
        "late_count": 1,
        "gminy": [
            {
                "teryt": "0663011",
                "gmina": "Lublin",
                "assignments": [
                    {
                        "organisation": "MOPR",
                        "external_id": "IZUS-LUB",
                        "card": "izus",
                        "channel": "email",
                        "last_activity_at": None,
                    }
                ],
            }
        ],
    }
    cases = {
        "staff_alert": (alert, "• MOPR (IZUS-LUB) – Karta IZUS, ostatnia aktywność: brak"),
        "digest": (alert, "Spóźnionych kart: 1"),
        "problem_alert": (
            {"organisation": "MOPR", "external_id": "IZUS-LUB", "text": "Nie mogę"},
            "Treść: Nie mogę",
        ),
        "delivery_failed": (
            {"failed_kind": "reminder", "reason": "550 user unknown"},
            "Rodzaj wiadomości: przypomnienie",
        ),
        "mail_review": (
            {"reason": "unregistered_sender", "inbound_id": 7, "sender": "x@y.pl"},
            "kartomat mail review --apply 7",
        ),
        "report": ({"session": "2026-H2", "files": ["raport.html"]}, "• raport.html"),
    }
    for n, (kind, (payload, expected)) in enumerate(cases.items()):
        mail = app.mail.compose.compose(row(kind, payload, "olga@cm.example", key=f"s{n}"))
        assert expected in mail.text, (kind, mail.text)
        assert mail.reply_to is None and mail.subject
