"""Outgoing MIME (headers, QP text without format=flowed, HTML, XLSX) and SMTP outcomes."""

from __future__ import annotations

import io
import smtplib
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from openpyxl import load_workbook

from domain.cards.catalog import CardCatalog
from mailer.compose import build_message
from mailer.parser import ReplyParser
from mailer.smtp import classify
from services.mail_ports import ComposedMail, MailIdentity
from services.outbox import RetryLater, Undeliverable

ME = MailIdentity(
    "monitoring@cm.example", "Centrum Monitoringu MP", "monitoring+{token}@cm.example"
)
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0"
TEXT = (
    "Szanowni Państwo,\n\n--- Prosimy odpowiadać nad tą linią ---\n\n"
    "[II.0.1] Liczba: \n[I.3] Kto: Dział\n"
)
SHEET = [("Kod", "Pytanie", "Odpowiedź"), ("II.0.1", "Liczba", ""), ("I.3", "Kto", "Dział")]


def composed(**extra: object) -> ComposedMail:
    mail = ComposedMail(
        to="mops@lublin.example",
        subject="Prośba [Karta IZUS · 2026-H2 · #AbCdEfGh]",
        text=TEXT,
        message_id="<kartomat.7.abc@cm.example>",
        reply_to=ME.reply_to(TOKEN),
        sheet=SHEET,
        sheet_name="karta-izus-2026-H2.xlsx",
    )
    for key, value in extra.items():
        setattr(mail, key, value)
    return mail


def sent(mail: ComposedMail) -> EmailMessage:
    raw = bytes(build_message(mail, ME, datetime(2026, 11, 2, 9, tzinfo=UTC)))
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_carry_identity_token_thread_and_auto_submitted() -> None:
    message = sent(composed(in_reply_to="<r1@x>", references=["<a@x>"]))
    assert message["From"] == "Centrum Monitoringu MP <monitoring@cm.example>"
    assert message["Reply-To"] == f"monitoring+{TOKEN}@cm.example"
    assert message["Message-ID"] == "<kartomat.7.abc@cm.example>"
    assert message["In-Reply-To"] == "<r1@x>" and message["References"] == "<a@x> <r1@x>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert "[Karta IZUS · 2026-H2 · #AbCdEfGh]" in message["Subject"]


def test_text_keeps_the_trailing_space_and_is_not_flowed_html_has_the_same_lines() -> None:
    message = sent(composed())
    plain = message.get_body(("plain",))
    assert plain is not None and "format=flowed" not in str(plain["Content-Type"]).lower()
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert "[II.0.1] Liczba: \r\n" in plain.get_content()  # CRLF on the wire
    html = message.get_body(("html",))
    assert html is not None and "<div>[I.3] Kto: Dział</div>" in html.get_content()


def test_xlsx_attachment_has_the_template_columns() -> None:
    [part] = list(sent(composed()).iter_attachments())
    assert part.get_filename() == "karta-izus-2026-H2.xlsx"
    sheet = load_workbook(io.BytesIO(part.get_content())).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["Kod", "Pytanie", "Odpowiedź"]
    assert [c.value for c in sheet[3]] == ["I.3", "Kto", "Dział"]


def test_a_reply_with_our_filled_xlsx_is_read_by_the_parser() -> None:
    [part] = list(sent(composed()).iter_attachments())
    book = load_workbook(io.BytesIO(part.get_content()))
    assert book.active is not None
    book.active["C2"] = "25"
    data = io.BytesIO()
    book.save(data)
    reply = EmailMessage()
    reply["From"], reply["To"] = "mops@lublin.example", f"monitoring+{TOKEN}@cm.example"
    reply["Subject"] = "Re: Prośba [Karta IZUS · 2026-H2 · #AbCdEfGh]"
    reply.set_content("W załączeniu.")
    reply.add_attachment(
        data.getvalue(), maintype="application", subtype="octet-stream", filename="karta.xlsx"
    )
    catalog = CardCatalog.builtin()
    parser = ReplyParser(catalog, ["monitoring@cm.example"], ME.name)
    mail = parser(bytes(reply), None, date(2026, 11, 22))
    assert mail.token == TOKEN and mail.card == "izus"
    assert {(a.code, a.value) for a in mail.answers} == {("II.0.1", 25), ("I.3", "Dział")}


def test_smtp_outcomes_4xx_retry_5xx_recipient_undeliverable_ours_retry() -> None:
    refused = smtplib.SMTPRecipientsRefused({"a@x": (550, b"5.1.1 User unknown")})
    assert classify(refused) == Undeliverable("550 5.1.1 User unknown")
    soft = smtplib.SMTPRecipientsRefused({"a@x": (451, b"4.7.1 greylisted")})
    assert classify(soft) == RetryLater("451 4.7.1 greylisted")  # counted: backoff, give-up
    assert isinstance(classify(smtplib.SMTPDataError(552, b"too big")), Undeliverable)
    assert classify(smtplib.SMTPDataError(451, b"later")) == RetryLater("451 later")
    login = classify(smtplib.SMTPAuthenticationError(535, b"bad credentials"))
    assert isinstance(login, RetryLater) and login.reason.startswith("operator:")
    # the server (or our account) failing is never the recipient's fault: not an attempt
    closing = smtplib.SMTPRecipientsRefused({"a@x": (421, b"4.3.2 shutting down")})
    down = [login, classify(closing), classify(smtplib.SMTPResponseException(421, b"busy")),
            classify(smtplib.SMTPServerDisconnected("gone")), classify(TimeoutError("timed out")),
            classify(ConnectionRefusedError(111, "refused"))]  # fmt: skip
    assert all(isinstance(o, RetryLater) and o.channel_down for o in down), down
