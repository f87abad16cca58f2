"""Helpers for the email scenarios: a fake mailbox, our invitation, and typical replies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate

from domain.entities import OutboxMessage
from kartomat.bootstrap import App
from kartomat.demo.mail_respondent import reply_to_invitation
from mailer.compose import build_message
from services.mail_ports import Destination, MailboxItem
from tests.service.test_collection import assignment_of, open_session

OURS = "monitoring@cm.example"
REPLY_TO = "monitoring+{token}@cm.example"
MOPS = "mops@lublin.example"


class FakeMailbox:
    """A folder with UIDs, as an IMAP server would present it (a fake of the Mailbox port)."""

    mailbox = "fake:INBOX"
    uses_uids = True

    def __init__(self) -> None:
        self.messages: dict[int, bytes] = {}
        self.filed: dict[Destination, list[bytes]] = {"processed": [], "quarantine": []}
        self.next_uid = 1
        self.validity = 1
        self.fail_file = False

    def append(self, raw: bytes) -> int:
        uid, self.next_uid = self.next_uid, self.next_uid + 1
        self.messages[uid] = raw
        return uid

    def uidvalidity(self) -> int | None:
        return self.validity

    def pending(self, last_uid: int) -> list[MailboxItem]:
        return [
            MailboxItem(str(uid), len(raw), uid)
            for uid, raw in sorted(self.messages.items())
            if uid > last_uid
        ]

    def fetch(self, items: Sequence[MailboxItem]) -> Iterator[tuple[MailboxItem, bytes]]:
        for item in items:
            yield item, self.messages[item.uid or 0]

    def fetch_headers(self, item: MailboxItem) -> bytes:
        return self.messages[item.uid or 0].split(b"\n\n", 1)[0]

    def file(self, items: Iterable[MailboxItem], destination: Destination) -> None:
        if self.fail_file:  # the process "crashes" after storing, before moving
            raise ConnectionError("connection lost before MOVE")
        for item in items:
            self.filed[destination].append(self.messages.pop(item.uid or 0))

    def renumber(self) -> None:
        """The server rebuilt its index: new UIDVALIDITY, every UID new."""
        self.validity += 1
        old, self.messages, self.next_uid = self.messages, {}, 1
        for raw in old.values():
            self.append(raw)


def mail_app_ready(app: App) -> None:
    """Registry, staff for lubelskie, session 2026-H2 open."""
    open_session(app)
    app.registry.add_staff("Olga Staff", "olga@cm.example", ["06"])


def outbox(app: App, kind: str | None = None) -> list[OutboxMessage]:
    with app.uow() as uow:
        return [m for m in uow.outbox.all() if kind is None or m.kind == kind]


def invitation_raw(app: App, email: str = MOPS) -> bytes:
    """Our invitation to `email`, as it would leave through SMTP."""
    row = next(m for m in outbox(app, "invitation") if m.recipient == email)
    mail = app.mail.compose.compose(row)
    return bytes(build_message(mail, app.mail.identity, app.clock.now()))


def reply(app: App, answers: Mapping[str, str], sender: str = MOPS, email: str = MOPS) -> bytes:
    """A Gmail-style reply to the invitation, answers on top, the original quoted."""
    return reply_to_invitation(invitation_raw(app, email), answers, sender)


def fresh(
    sender: str, body: str, subject: str = "Karta", headers: Mapping[str, str] | None = None
) -> bytes:
    """A new message (no token, no threading)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OURS
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = f"<{abs(hash((sender, body, subject)))}@{sender.split('@')[1]}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return bytes(message)


def izus(app: App) -> int:
    return assignment_of(app, "IZUS-LUB")


def answers_of(app: App, assignment_id: int) -> dict[str, object]:
    with app.uow() as uow:
        history = uow.answers.history(assignment_id)
    latest: dict[str, object] = {}
    for record in history:
        latest[record.question_id.split(".", 1)[1]] = record.value
    return latest


def versions(app: App, assignment_id: int) -> int:
    with app.uow() as uow:
        return len(uow.answers.history(assignment_id))
