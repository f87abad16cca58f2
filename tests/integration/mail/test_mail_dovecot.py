"""The email channel against real servers: Dovecot IMAP and aiosmtpd on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from email import message_from_bytes, policy

import pytest
from imapclient.exceptions import IMAPClientAbortError

from kartomat.bootstrap import App
from kartomat.demo.mail_respondent import reply_to_invitation
from mailer.component import MailboxComponent
from mailer.imap import ImapMailbox
from mailer.wiring import email_sender
from services.mail_ports import Destination, MailboxItem
from services.outbox import OutboxService
from tests.fakes import FakeClock
from tests.integration.mail.conftest import append, counts, empty_mailbox, imap_config
from tests.integration.mail.servers import CuttingProxy, Dovecot, start_smtp
from tests.service.mail_support import (
    MOPS,
    answers_of,
    fresh,
    invitation_raw,
    izus,
    mail_app_ready,
    outbox,
    versions,
)

pytestmark = pytest.mark.integration
ANSWERS = {"II.0.1": "120", "II.0.2": "1 200", "I.6a": "tak", "I.6b": "14.03.2025"}


def drain(app: App) -> int:
    sender = email_sender(app.settings, app.mail, app.clock)
    assert sender is not None
    return asyncio.run(OutboxService(app.uow, app.clock).drain(sender, limit=100))


def poll(app: App, mailbox: ImapMailbox) -> dict[str, int]:
    mailbox.connect()
    try:
        return dict(app.mail.ingest.poll(mailbox).statuses)
    finally:
        mailbox.close()


def invitation_via_smtp(app: App, smtp_port: int) -> bytes:
    controller, sink = start_smtp(smtp_port)
    try:
        assert drain(app) == 5  # five organisations, one invitation each
    finally:
        controller.stop()
    return next(raw for _, to, raw in sink.messages if to == [MOPS])


def test_invitation_reply_answers_and_confirmation_over_smtp_and_imap(
    mail_app: App, dovecot: Dovecot, smtp_port: int
) -> None:
    empty_mailbox(dovecot.port)
    mail_app_ready(mail_app)
    invitation = invitation_via_smtp(mail_app, smtp_port)
    assert b"Auto-Submitted: auto-generated" in invitation
    append(dovecot.port, reply_to_invitation(invitation, ANSWERS, MOPS))
    assert poll(mail_app, ImapMailbox(imap_config(dovecot.port))) == {"applied": 1}
    stored = answers_of(mail_app, izus(mail_app))
    assert (stored["II.0.1"], stored["II.0.2"], stored["I.6b"]) == (120, 1200, "2025-03-14")
    assert counts(dovecot.port) == {"INBOX": 0, "Przetworzone": 1, "Kwarantanna": 0}
    controller, sink = start_smtp(smtp_port)
    try:
        assert drain(mail_app) == 1
    finally:
        controller.stop()
    [(_, to, raw)] = sink.messages
    confirmation = message_from_bytes(raw, policy=policy.default)
    assert to == [MOPS] and confirmation["In-Reply-To"]
    body = confirmation.get_body(("plain",))
    assert body is not None and "• II.0.2 (" in body.get_content()


class CrashingMailbox(ImapMailbox):
    """Dies after storing, before moving (a process killed between the two steps)."""

    crash = True

    def file(self, items: Iterable[MailboxItem], destination: Destination) -> None:
        if self.crash:
            raise ConnectionResetError("killed before MOVE")
        super().file(items, destination)


def test_crash_between_store_and_move_then_uidvalidity_change(
    mail_app: App, dovecot: Dovecot
) -> None:
    empty_mailbox(dovecot.port)
    mail_app_ready(mail_app)
    append(dovecot.port, reply_to_invitation(invitation_raw(mail_app), ANSWERS, MOPS))
    with pytest.raises(ConnectionResetError):
        poll(mail_app, CrashingMailbox(imap_config(dovecot.port)))
    a = izus(mail_app)
    before = versions(mail_app, a)
    assert counts(dovecot.port)["INBOX"] == 1  # never moved, never deleted
    dovecot.doveadm("mailbox", "update", "-u", "monitoring", "--uid-validity", "4242", "INBOX")
    mailbox = ImapMailbox(imap_config(dovecot.port))
    assert poll(mail_app, mailbox) == {"applied": 1}
    assert mailbox.uidvalidity() == 4242
    assert versions(mail_app, a) == before and len(outbox(mail_app, "mail_reply")) == 1
    assert counts(dovecot.port) == {"INBOX": 0, "Przetworzone": 1, "Kwarantanna": 0}


def test_server_without_move_copies_deletes_and_expunges(
    mail_app: App, dovecot_no_move: Dovecot
) -> None:
    port = dovecot_no_move.port
    empty_mailbox(port)
    mail_app_ready(mail_app)
    append(
        port,
        reply_to_invitation(invitation_raw(mail_app), ANSWERS, MOPS),
        fresh("obcy@example.net", "Dzień dobry"),
    )
    mailbox = ImapMailbox(imap_config(port))
    assert poll(mail_app, mailbox) == {"applied": 1, "quarantined": 1}
    assert counts(port) == {"INBOX": 0, "Przetworzone": 1, "Kwarantanna": 1}


def test_connection_dropped_mid_fetch_loses_nothing(mail_app: App, dovecot: Dovecot) -> None:
    empty_mailbox(dovecot.port)
    mail_app_ready(mail_app)
    invitation = invitation_raw(mail_app)
    append(
        dovecot.port,
        reply_to_invitation(invitation, ANSWERS, MOPS),
        *(fresh(MOPS, f"II.1.{n}: {n}") for n in range(1, 4)),
    )
    proxy = CuttingProxy(dovecot.port)
    try:
        mailbox = ImapMailbox(imap_config(proxy.port))
        mailbox.connect()
        proxy.arm(after_bytes=6000)  # inside the FETCH BODY.PEEK[] response
        with pytest.raises((OSError, IMAPClientAbortError)):
            mail_app.mail.ingest.poll(mailbox)
        mailbox.close()
        assert proxy.cuts == 1
        assert poll(mail_app, ImapMailbox(imap_config(proxy.port))) == {"applied": 4}
    finally:
        proxy.close()
    stored = answers_of(mail_app, izus(mail_app))
    assert (stored["II.1.1"], stored["II.1.3"], stored["II.0.1"]) == (1, 3, 120)
    assert counts(dovecot.port)["Przetworzone"] == 4 and counts(dovecot.port)["INBOX"] == 0


def test_smtp_down_then_back_nothing_lost_nothing_sent_twice(
    mail_app: App, smtp_port: int, clock: FakeClock
) -> None:
    mail_app_ready(mail_app)
    assert drain(mail_app) == 0  # nobody listens: every invitation waits for a retry
    assert {m.status for m in outbox(mail_app, "invitation")} == {"pending"}
    controller, sink = start_smtp(smtp_port)
    try:
        clock.advance(hours=2)
        assert drain(mail_app) == 5
        clock.advance(hours=2)
        assert drain(mail_app) == 0
    finally:
        controller.stop()
    assert sorted(to[0] for _, to, _ in sink.messages) == sorted(
        m.recipient for m in outbox(mail_app, "invitation")
    )
    assert {m.status for m in outbox(mail_app, "invitation")} == {"sent"}


async def test_component_idles_picks_up_new_mail_and_stops(mail_app: App, dovecot: Dovecot) -> None:
    empty_mailbox(dovecot.port)
    await asyncio.to_thread(mail_app_ready, mail_app)
    component = MailboxComponent(
        mail_app.mail.ingest, lambda: ImapMailbox(imap_config(dovecot.port)), poll_seconds=30
    )
    stop = asyncio.Event()
    task = asyncio.create_task(component.run(stop))
    for _ in range(50):
        if component.last_pass is not None:
            break
        await asyncio.sleep(0.1)
    invitation = await asyncio.to_thread(invitation_raw, mail_app)
    await asyncio.to_thread(append, dovecot.port, reply_to_invitation(invitation, ANSWERS, MOPS))
    for _ in range(100):  # IDLE reports EXISTS well before the 30 s poll
        if component.stored:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert component.stored == 1 and component.health().status == "ok"
