"""Reading headers without ever raising.

Messages are parsed with the `compat32` policy, so the stdlib never builds header
objects (its header registry raises `IndexError` on Exchange's
`Message-ID: <[...@...microsoft.com]>` and on `To: "`, email-cases.md case 11).
Values are unfolded and decoded here: RFC 2047 encoded words with charset fallback,
and raw 8-bit bytes (non-RFC 2047 `Subject`/`From` from old clients, case 10)
recovered from the parser's surrogate escapes and decoded as UTF-8/cp1250/ISO-8859-2.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import quopri
import re
from datetime import datetime
from email.message import Message

from mailer.parsing.charsets import decode_bytes

# RFC 2047 section 2: =?charset?encoding?encoded-text?=
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MSG_ID = re.compile(r"<[^<>\s]+>")
ADDRESS_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def raw_bytes(value: object) -> bytes:
    """The original bytes of a header value as the compat32 parser stored it."""
    text = value if isinstance(value, str) else str(value)
    # BytesParser keeps 8-bit bytes as lone surrogates (surrogateescape).
    return text.encode("utf-8", "surrogateescape")


def _decode_word(charset: str, encoding: str, payload: str) -> str:
    data = payload.encode("ascii", "replace")
    try:
        if encoding.lower() == "b":
            decoded = base64.b64decode(data + b"=" * (-len(data) % 4))
        else:
            decoded = quopri.decodestring(data.replace(b"_", b" "), header=True)
    except (binascii.Error, ValueError):
        return payload
    return decode_bytes(decoded, charset)


def decode_rfc2047(text: str) -> str:
    """Decode RFC 2047 encoded words; whitespace between adjacent words is dropped."""
    text = _BETWEEN_WORDS.sub(r"\1", text)
    return _ENCODED_WORD.sub(lambda m: _decode_word(m.group(1), m.group(2), m.group(3)), text)


def decode_header_value(value: object) -> str:
    """Unfold and decode one header value, whatever its bytes are."""
    data = _FOLD.sub("", raw_bytes(value).decode("latin-1")).encode("latin-1")
    text = decode_bytes(data, None)  # raw 8-bit headers: utf-8, then cp1250/iso-8859-2
    return decode_rfc2047(text).replace("\r", "").replace("\n", " ").strip()


class HeaderView:
    """Case-insensitive, decoded, never-raising access to a message's headers."""

    def __init__(self, message: Message) -> None:
        try:
            items = list(message.raw_items())
        except Exception:  # a header list that cannot even be listed: treat as empty
            items = []
        self._items = [(str(name).strip().lower(), value) for name, value in items]

    def get_all(self, name: str) -> list[str]:
        """Every value of the header `name`, decoded."""
        key = name.lower()
        return [decode_header_value(value) for item, value in self._items if item == key]

    def get(self, name: str) -> str | None:
        """The first value of the header `name`, decoded, or None."""
        values = self.get_all(name)
        return values[0] if values else None

    def has(self, name: str) -> bool:
        """Whether the header is present at all."""
        key = name.lower()
        return any(item == key for item, _ in self._items)

    def addresses(self, *names: str) -> list[tuple[str, str]]:
        """(display name, address) pairs of the named address headers (case kept: tokens)."""
        pairs: list[tuple[str, str]] = []
        for name in names:
            for value in self.get_all(name):
                pairs.extend(parse_addresses(value))
        return pairs

    def message_ids(self, name: str) -> list[str]:
        """Message ids (with angle brackets) in a Message-ID/In-Reply-To/References header."""
        ids: list[str] = []
        for value in self.get_all(name):
            ids.extend(_MSG_ID.findall(value) or ([value.strip()] if value.strip() else []))
        return ids

    def date(self) -> datetime | None:
        """The Date header as an aware datetime, or None when missing or unreadable."""
        value = self.get("Date")
        if not value:
            return None
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return parsed if parsed.tzinfo is not None else None


def parse_addresses(value: str) -> list[tuple[str, str]]:
    """Parse an address list leniently; fall back to anything that looks like an address."""
    try:
        pairs = [
            (name.strip(), addr.strip())
            for name, addr in email.utils.getaddresses([value])
            if "@" in addr
        ]
    except Exception:  # getaddresses has raised on malformed input in some releases
        pairs = []
    if pairs:
        return pairs
    return [("", found) for found in ADDRESS_RE.findall(value)]
