"""kill -9 of `kartomat serve` while people answer on Telegram and by email and reminders drain.

The Bot API stand-in runs in this (test) process and outlives every kill; it keeps
Telegram's getUpdates semantics, so a killed bot sees unconfirmed updates again. The
simulated managers wait for each reply and repeat themselves after a silence. Short
version in `make test`; `make reliability` runs KARTOMAT_RELIABILITY_KILLS=50.
"""

from __future__ import annotations

import asyncio
import mailbox
import os
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pydantic import SecretStr

from kartomat.bootstrap import App, bootstrap
from kartomat.demo.world import Inbox, smtp_server
from kartomat.settings import Settings
from services.card_state import Provenance
from tests.fakes import FakeClock
from tests.reliability.harness import ServeProcess, serve_env, telegram_env
from tests.reliability.respondents import (
    ALWAYS_ON_DUTY,
    Person,
    check_people,
    import_rows,
    ngo_rows,
    open_reminder_session,
    reap,
    telegram_counts,
    until,
    yesterday_noon,
)
from tests.reliability.test_kill import reply
from tests.sample import raw_answer
from tests.telegram_standin import BotApiStandIn

KILLS = int(os.environ.get("KARTOMAT_RELIABILITY_KILLS", "4"))
# The full run outlasts pyproject's 300 s per-test timeout (a hang still fails).
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300 + 15 * KILLS)]
PEOPLE = max(4, KILLS // 4)  # managers filling the Karta NGO, started in waves
STAGGER = 3.0 * KILLS / PEOPLE  # seconds between two managers' first message
REMINDED = 100 if KILLS <= 10 else 300  # bound Telegram contacts due a D-1 reminder
IZUS, REPLIES = 20, 10  # email: organisations, replies waiting in the Maildir
# The short version starts each card with its first questions answered (as from an
# email reply), so the bot's pace of 1 message/s per chat does not dominate CI time.
PREFILLED = 30 if KILLS <= 10 else 0
FULL = KILLS > 10
PEOPLE_ID, REMINDED_ID = 600_000, 700_000


def izus_rows(count: int) -> list[str]:
    """`count` IZUS organisations (email contacts) in Lublin."""
    return [f"IZ-{i:04d},izus,OPS nr {i},ops,0663011,Lublin,Lublin,06,Osoba {i},"
            f"ops{i}@gmina.example,,email" for i in range(count)]  # fmt: skip


def prepare(
    tmp: Path, standin: BotApiStandIn, smtp_port: int, db_url: str = "", *,
    people: int = PEOPLE, reminded: int = REMINDED, izus: int = IZUS, replies: int = REPLIES,
    prefilled: int = PREFILLED,
) -> tuple[App, dict[str, str]]:  # fmt: skip
    """Two sessions: "P" (opened yesterday, reminders due today) and "T" (opened now).

    Returns the parent's App (system clock) and serve's environment, with the managers'
    invitation tokens as TOKEN_<i>.
    """
    db_url = db_url or f"sqlite:///{tmp / 'k.db'}"
    env = telegram_env(serve_env(db_url, smtp_port, tmp / "maildir"), standin)
    settings = Settings(_env_file=None, database_url=env["KARTOMAT_DATABASE_URL"],
                        secret_key=SecretStr(env["KARTOMAT_SECRET_KEY"]),
                        mail_reply_to=env["KARTOMAT_MAIL_REPLY_TO"],
                        telegram_bot_username=standin.bot_username)  # fmt: skip
    past = bootstrap(settings, clock=FakeClock(yesterday_noon()))
    import_rows(past, ngo_rows("RM", reminded, "0617011", 0))
    import_rows(past, ngo_rows("TG", people, "0663011", reminded) + izus_rows(izus))
    today = datetime.now(UTC).date()
    invites = open_reminder_session(past, "P", "0617", today)
    for i in range(reminded):
        past.access.bind_telegram(invites[f"RM-{i:04d}"], REMINDED_ID + i)
        standin.user(REMINDED_ID + i, f"Osoba {i}").start()  # they wrote to the bot once
    assert past.engine is not None
    past.engine.dispose()
    app = bootstrap(settings)
    app.sessions.create("T", today, today + timedelta(days=30), ["ngo", "izus"], ["0663"],
                        harmonogram=ALWAYS_ON_DUTY)  # fmt: skip
    app.sessions.open("T")
    tokens = {i.external_id: i.token for i in app.sessions.invites("T")}
    first = [q for q in app.catalog.get("ngo").asked_questions[:prefilled] if q.prefill is None]
    for aid in assignment_ids(app, [f"TG-{i:04d}" for i in range(people)]) if first else []:
        answers = {q.code: raw_answer(q) for q in first}
        assert not app.collection.record_many(aid, answers, Provenance("email")).rejected
    maildir = mailbox.Maildir(tmp / "maildir", create=True)
    for n in range(replies):
        maildir.add(reply(tokens[f"IZ-{n:04d}"], f"ops{n}@gmina.example", n))
    return app, env | {f"TOKEN_{i}": tokens[f"TG-{i:04d}"] for i in range(people)}


async def scenario(app: App, env: dict[str, str], standin: BotApiStandIn, inbox: Inbox,
                   tmp: Path) -> dict[str, object]:  # fmt: skip
    """Managers fill cards while serve is killed KILLS times; then everything settles."""
    serve = ServeProcess({k: v for k, v in env.items() if not k.startswith("TOKEN_")},
                         tmp / "serve.log")  # fmt: skip
    people = [Person(app, standin.user(PEOPLE_ID + i, f"Kierownik {i}"), env[f"TOKEN_{i}"])
              for i in range(PEOPLE)]  # fmt: skip
    rng = random.Random(20261205)
    started = time.monotonic()

    async def person(i: int) -> None:
        await asyncio.sleep(i * STAGGER)
        await people[i].fill_and_submit()

    try:
        await asyncio.to_thread(serve.start)
        filling = asyncio.gather(*(person(i) for i in range(PEOPLE)))
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.3, 3.0))
            serve.kill9()
            await asyncio.to_thread(serve.start)
        await asyncio.wait_for(filling, timeout=240)
        chats = [REMINDED_ID + i for i in range(REMINDED)]
        await until(lambda: settled(app, chats, REPLIES), 200 if FULL else 90, "outbox settled")
        assert await asyncio.to_thread(serve.terminate) == 0
    finally:
        reap([serve])  # a failed run leaves no process behind
    aids = assignment_ids(app, [f"TG-{i:04d}" for i in range(PEOPLE)])
    answers = check_people(app, people, aids)
    figures = check_messages(app, standin, inbox, chats, PEOPLE, REPLIES)
    return figures | {"people": PEOPLE, "answers": answers, "kills": KILLS,
                      "repeats": sum(p.repeats for p in people),
                      "seconds": round(time.monotonic() - started)}  # fmt: skip


def settled(app: App, chats: list[int], replies: int, *, leases: bool = FULL) -> bool:
    """Nothing due in the outbox, every reply processed, every reminder row written.

    A message a killed process had claimed stays `leased` (not sent) or `sending` (cut
    off during the send) until its lease (services.outbox.LEASE, 2 min) runs out; then
    it goes, or becomes `unknown`. The full run waits for that (`leases`), the short one
    accepts a lease still running.
    """
    now = app.clock.now()
    with app.uow() as uow:
        messages = uow.outbox.all()
    claimed = ("leased", "sending")
    busy = [m for m in messages if (m.status == "pending" and m.next_attempt_at <= now)
            or (m.status in claimed and (leases or m.next_attempt_at <= now))]  # fmt: skip
    reminders = [m for m in messages if m.kind == "reminder"]
    assert app.engine is not None
    with app.engine.connect() as conn:
        inbound = Counter(r[0] for r in conn.exec_driver_sql("SELECT status FROM inbound_message"))
    return (not busy and len(reminders) == len(chats) and sum(inbound.values()) == replies
            and "stored" not in inbound)  # fmt: skip


def assignment_ids(app: App, external_ids: list[str]) -> list[int]:
    """Assignment ids in session T, in the order of `external_ids`."""
    with app.uow() as uow:
        session = uow.sessions.get_by_name("T")
        assert session is not None
        ids = []
        for external_id in external_ids:
            org = uow.organisations.get_by_external_id(external_id)
            assert org is not None
            found = uow.assignments.find(session.id or 0, org.id or 0, "ngo")
            assert found is not None
            ids.append(found.id or 0)
        return ids


def check_messages(
    app: App, standin: BotApiStandIn, inbox: Inbox, chats: list[int], people: int, replies: int
) -> dict[str, object]:
    """Each reminder and receipt at most once; mail never twice; replies applied once."""
    reminders = telegram_counts(standin, chats, "🔔")
    with app.uow() as uow:
        rows = [m for m in uow.outbox.all() if m.kind == "reminder"]
        session = uow.sessions.get_by_name("T")
        assert session is not None
        izus = [a.id or 0 for a in uow.assignments.for_session(session.id or 0) if a.card == "izus"]
        histories = uow.answers.history_for(izus)
    statuses = Counter(m.status for m in rows)
    # Short version only: `leased`, claimed by a killed process and not sent (the request
    # goes only once the row is `sending`); `sending`, cut off by a kill (to be `unknown`).
    assert set(statuses) <= {"sent", "unknown", "leased", "sending"}, statuses
    assert max(reminders.values()) <= 1, {c: n for c, n in reminders.items() if n > 1}
    cut_off = statuses["unknown"] + statuses["sending"]
    assert statuses["sent"] <= sum(reminders.values()) <= statuses["sent"] + cut_off
    receipts = telegram_counts(standin, [PEOPLE_ID + i for i in range(people)], "✅")
    assert max(receipts.values()) <= 1, receipts
    ids = Counter(str(message_from_bytes(m.raw, policy=policy.default)["Message-ID"])
                  for m in inbox.messages)  # fmt: skip
    assert {mid: n for mid, n in ids.items() if n > 1} == {}
    applied = [h for h in histories.values() if h]
    assert len(applied) == replies and all(r.version == 1 for h in applied for r in h)
    return {"reminders": sum(reminders.values()), "reminders_cut_off": cut_off,
            "reminders_leased": statuses["leased"],
            "receipts": sum(receipts.values()), "mail": len(inbox.messages),
            "replies_applied": len(applied)}  # fmt: skip


def test_kill9_while_people_answer_on_telegram(tmp_path: Path) -> None:
    inbox = Inbox()
    smtp = smtp_server(inbox)
    try:
        with BotApiStandIn() as standin:
            app, env = prepare(tmp_path, standin, smtp.port)
            figures = asyncio.run(scenario(app, env, standin, inbox, tmp_path))
            assert standin.server_errors == []
        print(f"\ntelegram kill -9: {figures}")
    finally:
        smtp.stop()
