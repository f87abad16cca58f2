"""Never-raising accessors for one MIME part (compat32 `Message`)."""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
from email.message import Message

from mailer.parsing.charsets import decode_bytes
from mailer.parsing.flowed import unflow
from mailer.parsing.headers import decode_header_value
from mailer.parsing.html_text import html_to_text
from mailer.parsing.keyed import starts_with_key
from mailer.parsing.normalize import normalize_newlines, normalize_text


def param(part: Message, name: str) -> str | None:
    """A Content-Type parameter (RFC 2231 decoded), None when missing or malformed."""
    try:
        value = part.get_param(name)
        if value is None:
            return None
        return str(email.utils.collapse_rfc2231_value(value)).strip()
    except Exception:  # malformed RFC 2231 parameters
        return None


def content_type(part: Message) -> str:
    """The part's content type, lowercased; text/plain when unreadable (RFC 2045 5.2)."""
    try:
        return part.get_content_type().lower()
    except Exception:
        return "text/plain"


def filename_of(part: Message) -> str | None:
    """The attachment's file name: RFC 2231 and RFC 2047 decoded, raw 8-bit recovered."""
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        return None
    decoded = decode_header_value(name)
    return decoded.replace("/", "_").replace("\\", "_").strip() or None


def payload_bytes(part: Message) -> bytes:
    """The decoded payload (base64/quoted-printable undone), b"" when there is none."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def part_text(part: Message, ctype: str, data: bytes) -> str:
    """Decode a text part: charset fallback, un-flowing (RFC 3676), HTML to text."""
    text = normalize_newlines(decode_bytes(data, param(part, "charset")))
    if ctype == "text/html":
        text = html_to_text(text)
    elif (param(part, "format") or "").lower() == "flowed":
        delsp = (param(part, "delsp") or "").lower() == "yes"
        text = unflow(text, delsp=delsp, starts_line=starts_with_key)
    return normalize_text(text)


def has_content_id(part: Message) -> bool:
    """Whether the part has a Content-ID (an inline image referenced from HTML)."""
    try:
        return part.get("Content-ID") is not None
    except Exception:
        return False


def message_size(message: Message) -> int:
    """The serialised size of an attached message, 0 when it cannot be serialised."""
    try:
        return len(message.as_bytes())
    except Exception:  # the generator can fail on messages the parser accepted
        return 0


def disposition(part: Message) -> str | None:
    """ "inline", "attachment" or None."""
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def bare_text(data: bytes) -> str:
    """Text without a part to take the charset from (winmail.dat contents)."""
    return normalize_text(decode_bytes(data, None))


def parse_bytes(data: bytes) -> Message | None:
    """Parse an attached message with the never-raising compat32 policy."""
    if not data.strip():
        return None
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
