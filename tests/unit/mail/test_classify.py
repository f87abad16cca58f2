"""Auto-replies (RFC 3834), bounces (RFC 3464) and receipts (RFC 8098): cases 20-22."""

from __future__ import annotations

import email.parser
import email.policy
from email.message import Message

import pytest

from mailer.parsing.classify import auto_reply_reason, receipt_reason
from mailer.parsing.headers import HeaderView
from mailer.parsing.reports import hardness, is_daemon, parse_dsn, parse_text_bounce


def message(raw: str) -> Message:
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw.encode())


@pytest.mark.parametrize(
    ("headers", "subject", "reason"),
    [
        ("Auto-Submitted: auto-replied\n", "x", "Auto-Submitted: auto-replied"),
        ("Auto-Submitted: no\n", "x", None),
        ("X-Autoreply: yes\n", "x", "X-Autoreply: yes"),
        ("X-Autorespond: on\n", "x", "X-Autorespond: on"),
        ("Precedence: list\n", "x", "Precedence: list"),
        ("Precedence: first-class\n", "x", None),
        ("X-Auto-Response-Suppress: All\n", "x", None),  # alone: normal Outlook mail
        (
            "X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: a@b.pl\n",
            "x",
            "X-Auto-Response-Suppress + X-MS-Exchange-Inbox-Rules-Loop",
        ),
        ("", "Odpowiedź automatyczna: [Karta]", "Subject: Odpowiedź automatyczna: [Karta]"),
        ("", "Automatic reply: x", "Subject: Automatic reply: x"),
        ("", "Out of Office: x", "Subject: Out of Office: x"),
        ("", "Re: odpowiedź automatyczna nie działa", None),
    ],
)
def test_auto_reply_reason(headers: str, subject: str, reason: str | None) -> None:
    assert auto_reply_reason(HeaderView(message(headers + "\n")), subject) == reason


@pytest.mark.parametrize(
    "subject",
    [
        "Przeczytano: x",
        "Nie przeczytano: x",
        "Read: x",
        "Potwierdzenie przeczytania (wyświetlenia) - x",
    ],
)
def test_receipt_subjects(subject: str) -> None:
    assert receipt_reason(message("\n"), subject) is not None


def test_receipt_by_report_type() -> None:
    raw = (
        "Content-Type: multipart/report; report-type=disposition-notification;"
        ' boundary="b"\n\n--b--\n'
    )
    assert (
        receipt_reason(message(raw), "x")
        == "multipart/report; report-type=disposition-notification"
    )


@pytest.mark.parametrize(
    ("status", "action", "hard"),
    [
        ("5.1.1", "failed", True),
        ("4.4.1", "delayed", False),
        (None, "failed", True),
        (None, "delayed", False),
        (None, "relayed", None),
        ("2.0.0", "delivered", None),
    ],
)
def test_hardness(status: str | None, action: str | None, hard: bool | None) -> None:
    assert hardness(status, action) is hard


def test_parse_dsn_takes_the_failed_recipient() -> None:
    raw = (
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nfailed\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        "Final-Recipient: rfc822; ok@x.pl\nAction: delayed\nStatus: 4.4.1\n\n"
        "Final-Recipient: rfc822; Bad@X.pl\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n--b--\n"
    )
    bounce = parse_dsn(message(raw))
    assert bounce is not None
    assert (bounce.recipients, bounce.status, bounce.hard) == (("bad@x.pl",), "5.1.1", True)
    assert bounce.diagnostic == "smtp; 550 5.1.1 User unknown"


def test_text_bounce_skips_our_and_daemon_addresses() -> None:
    text = (
        "From MAILER-DAEMON@mx.x.pl about monitoring@o.pl:\n"
        "<jan@gmina.pl>:\n550 mailbox unavailable"
    )
    bounce = parse_text_bounce(text, [], ["monitoring@o.pl"])
    assert (bounce.recipients, bounce.status, bounce.hard) == (("jan@gmina.pl",), "5.0.0", True)


def test_daemons() -> None:
    assert is_daemon("MAILER-DAEMON@mx.example.pl", None)
    assert is_daemon("postmaster@gmina.pl", None)
    assert is_daemon("noreply@x.pl", "Mail Delivery Subsystem")
    assert not is_daemon("jan@gmina.pl", "Jan")
