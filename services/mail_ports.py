"""Ports and records of the email channel: what the mail use cases need from outside.

The services never import `imapclient`, `smtplib` or the parser package: `mailer/`
implements these protocols and `kartomat.bootstrap` wires them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from domain.cards.model import CardDefinition

Destination = Literal["processed", "quarantine"]
FOLDERS: dict[Destination, str] = {"processed": "Przetworzone", "quarantine": "Kwarantanna"}


@dataclass
class MailboxState:
    """The high-water mark of one mailbox folder under one UIDVALIDITY (RFC 3501 2.3.1.1)."""

    mailbox: str
    uidvalidity: int | None
    last_uid: int
    updated_at: datetime


@dataclass(frozen=True)
class SentMail:
    """An email we sent: its Message-ID, the outbox row and the assignment it was about."""

    outbox_id: int
    message_id: str
    recipient: str
    kind: str
    created_at: datetime
    assignment_id: int | None = None


class MailboxStateRepository(Protocol):
    def get(self, mailbox: str) -> MailboxState | None: ...
    def save(self, state: MailboxState) -> None: ...


class SentMailRepository(Protocol):
    def add(self, sent: SentMail) -> bool: ...
    def by_message_ids(self, message_ids: Sequence[str]) -> list[SentMail]: ...


# --- The parser, seen from the services -----------------------------------------


@dataclass(frozen=True)
class IncomingAnswer:
    """One typed answer of a reply: the JSON value, the text as written, where it was."""

    code: str
    value: Any  # JSON representation (cards.md "Value representation")
    raw: str
    quoted: bool  # written on a `>`-quoted line (our earlier text, or typed into it)
    other_text: str | None = None


@dataclass(frozen=True)
class IncomingRejection:
    """A value the parser could not accept, with the reason in both languages."""

    code: str
    raw: str
    reason_pl: str
    reason_en: str
    quoted: bool = False  # on a `>`-quoted line: possibly our own earlier text


@dataclass
class IncomingMail:
    """What the mail use cases need of one parsed message (see mailer.parser)."""

    kind: str  # reply | auto_reply | bounce | receipt | own | unknown
    sha256: str
    size: int
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    from_address: str | None = None
    subject: str = ""
    token: str | None = None
    short_token: str | None = None
    card: str | None = None
    answers: list[IncomingAnswer] = field(default_factory=list)
    rejected: list[IncomingRejection] = field(default_factory=list)
    conflicts: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    confirm: bool = False
    empty: bool = False
    needs_review: list[str] = field(default_factory=list)
    bounced_recipient: str | None = None
    bounce_hard: bool | None = None
    bounce_reason: str | None = None
    original_message_id: str | None = None
    errors: list[str] = field(default_factory=list)


class MailParser(Protocol):
    """Parses raw RFC 5322 bytes against a card (None: derive it from the message)."""

    def __call__(self, raw: bytes, card: CardDefinition | None, today: date) -> IncomingMail: ...


# --- Mailboxes (IMAP folder or Maildir) -----------------------------------------


@dataclass(frozen=True)
class MailboxItem:
    """A message waiting in the mailbox: its key (UID or Maildir key) and size."""

    key: str
    size: int
    uid: int | None = None


class Mailbox(Protocol):
    """A source of incoming mail; `mailbox` names it for the high-water mark."""

    mailbox: str
    uses_uids: bool

    def uidvalidity(self) -> int | None:
        """The folder's UIDVALIDITY (None for sources without UIDs)."""
        ...

    def pending(self, last_uid: int) -> list[MailboxItem]:
        """Messages to look at, oldest first (IMAP: only UIDs above `last_uid`)."""
        ...

    def fetch(self, items: Sequence[MailboxItem]) -> Iterator[tuple[MailboxItem, bytes]]:
        """The raw bytes of each item, never marking it read."""
        ...

    def fetch_headers(self, item: MailboxItem) -> bytes:
        """Only the header block (for a message too large to download)."""
        ...

    def file(self, items: Iterable[MailboxItem], destination: Destination) -> None:
        """Move the items to `Przetworzone` or `Kwarantanna` (created when missing)."""
        ...


# --- Outgoing mail, as the services compose it (mailer/compose.py builds the MIME) ---


@dataclass(frozen=True)
class MailIdentity:
    """Who we are in email: From, the tokenised Reply-To template, the bot for links."""

    address: str
    name: str
    reply_to_template: str | None = None  # "monitoring+{token}@example.org"
    bot_username: str = "kartomat_bot"
    language: str = "pl"

    @property
    def domain(self) -> str:
        """The domain of our address (for Message-IDs)."""
        return self.address.rpartition("@")[2] or "localhost"

    def reply_to(self, token: str | None) -> str | None:
        """The Reply-To address carrying the token, when the setting allows it."""
        if token is None or not self.reply_to_template:
            return None
        return self.reply_to_template.format(token=token)


@dataclass
class ComposedMail:
    """One email, ready to be turned into MIME: text, threading and the XLSX rows."""

    to: str
    subject: str
    text: str
    message_id: str
    lang: str = "pl"
    reply_to: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    sheet: list[tuple[str, str, str]] | None = None  # Kod | Pytanie | Odpowiedź
    sheet_name: str = "karta.xlsx"
