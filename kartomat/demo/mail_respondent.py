"""A simulated CUS/OPS contact: reads our invitation, fills the template, replies.

It replies the way Gmail users in Polish offices do: the filled `[CODE] …: value` lines
on top, then the quoted original under a Polish attribution line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

TEMPLATE_LINE = re.compile(
    r"^\[(?P<code>[IV]+(?:\.[0-9A-Za-z]+)+)\]\s*(?P<label>.*?):[ \t]*(?P<value>.*)$"
)


def plain_text(raw: bytes) -> str:
    """The text/plain body of one of our messages."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def filled_lines(template: str, answers: Mapping[str, str]) -> list[str]:
    """The template's lines with our answers filled in (values already there are kept)."""
    lines = []
    for line in template.splitlines():
        match = TEMPLATE_LINE.match(line.strip())
        if match is None:
            continue
        value = match["value"].strip() or answers.get(match["code"], "")
        if value:
            lines.append(f"[{match['code']}] {match['label']}: {value}")
    return lines


def reply_to_invitation(raw: bytes, answers: Mapping[str, str], sender: str) -> bytes:
    """A reply with the filled template above the quoted invitation."""
    original = message_from_bytes(raw, policy=policy.default)
    body = plain_text(raw)
    quoted = "\n".join("> " + line for line in body.splitlines())
    text = (
        "Dzień dobry,\n\nprzesyłam wypełnioną kartę.\n\n"
        + "\n".join(filled_lines(body, answers))
        + "\n\nPozdrawiam\n\n"
        + f"pon., 2 lis 2026 o 10:15 {original['From']} napisał(a):\n{quoted}\n"
    )
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = str(original.get("Reply-To") or original["From"])
    reply["Subject"] = "Re: " + str(original["Subject"])
    reply["Date"] = formatdate(localtime=False)
    reply["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
    if original["Message-ID"]:
        reply["In-Reply-To"] = str(original["Message-ID"])
        reply["References"] = str(original["Message-ID"])
    reply.set_content(text)
    return bytes(reply)
