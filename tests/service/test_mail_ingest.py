"""Email ingestion on every backend: store → process → file, matching, trust, replies."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

import pytest

from domain.cards.model import CardDefinition
from kartomat.bootstrap import App
from services.mail_ingest import MailIngestService
from services.mail_ports import IncomingMail, MailParser
from services.mail_process import MailProcessor
from tests.fakes import FakeClock
from tests.sample import IZUS_ANSWERS
from tests.service.mail_support import (
    MOPS,
    OURS,
    FakeMailbox,
    answers_of,
    fresh,
    invitation_raw,
    izus,
    mail_app_ready,
    outbox,
    reply,
    versions,
)

REST = (
    "II.1.1",
    "II.1.2",
    "II.1.3",
    "II.1.4",
    "II.2.1",
    "II.2.2",
    "II.2.3",
    "II.2.4",
    "II.3.2",
    "II.3.3",
    "II.3.4",
    "II.3.5a",
    "II.3.5b",
    "II.3.6",
    "II.3.7",
    "II.4.1",
    "II.4.2",
    "II.5.1",
    "II.6.1",
    "II.6.2",
)
FULL = {**IZUS_ANSWERS, **dict.fromkeys(REST, "1"), "II.3.1": "3"}


def statuses(app: App) -> list[str]:
    with app.uow() as uow:
        return [
            m.status
            for m in uow.inbound.with_status(
                [
                    "applied",
                    "quarantined",
                    "pending_review",
                    "needs_review",
                    "empty",
                    "refused",
                    "ignored",
                    "rejected",
                    "stored",
                ]
            )
        ]


def test_reply_is_stored_applied_filed_and_answered_in_thread(app: App) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(reply(app, {"II.0.1": "120", "II.0.2": "1 200", "I.6a": "tak"}))
    report = app.mail.ingest.poll(box)
    assert (report.stored, dict(report.statuses)) == (1, {"applied": 1})
    assert len(box.filed["processed"]) == 1 and not box.messages
    a = izus(app)
    stored = answers_of(app, a)
    assert (stored["II.0.1"], stored["II.0.2"], stored["I.6a"]) == (120, 1200, True)
    assert stored["I.1a"] == "Miejski Ośrodek Pomocy Rodzinie w Lublinie"  # quoted prefill kept
    [answer] = outbox(app, "mail_reply")
    assert answer.recipient == MOPS and answer.payload["in_reply_to"]
    codes = [c for c, _, _ in answer.payload["accepted"]]
    assert {"II.0.1", "II.0.2", "I.6a"} <= set(codes)
    assert "II.1.1" in answer.payload["missing"]
    text = app.mail.compose.compose(answer).text
    assert "• II.0.2 (" in text and "): 1 200" in text and "--- Prosimy odpowiadać" in text


def test_crash_before_move_and_uidvalidity_reset_apply_nothing_twice(app: App) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(reply(app, {"II.0.1": "120"}))
    box.fail_file = True
    with pytest.raises(ConnectionError):
        app.mail.ingest.poll(box)
    a = izus(app)
    count = versions(app, a)
    box.fail_file = False
    report = app.mail.ingest.poll(box)  # the same message again: stored already
    assert (report.stored, report.duplicates) == (0, 1)
    box.append(reply(app, {"II.0.2": "7"}))
    box.fail_file = True
    with pytest.raises(ConnectionError):
        app.mail.ingest.poll(box)
    box.fail_file = False
    box.renumber()
    report = app.mail.ingest.poll(box)
    assert report.uidvalidity_changed and report.duplicates == 1
    assert versions(app, a) == count + 1  # only II.0.2 was new
    assert len(outbox(app, "mail_reply")) == 2


class FailingParser:
    """The real parser, failing on messages that carry `marker` (a parser bug): a fake
    of the MailParser port."""

    def __init__(self, real: MailParser, marker: bytes) -> None:
        self.real, self.marker = real, marker

    def __call__(self, raw: bytes, card: CardDefinition | None, today: date) -> IncomingMail:
        if self.marker in raw:
            raise RuntimeError("parser bug")
        return self.real(raw, card, today)


def test_one_failing_reply_is_quarantined_alone_and_the_group_applied_once(app: App) -> None:
    """The replies of a fetched group share one transaction: one that fails is rolled
    back alone (quarantined with its error); the others are applied and answered once."""
    mail_app_ready(app)
    real = app.mail.ingest
    processor = MailProcessor(
        app.uow, app.catalog, app.clock, FailingParser(real.processor.parser, b"BUG"),
        real.processor.applier,
    )  # fmt: skip
    ingest = MailIngestService(
        app.uow, app.clock, processor, max_bytes=real.max_bytes, retention_days=30
    )
    box = FakeMailbox()
    box.append(reply(app, {"II.0.1": "120"}))
    bad = box.append(reply(app, {"II.0.2": "BUG"}))
    box.append(reply(app, {"II.0.3": "1 200"}))
    report = ingest.poll(box)
    assert dict(report.statuses) == {"applied": 2, "quarantined": 1}
    assert len(box.filed["processed"]) == 2 and len(box.filed["quarantine"]) == 1
    assert b"BUG" in box.filed["quarantine"][0] and bad not in box.messages
    stored = answers_of(app, izus(app))
    assert (stored["II.0.1"], stored["II.0.3"]) == (120, 1200) and "II.0.2" not in stored
    with app.uow() as uow:
        recorded = [r.question_id for r in uow.answers.history(izus(app))]
    assert len(recorded) == len(set(recorded))  # nothing recorded twice
    assert len(outbox(app, "mail_reply")) == 2
    [failed] = [m for m in statuses_and_errors(app) if m[0] == "quarantined"]
    assert failed[1] == "RuntimeError: parser bug"


def test_a_reply_another_worker_finished_is_rolled_back_not_applied_twice(app: App) -> None:
    """Two pollers on one mailbox: ours holds a stale `stored` row of a message the
    other has finished meanwhile; what ours staged for it is undone, the rest applies."""
    mail_app_ready(app)
    ingest = app.mail.ingest
    rows = ingest.store_many(
        [(reply(app, {"II.0.1": "120"}), 1, None), (reply(app, {"II.0.2": "150"}), 2, None)],
        "fake:INBOX",
        1,
    )
    (first, _), (second, _) = rows
    with app.uow() as uow:  # the other worker's outcome, committed first
        uow.inbound.set_outcome(first.id or 0, status="applied", expected="stored")
        uow.commit()
    assert ingest.process_many([first, second]) == ["applied", "applied"]
    stored = answers_of(app, izus(app))
    assert "II.0.1" not in stored and stored["II.0.2"] == 150
    [answer] = outbox(app, "mail_reply")
    codes = {c for c, _, _ in answer.payload["accepted"]}
    assert "II.0.2" in codes and "II.0.1" not in codes


def statuses_and_errors(app: App) -> list[tuple[str, str | None]]:
    with app.uow() as uow:
        rows = uow.inbound.with_status(["applied", "quarantined"])
    return [(m.status, m.error) for m in rows]


def test_unregistered_sender_waits_for_staff_then_applies(app: App) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(reply(app, {"II.0.1": "55"}, sender="kolega@gmail.example"))
    assert app.mail.ingest.poll(box).statuses == {"pending_review": 1}
    assert box.filed["quarantine"] and "II.0.1" not in answers_of(app, izus(app))
    [staff] = outbox(app, "mail_review")
    assert staff.recipient == "olga@cm.example"
    [told] = outbox(app, "mail_notice")
    assert told.recipient == MOPS and told.payload["reason"] == "pending_review"
    assert "kolega@gmail.example" in app.mail.compose.compose(told).text
    [item] = app.mail.review.pending()
    assert item.sender == "kolega@gmail.example" and item.organisation == "IZUS-LUB"
    assert app.mail.review.apply(item.id) == "applied"
    assert answers_of(app, izus(app))["II.0.1"] == 55
    [answer] = outbox(app, "mail_reply")
    assert answer.recipient == MOPS  # the registered address, never the unverified sender


def test_no_match_is_quarantined_without_reply_and_staff_can_assign_it(app: App) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(fresh("obcy@example.net", "II.0.1: 25\n"))
    assert app.mail.ingest.poll(box).statuses == {"quarantined": 1}
    assert outbox(app, "mail_reply") == [] and outbox(app, "mail_notice") == []
    [item] = app.mail.review.pending()
    assert app.mail.review.apply(item.id, "IZUS-LUB") == "applied"
    assert answers_of(app, izus(app))["II.0.1"] == 25


def test_known_sender_without_token_is_matched_by_address(app: App) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(fresh(MOPS, "Dzień dobry,\n[II.0.3] Liczba osób: 12 osób\nII.0.4 = brak\n"))
    assert app.mail.ingest.poll(box).statuses == {"applied": 1}
    stored = answers_of(app, izus(app))
    assert (stored["II.0.3"], stored["II.0.4"]) == (12, 0)


def test_auto_reply_and_bounces_are_never_answered(app: App) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(
        fresh(
            MOPS,
            "Jestem na urlopie.",
            "Odpowiedź automatyczna: Karta",
            {"Auto-Submitted": "auto-replied"},
        )
    )
    box.append(fresh("MAILER-DAEMON@mx.example", bounce_text(MOPS), "Undelivered Mail"))
    report = app.mail.ingest.poll(box)
    assert report.statuses == {"ignored": 2}
    assert outbox(app, "mail_reply") == [] and outbox(app, "mail_notice") == []
    with app.uow() as uow:
        assert all(c.email_unreachable for c in uow.contacts.by_email(MOPS))
    [alert] = outbox(app, "delivery_failed")
    assert alert.recipient == "olga@cm.example"
    assert "nieosiągalny" in app.mail.compose.compose(alert).text or alert.payload["recipient"]


def bounce_text(recipient: str) -> str:
    return (
        "This is the mail system at host mx.example.\n\nI'm sorry to have to inform you that "
        f"your message could not be delivered.\n\n<{recipient}>: host mx.lublin.example said: "
        "550 5.1.1 User unknown\n"
    )


def dsn_without_status(recipient: str) -> bytes:
    """An RFC 3464 report whose recipient block has neither Status nor Action."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.lublin.example>\r\n"
        f"To: {OURS}\r\nSubject: Delivery Status Notification\r\n"
        "Message-ID: <dsn-unknown-1@mx.lublin.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.lublin.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n\r\n--b1--\r\n"
    ).encode()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(dsn_without_status(MOPS), id="dsn-without-status"),
        pytest.param(
            fresh(
                "MAILER-DAEMON@mx.example",
                f"Your message could not be delivered.\n\n<{MOPS}>: mailbox unavailable\n",
                "Undelivered Mail",
            ),
            id="text-bounce-without-code",
        ),
    ],
)
def test_bounce_of_unknown_hardness_alerts_staff_and_keeps_the_address(
    app: App, raw: bytes
) -> None:
    """channels.md: only a hard bounce switches an address off; one whose hardness cannot
    be told (no 4.x.x/5.x.x, no Action) goes to staff instead, and is never answered."""
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(raw)
    assert app.mail.ingest.poll(box).statuses == {"ignored": 1}
    assert box.filed["processed"] == [raw]
    with app.uow() as uow:
        assert [c.email_unreachable for c in uow.contacts.by_email(MOPS)] == [False]
    assert outbox(app, "delivery_failed") == []
    assert [m for m in outbox(app) if m.recipient == MOPS and m.kind != "invitation"] == []
    [alert] = outbox(app, "mail_review")
    assert alert.recipient == "olga@cm.example"
    assert alert.payload["reason"] == "bounce_unknown" and alert.payload["recipient"] == MOPS
    text = app.mail.compose.compose(alert).text
    assert "zwrot poczty o nieznanej przyczynie – adres nie został wyłączony" in text
    assert f"Adres: {MOPS}" in text and "IZUS-LUB" in text  # the address's organisation
    assert "kartomat registry import" in text and "--apply" not in text  # not for review


def test_closed_session_reply_is_stored_not_applied_and_sender_told(app: App) -> None:
    mail_app_ready(app)
    raw = reply(app, {"II.0.1": "120"})
    app.sessions.close("2026-H2")
    box = FakeMailbox()
    box.append(raw)
    assert app.mail.ingest.poll(box).statuses == {"refused": 1}
    assert "II.0.1" not in answers_of(app, izus(app))
    [notice] = outbox(app, "mail_notice")
    assert notice.payload["reason"] == "baseline" and notice.recipient == MOPS
    assert "sesją bazową" in app.mail.compose.compose(notice).text


def test_complete_card_is_submitted_and_the_reply_carries_the_receipt(app: App) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(reply(app, FULL))
    assert app.mail.ingest.poll(box).statuses == {"applied": 1}
    [answer] = outbox(app, "mail_reply")
    assert answer.payload["submitted"]["number"].startswith("MP/2026-H2/IZUS/")
    assert [m.status for m in outbox(app, "confirmation")] == ["cancelled"]
    assert "Numer zgłoszenia: MP/2026-H2/IZUS/" in app.mail.compose.compose(answer).text


def test_warnings_wait_for_potwierdzam(app: App, clock: FakeClock) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    box.append(reply(app, {**FULL, "II.1.1": "500"}))  # more NGOs than II.0.1 = 120
    app.mail.ingest.poll(box)
    [first] = outbox(app, "mail_reply")
    assert first.payload["needs_confirmation"] and not first.payload.get("submitted")
    assert "POTWIERDZAM" in app.mail.compose.compose(first).text
    clock.advance(minutes=5)
    box.append(fresh(MOPS, "POTWIERDZAM\n"))
    app.mail.ingest.poll(box)
    second = [m for m in outbox(app, "mail_reply") if m.id != first.id]
    assert second[0].payload["submitted"]


def test_rejection_type_notices_go_once_a_day(app: App, clock: FakeClock) -> None:
    mail_app_ready(app)
    box = FakeMailbox()
    for n in range(2):
        box.append(fresh(MOPS, f"Dzień dobry {n}, w załączeniu karta."))
    box.append(fresh(MOPS, "[II.0.1] Liczba: dwadzieścia\n"))
    report = app.mail.ingest.poll(box)
    assert report.statuses == {"empty": 2, "applied": 1}
    assert len(outbox(app, "mail_notice")) == 1
    [answer] = outbox(app, "mail_reply")
    assert answer.payload["rejected"][0][:2] == ["II.0.1", "dwadzieścia"]
    clock.advance(days=1)
    box.append(fresh(MOPS, "Dzień dobry, jeszcze raz."))
    app.mail.ingest.poll(box)
    assert len(outbox(app, "mail_notice")) == 2


def test_oversize_is_quarantined_unread_and_staff_alerted(app: App) -> None:
    mail_app_ready(app)
    app.mail.ingest.max_bytes = 2000
    box = FakeMailbox()
    box.append(reply(app, {"II.0.1": "1"}))
    assert app.mail.ingest.poll(box).statuses == {"quarantined": 1}
    assert "II.0.1" not in answers_of(app, izus(app))
    assert [m.payload["reason"] for m in outbox(app, "mail_review")] == ["too_large"]
    assert [m.payload["reason"] for m in outbox(app, "mail_notice")] == ["too_large"]


def test_invitation_has_tag_token_and_marker_and_purge_empties_old_raw(
    app: App, clock: FakeClock
) -> None:
    mail_app_ready(app)
    raw = invitation_raw(app)
    assert b"Auto-Submitted: auto-generated" in raw and b"X-Auto-Response-Suppress: All" in raw
    assert b"Reply-To: monitoring+" in raw and "· 2026-H2 · #".encode() not in raw  # RFC 2047
    box = FakeMailbox()
    box.append(reply(app, {"II.0.1": "120"}))
    app.mail.ingest.poll(box)
    clock.advance(days=app.settings.mail_retention_days + 1)
    assert app.mail.ingest.purge() == 1
    with app.uow() as uow:
        assert uow.inbound.with_status(["applied"])[0].raw == b""


def test_matching_by_thread_then_by_subject_tag_when_the_token_is_gone(app: App) -> None:
    mail_app_ready(app)
    invitation = invitation_raw(app)
    message_id = next(
        line.split(b":", 1)[1].strip().decode()
        for line in invitation.split(b"\n")
        if line.lower().startswith(b"message-id:")
    )
    row = next(m for m in outbox(app, "invitation") if m.recipient == MOPS)
    tag = app.mail.compose.compose(row)  # the subject with the tag, as it was sent
    box = FakeMailbox()
    box.append(fresh("kolega@gmail.example", "II.0.1: 5", "Re: x", {"In-Reply-To": message_id}))
    box.append(fresh("kolega2@gmail.example", "II.0.2: 6", "Re: " + tag.subject))
    assert app.mail.ingest.poll(box).statuses == {"pending_review": 2}
    assert [i.organisation for i in app.mail.review.pending()] == ["IZUS-LUB", "IZUS-LUB"]


def test_pdf_instead_of_the_template_goes_to_staff_and_the_reply_asks_for_it(app: App) -> None:
    mail_app_ready(app)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = MOPS, "monitoring@cm.example", "Karta"
    message.set_content("Dzień dobry, w załączniku skan karty.")
    message.add_attachment(
        b"%PDF-1.4 skan", maintype="application", subtype="pdf", filename="karta.pdf"
    )
    box = FakeMailbox()
    box.append(bytes(message))
    assert app.mail.ingest.poll(box).statuses == {"needs_review": 1}
    assert [m.payload["reason"] for m in outbox(app, "mail_review")] == ["needs_template"]
    [notice] = outbox(app, "mail_notice")
    mail = app.mail.compose.compose(notice)
    assert "nie jest szablonem karty" in mail.text and mail.sheet is not None
