"""The assignment token in recipient addresses and the tag in the subject.

channels.md "Email": our `Reply-To` is `monitoring+<token>@…`; some relays drop or
rewrite the `+`, so `monitoring.<token>@…` is accepted too. The subject carries
`[Karta IZUS · 2026-H2 · #<short-token>]`, where the short token is the token's
first 8 characters. Tokens are URL-safe base64 without padding, 20-43 characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,43}")
SHORT_TOKEN_LENGTH = 8
# Headers that may carry the address the reply was sent to (To/Cc for the reply
# itself; Delivered-To/X-Original-To/Envelope-To added by the receiving MTA).
RECIPIENT_HEADERS: tuple[str, ...] = (
    "To",
    "Cc",
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "X-Forwarded-To",
)
# The separator between the middle dot-separated parts may be mangled by a charset
# conversion ("Â·", "?"), so anything but "]" and "#" is accepted between them.
_SUBJECT_TAG = re.compile(
    r"\[\s*Karta\s+(NGO|IZUS)\b([^\]#]*)#([A-Za-z0-9_-]{8})[A-Za-z0-9_-]*\s*\]", re.IGNORECASE
)
_SESSION = re.compile(r"\b(\d{4}-[A-Za-z0-9]{1,4})\b")


@dataclass(frozen=True)
class SubjectTag:
    """What the subject tag says: card kind, session name and short token."""

    card: str
    session: str | None
    short_token: str


def split_address(address: str) -> tuple[str, str]:
    """Local part and lowercased domain of an address ("" domain when there is no @)."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return (local, domain.lower()) if local else (address.strip(), "")


def token_in_address(address: str, ours: Iterable[str]) -> str | None:
    """The token of `base+token@domain` (or `base.token@domain`) for one of our addresses."""
    local, domain = split_address(address)
    for mailbox in ours:
        base, our_domain = split_address(mailbox)
        if domain != our_domain or not base:
            continue
        for separator in ("+", "."):
            prefix = base.lower() + separator
            if local.lower().startswith(prefix):
                candidate = local[len(prefix) :]
                if TOKEN_RE.fullmatch(candidate):
                    return candidate
    return None


def token_from_addresses(addresses: Iterable[str], ours: Iterable[str]) -> str | None:
    """The first token found in the recipient addresses; without our addresses, any `+tag`."""
    mailboxes = [m for m in ours if "@" in m]
    for address in addresses:
        if mailboxes:
            token = token_in_address(address, mailboxes)
        else:
            local = split_address(address)[0]
            tag = local.partition("+")[2]
            token = tag if TOKEN_RE.fullmatch(tag) else None
        if token:
            return token
    return None


def subject_tag(subject: str) -> SubjectTag | None:
    """Parse `[Karta IZUS · 2026-H2 · #abcdEFGH]` anywhere in a subject."""
    match = _SUBJECT_TAG.search(subject or "")
    if match is None:
        return None
    session = _SESSION.search(match.group(2))
    return SubjectTag(
        card=match.group(1).lower(),
        session=session.group(1) if session else None,
        short_token=match.group(3),
    )


def is_our_address(address: str, ours: Iterable[str]) -> bool:
    """Whether `address` is one of ours, ignoring case and any `+tag`."""
    local, domain = split_address(address)
    plain = local.lower().partition("+")[0] + "@" + domain
    return any(plain == m.strip().lower() for m in ours) or address.strip().lower() in {
        m.strip().lower() for m in ours
    }
