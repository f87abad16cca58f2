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
        self._items: dict[str, list[object]] = {}  # values by lowercased name, in order
        for name, value in items:
            self._items.setdefault(str(name).strip().lower(), []).append(value)
        self._decoded: dict[str, list[str]] = {}  # each header decoded once
        self._addresses: dict[str, list[tuple[str, str]]] = {}

    def get_all(self, name: str) -> list[str]:
        """Every value of the header `name`, decoded."""
        key = name.lower()
        values = self._decoded.get(key)
        if values is None:
            values = [decode_header_value(value) for value in self._items.get(key, ())]
            self._decoded[key] = values
        return list(values)

    def get(self, name: str) -> str | None:
        """The first value of the header `name`, decoded, or None."""
        values = self.get_all(name)
        return values[0] if values else None

    def has(self, name: str) -> bool:
        """Whether the header is present at all."""
        return name.lower() in self._items

    def addresses(self, *names: str) -> list[tuple[str, str]]:
        """(display name, address) pairs of the named address headers (case kept: tokens)."""
        pairs: list[tuple[str, str]] = []
        for name in names:
            parsed = self._addresses.get(name.lower())
            if parsed is None:
                parsed = [pair for value in self.get_all(name) for pair in parse_addresses(value)]
                self._addresses[name.lower()] = parsed
            pairs.extend(parsed)
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


# The common single-address forms (`Name <a@b.pl>`, `<a@b.pl>`, `a@b.pl`; the name plain
# words of RFC 5322 atom characters, no quotes, dots or commas), for which
# `email.utils.getaddresses` gives exactly the name with single spaces and the address
# (tests/unit/mail/test_headers_tokens.py holds it to that). Anything else goes to it.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_ADDR = rf"{_ATEXT}+(?:\.{_ATEXT}+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_WORD = r"[^\s()<>\[\]:;@\\,.\"]+"
_SIMPLE_ADDRESS = re.compile(
    rf"[ \t]*(?:({_WORD}(?:[ \t]+{_WORD})*)[ \t]*)?<({_ADDR})>[ \t]*|[ \t]*({_ADDR})[ \t]*"
)


def parse_addresses(value: str) -> list[tuple[str, str]]:
    """Parse an address list leniently; fall back to anything that looks like an address."""
    simple = _SIMPLE_ADDRESS.fullmatch(value)
    if simple is not None:
        name, bracketed, bare = simple.groups()
        return [(" ".join(name.split()) if name else "", bracketed or bare)]
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
