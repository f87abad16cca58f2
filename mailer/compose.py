"""MIME for our outgoing emails: plain text, an HTML alternative, the XLSX card.

Plain text is quoted-printable UTF-8 and never `format=flowed`: the template's empty
answers end in ": ", and under RFC 3676 a trailing space would join the line with
the next one in the respondent's client. Headers per channels.md: a distinctive
From, the tokenised Reply-To, our stored Message-ID, threading headers for replies,
`Auto-Submitted: auto-generated` (RFC 3834) and `X-Auto-Response-Suppress: All`
(Exchange: no out-of-office replies to us).
"""

from __future__ import annotations

import html
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from mailer.xlsx import card_workbook
from services.mail_ports import ComposedMail, MailIdentity

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_STYLE = "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45"


def html_body(text: str, lang: str) -> str:
    """The same content as HTML: one block per line, so clients keep the line structure."""
    blocks = [f"<div>{html.escape(line) or '<br>'}</div>" for line in text.split("\n")]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body><div style="{_STYLE}">\n' + "\n".join(blocks) + "\n</div></body></html>\n"
    )


def build_message(mail: ComposedMail, identity: MailIdentity, now: datetime) -> EmailMessage:
    """The complete message, ready for SMTP."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = formataddr((identity.name, identity.address))
    message["To"] = mail.to
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
        message["References"] = " ".join(dict.fromkeys([*mail.references, mail.in_reply_to]))
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = mail.lang
    message.set_content(mail.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        html_body(mail.text, mail.lang), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    if mail.sheet:
        data = card_workbook(mail.sheet)
        message.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=mail.sheet_name)
    return message
