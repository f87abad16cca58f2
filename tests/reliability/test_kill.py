"""kill -9 of `kartomat serve` at random moments while replies are ingested and mail drains.

Short version in `make test` (a few kills); `make reliability` runs the full one
(KARTOMAT_RELIABILITY_KILLS=50) and prints the figures kept in docs/reliability.md.
"""

from __future__ import annotations

import mailbox
import os
import random
import time
from collections import Counter
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

from domain.entities import OutboxMessage
from kartomat.bootstrap import App, bootstrap
from kartomat.demo.world import Inbox, smtp_server
from kartomat.settings import Settings
from tests.reliability.harness import ServeProcess, serve_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KILLS = int(os.environ.get("KARTOMAT_RELIABILITY_KILLS", "4"))
ORGS, REPLIES = 60, 30
HEADER = ("external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,"
          "contact_name,email,phone,channel")  # fmt: skip


def registry() -> bytes:
    """ORGS IZUS organisations in lubelskie."""
    rows = [HEADER]
    for i in range(ORGS):
        teryt = f"06{i % 20 + 1:02d}{i // 20 + 1:02d}1"
        rows.append(f"R{i:03d},izus,OPS nr {i},ops,{teryt},Miasto {i},powiat {i % 20},06,"
                    f"Osoba {i},ops{i}@gmina.example,,email")  # fmt: skip
    return ("\n".join(rows) + "\n").encode()


def reply(token: str, sender: str, n: int) -> bytes:
    """A CUS/OPS reply with two answers, addressed with the token plus-address."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"monitoring+{token}@centrum.example"
    message["Subject"] = "Re: Karta IZUS"
    message["Message-ID"] = f"<reply-{n}@gmina.example>"
    message.set_content(
        f"Dzień dobry,\n\n[II.0.1] Liczba NGO: {100 + n}\n[II.0.2] Realizatorzy: 7\n"
    )
    return bytes(message)


def prepare(tmp: Path, smtp_port: int) -> tuple[App, dict[str, str]]:
    """The database with an open session, invitations due, and replies in the Maildir."""
    env = serve_env(f"sqlite:///{tmp / 'k.db'}", smtp_port, tmp / "maildir")
    settings = Settings(
        _env_file=None,
        database_url=env["KARTOMAT_DATABASE_URL"],
        secret_key=SecretStr(env["KARTOMAT_SECRET_KEY"]),
        mail_reply_to=env["KARTOMAT_MAIL_REPLY_TO"],
    )
    app = bootstrap(settings)
    assert app.registry.import_csv(registry()).ok
    app.sessions.create("R", date(2026, 11, 2), date(2027, 6, 30), ["izus"], ["06"])
    app.sessions.open("R")
    invites = {i.external_id: i.token for i in app.sessions.invites("R")}
    maildir = mailbox.Maildir(tmp / "maildir", create=True)
    for n in range(REPLIES):
        maildir.add(reply(invites[f"R{n:03d}"], f"ops{n}@gmina.example", n))
    return app, env


def settled(app: App) -> bool:
    """Nothing left to send and every reply stored and processed."""
    now = app.clock.now()
    with app.uow() as uow:
        busy = [m for m in uow.outbox.all() if due(m, now)]
    inbound = inbound_statuses(app)
    return not busy and sum(inbound.values()) == REPLIES and "stored" not in inbound


def due(message: OutboxMessage, now: datetime) -> bool:
    """Still to be delivered now (invitations wait for the next duty window: not due)."""
    return message.status in ("leased", "sending") or (
        message.status == "pending" and message.next_attempt_at <= now
    )


def inbound_statuses(app: App) -> Counter[str]:
    """Status of every stored inbound message."""
    assert app.engine is not None
    with app.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT status FROM inbound_message").all()
    return Counter(r[0] for r in rows)


def test_kill9_loses_no_acknowledged_answer_and_sends_nothing_twice(tmp_path: Path) -> None:
    inbox = Inbox()
    smtp = smtp_server(inbox)
    try:
        app, env = prepare(tmp_path, smtp.port)
        serve = ServeProcess(env, tmp_path / "serve.log")
        rng = random.Random(20261122)
        for _ in range(KILLS):
            serve.start()
            time.sleep(rng.uniform(0.1, 1.5))
            serve.kill9()
        serve.start()
        deadline = time.monotonic() + 90
        while not settled(app) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert serve.terminate() == 0
        check(app, inbox)
    finally:
        smtp.stop()


def check(app: App, inbox: Inbox) -> None:
    """The invariants: no duplicate mail, nothing pending, every reply applied once."""
    ids = Counter(
        str(message_from_bytes(m.raw, policy=policy.default)["Message-ID"]) for m in inbox.messages
    )
    duplicates = {mid: n for mid, n in ids.items() if n > 1}
    assert duplicates == {}
    with app.uow() as uow:
        messages = uow.outbox.all()
        statuses = Counter(m.status for m in messages if not due(m, app.clock.now()))
        assert not [m for m in messages if due(m, app.clock.now())]
        session = uow.sessions.get_by_name("R")
        assert session is not None
        assignments = uow.assignments.for_session(session.id or 0)
        histories = uow.answers.history_for([a.id or 0 for a in assignments])
    assert set(statuses) <= {"sent", "unknown", "pending"}, statuses
    assert statuses["sent"] <= len(inbox.messages) <= statuses["sent"] + statuses["unknown"]
    applied = [h for h in histories.values() if h]
    assert len(applied) == REPLIES  # every reply's answers stored …
    assert all(max(r.version for r in h) == 1 for h in applied)  # … exactly once
    print(f"\nkills={KILLS} mail sent={statuses['sent']} unknown={statuses['unknown']} "
          f"smtp received={len(inbox.messages)} replies applied={len(applied)}")  # fmt: skip
