"""Parsing incoming replies (pure: stdlib email, openpyxl, defusedxml; no I/O).

Public API:
    parse_message(raw, *, card, catalog, our_addresses, today) -> MailParseResult
    MailParseResult.to_json() -> the CLI's JSON shape

The message layer (headers, kind, MIME walk, keyed lines, spreadsheet rows) yields
raw values per code; the typing layer (`answers.py`) keeps the card's codes and
parses each value with `domain.cards.values.parse_value`.
"""

from mailer.parsing.message import DEFAULT_SENDER_NAME, is_confirmation, parse_message
from mailer.parsing.model import (
    KINDS,
    AttachmentInfo,
    BounceInfo,
    Conflict,
    Kind,
    MailParseResult,
    RawAnswer,
    Rejection,
)

__all__ = [
    "DEFAULT_SENDER_NAME",
    "KINDS",
    "AttachmentInfo",
    "BounceInfo",
    "Conflict",
    "Kind",
    "MailParseResult",
    "RawAnswer",
    "Rejection",
    "is_confirmation",
    "parse_message",
]
