"""Delivery status notifications (RFC 3464) and read receipts (RFC 8098).

A DSN is `multipart/report; report-type=delivery-status` whose `message/delivery-
status` part holds one block of per-message fields, then one block per recipient
(`Final-Recipient: rfc822; jan@…`, `Action: failed`, `Status: 5.1.1`). Class 5 is a
permanent failure (hard bounce), class 4 transient (RFC 3463). Older MTAs (qmail,
some Exchange and Polish hosting setups) send plain text from MAILER-DAEMON or
postmaster instead; for those the recipient and status are searched in the text.
Both usually return our original headers (`text/rfc822-headers` or the whole
`message/rfc822`), which carry our Message-ID and the tokenised Reply-To.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from collections.abc import Iterator, Sequence
from email.message import Message

from mailer.parsing.charsets import decode_bytes
from mailer.parsing.headers import ADDRESS_RE, HeaderView, decode_header_value, parse_addresses
from mailer.parsing.model import BounceInfo
from mailer.parsing.normalize import normalize_newlines
from mailer.parsing.parts import content_type, payload_bytes
from mailer.parsing.tokens import is_our_address

DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
_DAEMON_NAME = re.compile(r"mail delivery (system|subsystem)|mailer.?daemon", re.IGNORECASE)
_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
_SMTP_REPLY = re.compile(r"(?<![\d.])([45])\d\d(?=[ -])")
_FINAL = re.compile(
    r"(?:Final|Original)-Recipient:\s*(?:rfc822\s*;)?\s*<?([^\s<>;]+@[^\s<>;]+)", re.I
)
_QMAIL = re.compile(r"^\s*<([^\s<>]+@[^\s<>]+)>\s*:", re.MULTILINE)
_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.*)$")
_RETURNED = frozenset({"text/rfc822-headers", "message/rfc822", "message/global-headers"})
_MAX_PARTS = 200


def iter_parts(message: Message) -> Iterator[Message]:
    """Every part of a message, bounded (the stdlib's walk() is unbounded recursion)."""
    stack, seen = [message], 0
    while stack and seen < _MAX_PARTS:
        part = stack.pop(0)
        seen += 1
        yield part
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(p for p in payload if isinstance(p, Message))


def report_type(message: Message) -> str | None:
    """The `report-type` of a multipart/report (RFC 6522), lowercased."""
    if content_type(message) != "multipart/report":
        return None
    try:
        value = message.get_param("report-type")
    except Exception:
        return None
    return str(value).strip().lower() if isinstance(value, str) else None


def is_daemon(address: str | None, name: str | None) -> bool:
    """MAILER-DAEMON, postmaster or "Mail Delivery System" as the sender."""
    local = (address or "").rpartition("@")[0].lower() or (address or "").lower()
    return local in DAEMONS or bool(_DAEMON_NAME.search(name or ""))


def field_blocks(part: Message) -> list[dict[str, str]]:
    """The header-like blocks of a message/delivery-status or disposition part."""
    payload = part.get_payload()
    if isinstance(payload, list):  # compat32 parses each block as a headers-only Message
        return [
            {str(k).lower(): decode_header_value(v) for k, v in block.raw_items()}
            for block in payload
            if isinstance(block, Message)
        ]
    text = normalize_newlines(decode_bytes(payload_bytes(part)))
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\n\s*\n", text):
        block: dict[str, str] = {}
        for line in chunk.split("\n"):
            match = _FIELD.match(line)
            if match:
                block[match.group(1).lower()] = match.group(2).strip()
        if block:
            blocks.append(block)
    return blocks


def _recipient(value: str) -> str | None:
    """`rfc822; jan@x.pl` -> `jan@x.pl` (RFC 3464 2.3.2 address-type; address)."""
    address = value.partition(";")[2] if ";" in value else value
    pairs = parse_addresses(address.strip())
    return pairs[0][1].lower() if pairs else None


def hardness(status: str | None, action: str | None) -> bool | None:
    """Hard (True) for 5.x.x or `failed`, soft (False) for 4.x.x or `delayed`."""
    if status and status[:1] in "45":
        return status[0] == "5"
    if action in ("failed", "delayed"):
        return action == "failed"
    return None


def parse_dsn(message: Message) -> BounceInfo | None:
    """The failed recipients of an RFC 3464 report, or None when it has no status part."""
    blocks = [
        block
        for part in iter_parts(message)
        if content_type(part) in ("message/delivery-status", "message/global-delivery-status")
        for block in field_blocks(part)
        if "final-recipient" in block or "original-recipient" in block
    ]
    if not blocks:
        return None
    failed = [b for b in blocks if b.get("action", "").lower() == "failed"] or blocks
    recipients = [
        r for b in failed if (r := _recipient(b.get("final-recipient") or b["original-recipient"]))
    ]
    first = failed[0]
    status = _STATUS.search(first.get("status", ""))
    action = first.get("action", "").lower() or None
    code = status.group(0) if status else None
    return BounceInfo(
        tuple(dict.fromkeys(recipients)), code, action, hardness(code, action),
        first.get("diagnostic-code"),
    )  # fmt: skip


def parse_text_bounce(text: str, returned_to: Sequence[str], ours: Sequence[str]) -> BounceInfo:
    """A non-RFC 3464 bounce: recipient and status searched in the human-readable text."""
    candidates = _FINAL.findall(text) + _QMAIL.findall(text) + list(returned_to)
    candidates += ADDRESS_RE.findall(text)
    recipients = [
        c.lower() for c in candidates if not is_our_address(c, ours) and not is_daemon(c, None)
    ]
    status = _STATUS.search(text)
    code = status.group(0) if status else None
    if code is None:
        smtp = _SMTP_REPLY.search(text)
        code = f"{smtp.group(1)}.0.0" if smtp else None
    recipients = list(dict.fromkeys(recipients))
    return BounceInfo(tuple(recipients[:1]), code, None, hardness(code, None))


def returned_headers(message: Message) -> HeaderView | None:
    """The headers of our original message returned inside a bounce or receipt."""
    for part in iter_parts(message):
        ctype = content_type(part)
        if ctype not in _RETURNED:
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return HeaderView(payload[0])
        data = payload_bytes(part)
        parser = email.parser.BytesParser(policy=email.policy.compat32)
        return HeaderView(parser.parsebytes(data, headersonly=True))
    return None


def mdn_original_id(message: Message) -> str | None:
    """`Original-Message-ID` of an RFC 8098 disposition notification."""
    for part in iter_parts(message):
        if content_type(part) == "message/disposition-notification":
            for block in field_blocks(part):
                if "original-message-id" in block:
                    return block["original-message-id"].strip() or None
    return None
