"""The result of parsing one incoming message, and its JSON form for the CLI.

`MailParseResult.to_json()` is the exact shape `kartomat mail parse FILE.eml --json`
prints; every other attribute is detail the ingestion needs (threading, bounce
hardness, attachments for review, provenance of each answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["reply", "auto_reply", "bounce", "receipt", "own", "unknown"]
KINDS: tuple[Kind, ...] = ("reply", "auto_reply", "bounce", "receipt", "own", "unknown")
BODY = "body"


@dataclass(frozen=True)
class RawAnswer:
    """A value as written, before typing: which code, where it came from."""

    code: str
    raw: str
    source: str  # "body" or "attachment:<file name>"
    position: int  # body line (0-based) or sheet row (1-based)
    quote_depth: int = 0  # ">" levels of a body line; 0 for attachments
    card: str | None = None  # "ngo"/"izus" when written with the card prefix


@dataclass(frozen=True)
class Rejection:
    """A value that did not parse, with the reason to send back (Polish and English)."""

    code: str
    raw: str
    reason_pl: str
    reason_en: str
    source: str = BODY


@dataclass(frozen=True)
class Conflict:
    """Body and attachment (or two attachments) disagree on a code: not guessed."""

    code: str
    values: tuple[Any, ...]  # JSON values, in source order
    sources: tuple[str, ...]


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment and what happened to it."""

    filename: str | None
    content_type: str
    size: int
    status: Literal["read", "ignored", "needs_review"]
    detail: str = ""


@dataclass(frozen=True)
class BounceInfo:
    """A delivery failure report (RFC 3464), or a non-standard MAILER-DAEMON text."""

    recipients: tuple[str, ...]
    status: str | None  # e.g. "5.1.1"
    action: str | None  # "failed", "delayed", ...
    hard: bool | None  # True: 5.x.x / failed; False: 4.x.x / delayed; None: unknown
    diagnostic: str | None = None


@dataclass
class MailParseResult:
    """Everything the ingestion needs to know about one message."""

    kind: Kind
    size: int
    sha256: str
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    from_address: str | None = None
    from_name: str | None = None
    to_addresses: list[str] = field(default_factory=list)
    subject: str = ""
    sent_at: datetime | None = None
    token: str | None = None  # full token from the recipient plus-address
    subject_short_token: str | None = None  # "#abcdEFGH" of the subject tag
    subject_card: str | None = None
    subject_session: str | None = None  # "2026-H2" of the subject tag
    card: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)  # JSON values, card order
    values: dict[str, Any] = field(default_factory=dict)  # parsed values (Decimal, date, ...)
    other_texts: dict[str, str] = field(default_factory=dict)  # "inny" free text per code
    answer_sources: dict[str, str] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    raw_answers: list[RawAnswer] = field(default_factory=list)  # per source, the winners
    ignored_codes: list[str] = field(default_factory=list)  # not on the card (or system)
    confirm: bool = False  # the new text says POTWIERDZAM
    reply_text: str = ""  # the new text above the quoted original
    body_source: str = "none"  # "text/plain", "text/html", "text/plain+text/html", "none"
    attachments: list[AttachmentInfo] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)  # Polish notes for staff
    auto_reply_reason: str | None = None
    receipt_reason: str | None = None
    bounce: BounceInfo | None = None
    original_message_id: str | None = None  # of our message, from a bounce or receipt
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # set only when kind == "unknown"

    @property
    def short_token(self) -> str | None:
        """The 8-character short token: from the full token, else from the subject tag."""
        return self.token[:8] if self.token else self.subject_short_token

    @property
    def bounced_recipient(self) -> str | None:
        """The first failed recipient of a bounce."""
        return self.bounce.recipients[0] if self.bounce and self.bounce.recipients else None

    @property
    def bounce_hard(self) -> bool | None:
        """True for a permanent failure (5.x.x), False for a transient one (4.x.x)."""
        return self.bounce.hard if self.bounce else None

    @property
    def is_empty(self) -> bool:
        """No answers, nothing for review and no new text: an empty reply (case 29)."""
        has_values = self.answers or self.rejected or self.conflicts or self.raw_answers
        return not (has_values or self.needs_review or self.reply_text.strip())

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON shape (JSON-serialisable dict, exactly these keys)."""
        return {
            "kind": self.kind,
            "token": self.token,
            "in_reply_to": self.in_reply_to,
            "card": self.card,
            "answers": dict(self.answers),
            "rejected": [
                {"code": r.code, "raw": r.raw, "reason_pl": r.reason_pl} for r in self.rejected
            ],
            "conflicts": [{"code": c.code, "values": list(c.values)} for c in self.conflicts],
            "bounced_recipient": self.bounced_recipient,
        }
