"""`make demo`: registry → session → invitations → Telegram and email answers → late alert → report.

Everything runs on loopback with embedded defaults: SQLite in ./demo/, a local SMTP
server, a local Telegram Bot API stand-in (tests/telegram_standin), replies read from a
local Maildir through the real ingestion pipeline. Time is simulated so that the
deadline can pass in a second; every service gets it through the injected clock.
"""

from __future__ import annotations

import asyncio
import mailbox
import shutil
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import SecretStr

from kartomat.bootstrap import App, bootstrap
from kartomat.demo import data
from kartomat.demo.mail_respondent import reply_to_invitation
from kartomat.demo.world import Inbox, smtp_server
from kartomat.settings import Settings
from mailer.maildir import MaildirMailbox
from mailer.wiring import email_sender
from services.outbox import OutboxService, Sender
from tests.bot.support import Manager, running
from tests.sample import raw_answer
from tests.telegram_standin import BotApiStandIn

SESSION = "2026-H2"
OPENS, DEADLINE = date(2026, 11, 2), date(2026, 11, 13)
START = datetime(2026, 11, 2, 7, 5, tzinfo=UTC)  # Monday 08:05 in Lublin
AFTER_DEADLINE = datetime(2026, 11, 16, 7, 30, tzinfo=UTC)  # Monday 08:30, first duty window
T0 = time.monotonic()


class DemoClock:
    """Simulated time: the demo moves it forward; every service reads it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        """The simulated now."""
        return self.current


def say(text: str) -> None:
    """One narrated line with the elapsed real time."""
    print(f"[{time.monotonic() - T0:5.1f} s] {text}", flush=True)


def settings_for(root: Path, smtp_port: int, standin: BotApiStandIn) -> Settings:
    """Embedded defaults: everything local, nothing read from the environment."""
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{root / 'kartomat.db'}",
        secret_key_file=root / "kartomat.secret",
        telegram_token=SecretStr(standin.token),
        telegram_base_url=standin.base_url,
        telegram_bot_username=standin.bot_username,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        mail_from="monitoring@centrum-monitoringu.example",
        mail_reply_to="monitoring+{token}@centrum-monitoringu.example",
        mail_source=f"maildir:{root / 'maildir'}",
    )


async def drain(app: App, sender: Sender) -> int:
    """Send what the outbox holds for one channel, through the real sender."""
    outbox = OutboxService(app.uow, app.clock)
    total = 0
    while sent := await outbox.drain(sender, limit=200):
        total += sent
    return total


def email_sender_of(app: App) -> Sender:
    """The production SMTP sender, pointed at the local server."""
    sender = email_sender(app.settings, app.mail, app.clock)
    assert sender is not None
    return sender


def setup(app: App) -> dict[str, str]:
    """Registry, staff, session; returns the invitation tokens by organisation."""
    report = app.registry.import_csv(data.registry_csv())
    assert report.ok, report.errors
    say(f"Rejestr: zaimportowano {report.created} organizacji z 3 gmin województwa lubelskiego.")
    name, email, telegram_id, territories = data.STAFF
    app.registry.add_staff(name, email, territories, telegram_id)
    say(f"Pracownik Centrum: {name} (Telegram {telegram_id}), obszar: lubelskie (06).")
    app.sessions.create(SESSION, OPENS, DEADLINE, ["ngo", "izus"], ["06"])
    created = app.sessions.open(SESSION)
    say(f"Sesja {SESSION} otwarta ({OPENS:%d.%m}–{DEADLINE:%d.%m.%Y}): {created} kart.")
    return {i.external_id: i.token for i in app.sessions.invites(SESSION)}


async def invitations(app: App, inbox: Inbox) -> None:
    """The scheduler's first tick and the email outbox: invitations go out by SMTP."""
    result = await asyncio.to_thread(app.schedule.tick)
    sent = await drain(app, email_sender_of(app))
    say(f"Harmonogram: tick o 08:05 (dyżur 8–16), w kolejce {result.total}; e-maili: {sent}.")
    if inbox.messages:
        first = inbox.messages[0]
        say(f"  np. „{first.subject}” → {', '.join(first.recipients)}")


async def managers_fill(app: App, standin: BotApiStandIn, tokens: dict[str, str]) -> None:
    """Six NGO managers fill the Karta NGO in Telegram at the same time; one never does."""
    ngos = [o for o in data.ORGANISATIONS if o[1] == "ngo" and o[0] != data.LATE]

    async def one(index: int, org: tuple[str, ...]) -> str:
        answers = data.ngo_answers(index)
        user = standin.user(1000 + index, org[7].split()[0])
        manager = Manager(
            app, user, timeout=30.0, answers=lambda q: answers.get(q.code) or raw_answer(q)
        )
        first = await manager.begin(tokens[org[0]])
        await manager.fill(first)
        receipt = await manager.submit()
        return (receipt.text or "").splitlines()[0]

    async with running(app):
        say(f"Telegram: {len(ngos)} kierowników NGO otwiera link z zaproszenia i wypełnia kartę…")
        receipts = await asyncio.gather(*(one(i, org) for i, org in enumerate(ngos)))
    for org, receipt in zip(ngos, receipts, strict=True):
        say(f"  {org[2]}: {receipt}")


async def izus_reply(app: App, inbox: Inbox, root: Path) -> None:
    """The CUS/OPS contacts reply to the invitation e-mail; the Maildir is ingested."""
    maildir = mailbox.Maildir(root / "maildir", create=True)
    izus = [o for o in data.ORGANISATIONS if o[1] == "izus"]
    for index, org in enumerate(izus):
        invitation = inbox.to(org[8])[0]
        maildir.add(reply_to_invitation(invitation.raw, data.izus_answers(index), org[8]))
    say(f"E-mail: {len(izus)} odpowiedzi CUS/OPS z wypełnionym szablonem w skrzynce (Maildir).")
    report = await asyncio.to_thread(app.mail.ingest.poll, MaildirMailbox(root / "maildir"))
    say(f"  Odczytano {report.stored} wiadomości: {dict(report.statuses)}")
    before = len(inbox.messages)
    sent = await drain(app, email_sender_of(app))
    izus_mail = {o[8] for o in izus}
    for message in inbox.messages[before:]:
        if izus_mail & set(message.recipients):
            say(f"  odpowiedź → {', '.join(message.recipients)}: „{message.subject}”")
    say(f"  Wysłano e-maili (odpowiedzi dla CUS/OPS i potwierdzenia dla NGO): {sent}")


async def late_alert(app: App, clock: DemoClock, standin: BotApiStandIn) -> None:
    """Time passes beyond the deadline: the staff member hears about the late NGO."""
    staff = standin.user(data.STAFF[2], "Olga")
    clock.current = AFTER_DEADLINE
    say("Czas mija… poniedziałek 16.11.2026, 08:30 – termin (13.11) minął.")
    result = await asyncio.to_thread(app.schedule.tick)
    say(f"Harmonogram: w kolejce {result.total} ({dict(result.enqueued)}).")
    async with running(app):
        staff.send_command("postep")
        await staff.wait_for_reply(timeout=30)
        from bot.application import build_application
        from bot.sender import TelegramSender

        application = build_application(app, limits=None)
        async with application:
            sent = await drain(app, TelegramSender(application.bot, app.chat.language))
    alerts = [m.text for m in staff.messages() if m.text and "spóźn" in m.text.lower()]
    say(f"Telegram: wysłano {sent} wiadomości z kolejki; pracownik Centrum dostał alert:")
    for line in (alerts[-1] if alerts else "(brak)").splitlines()[:8]:
        say(f"  │ {line}")
    await drain(app, email_sender_of(app))


def close_and_report(app: App, root: Path) -> Path:
    """Close the session (it becomes the baseline) and write the Raport MP."""
    closed = app.sessions.close(SESSION)
    say(f"Sesja {SESSION} zamknięta{' – to sesja bazowa' if closed.is_baseline else ''}.")
    build = app.report.build(SESSION, root / "report")
    say(f"Raport MP: {len(build.files)} plików (HTML, XLSX, CSV).")
    return root / "report" / "index.html"


async def main(root: Path) -> Path:
    """The whole pipeline; returns the report's index page."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    inbox = Inbox()
    smtp = smtp_server(inbox)
    clock = DemoClock(START)
    with BotApiStandIn() as standin:
        try:
            app = bootstrap(settings_for(root, smtp.port, standin), clock=clock)
            say(f"Baza SQLite: {root / 'kartomat.db'}; SMTP 127.0.0.1:{smtp.port}; "
                f"Bot API {standin.base_url}")  # fmt: skip
            tokens = setup(app)
            await invitations(app, inbox)
            await managers_fill(app, standin, tokens)
            await izus_reply(app, inbox, root)
            await late_alert(app, clock, standin)
            return close_and_report(app, root)
        finally:
            smtp.stop()


def run() -> None:
    """Entry point of `make demo`."""
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "demo").resolve()
    index = asyncio.run(main(root))
    say(f"Gotowe. Raport MP: {index}")


if __name__ == "__main__":
    run()
