"""Outages around a running `kartomat serve`: work resumes by itself, nothing lost or sent twice.

Each test runs `serve` as a child process against real loopback parts and takes one of
them away for a while: the Bot API stand-in answering 502/500 and then 429, the SMTP
server refusing connections and then answering 421, Dovecot stopped, a private
PostgreSQL instance restarted (fast shutdown; the machine's shared cluster is never
touched). Afterwards the backlog must drain with every message delivered exactly once.
Short windows in `make test`; `make reliability` sets KARTOMAT_RELIABILITY_OUTAGE_SECONDS
and KARTOMAT_RELIABILITY_OUTAGE_ROUNDS for longer outages and more of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import mailbox
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from domain.entities import OutboxMessage
from kartomat.bootstrap import App, bootstrap
from kartomat.demo.world import Inbox, free_port
from kartomat.settings import Settings
from tests.reliability import respondents
from tests.reliability.harness import ServeProcess, serve_env, telegram_env
from tests.reliability.respondents import (
    ALWAYS_ON_DUTY,
    check_people,
    import_rows,
    ngo_rows,
    telegram_counts,
    until,
)
from tests.reliability.test_kill import reply
from tests.sample import queue_telegram_reminders, raw_answer
from tests.telegram_standin import BotApiStandIn

pytestmark = [pytest.mark.integration, pytest.mark.slow]
OUTAGE_S = float(os.environ.get("KARTOMAT_RELIABILITY_OUTAGE_SECONDS", "3"))
ROUNDS = int(os.environ.get("KARTOMAT_RELIABILITY_OUTAGE_ROUNDS", "1"))
FULL = ROUNDS > 1
STEPS = None if FULL else 16  # short run: people answer this many questions, not the card
APOLOGY = "Przepraszamy, coś poszło nie tak"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


# ----------------------------------------------------------------------- the world


class Person(respondents.Person):
    """A manager who, told "try again in a moment" (the database was away), does so."""

    apologies: int = 0

    async def _act(self, do: Callable[[], Any] | None) -> Any:
        while True:
            reply = await super()._act(do)
            if not (reply.text or "").startswith(APOLOGY):
                return reply
            self.apologies += 1
            await asyncio.sleep(1.0)
            do = self._last  # the same thing again, as the apology asks

    async def work(self) -> None:
        """The whole card (full run), or its first STEPS actions (short run)."""
        if STEPS is None:
            await self.fill_and_submit()
            return
        message = await self._act(lambda: self.user.start(self.token))
        for _ in range(STEPS):
            message = await self._next(message)


def check_answers(app: App, people: list[Person], aids: list[int]) -> int:
    """Acknowledged answers stored, each once and for its own question; cards submitted
    when filled in full. Returns how many answers were stored."""
    if STEPS is None:
        return check_people(app, people, aids)
    with app.uow() as uow:
        histories = uow.answers.history_for(aids)
    stored = 0
    for person, aid in zip(people, aids, strict=True):
        history = list(histories.get(aid, []))
        stored += len(history)
        assert len(person.acked) >= STEPS // 2, person.acked  # they got somewhere
        lost = set(person.acked) - {r.question_id for r in history}
        assert not lost, f"acknowledged answers lost for {person.user!r}: {lost}"
        assert [r for r in history if r.version != 1] == [], f"stored twice: {person.user!r}"
        for r in history:
            question = app.catalog.get(r.question_id.split(".")[0]).question(r.question_id)
            if r.channel == "telegram" and question.prefill is None:
                expected = respondents.expected_value(app, r.question_id, raw_answer(question))
                assert r.value == expected, f"{r.question_id} stored for the wrong question"
    return stored


@dataclass
class SmtpWorld:
    """The loopback SMTP server on one fixed port: up, down (refused) or refusing with a reply."""

    port: int = field(default_factory=free_port)
    inbox: FlakyInbox = field(default_factory=lambda: FlakyInbox())
    controller: Controller | None = None

    def up(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class FlakyInbox(Inbox):
    """Inbox that answers DATA with `refuse` (an SMTP reply line) while it is set."""

    refuse: str | None = None
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse is not None:
            self.refused += 1
            return self.refuse
        return await super().handle_DATA(server, session, envelope)


def quick(env: dict[str, str]) -> dict[str, str]:
    """Mailbox passes every second (new replies are dropped in while serve runs)."""
    return env | {"KARTOMAT_MAIL_POLL_SECONDS": "1"}


def settings_of(env: dict[str, str], **extra: Any) -> Settings:
    """The parent's settings for the child's database (set-up and checks only)."""
    return Settings(_env_file=None, database_url=env["KARTOMAT_DATABASE_URL"],
                    secret_key=SecretStr(env["KARTOMAT_SECRET_KEY"]),
                    mail_reply_to=env["KARTOMAT_MAIL_REPLY_TO"], **extra)  # fmt: skip


def izus_rows(count: int) -> list[str]:
    return [f"IZ-{i:04d},izus,OPS nr {i},ops,0663011,Lublin,Lublin,06,Osoba {i},"
            f"ops{i}@gmina.example,,email" for i in range(count)]  # fmt: skip


def open_now(app: App, name: str, cards: list[str]) -> dict[str, str]:
    """A session open from today, always on duty (invitations due now); tokens by org."""
    today = datetime.now(UTC).date()
    app.sessions.create(name, today, today + timedelta(days=30), cards, ["0663"],
                        harmonogram=ALWAYS_ON_DUTY)  # fmt: skip
    app.sessions.open(name)
    return {i.external_id: i.token for i in app.sessions.invites(name)}


def drop_replies(maildir: Path, tokens: dict[str, str], numbers: range) -> None:
    """Replies of IZ-n (registered senders) land in the Maildir source."""
    box = mailbox.Maildir(maildir, create=True)
    for n in numbers:
        box.add(reply(tokens[f"IZ-{n:04d}"], f"ops{n}@gmina.example", n))


def outbox_rows(app: App) -> list[OutboxMessage]:
    with app.uow() as uow:
        return uow.outbox.all()


def busy(app: App) -> list[OutboxMessage]:
    """Rows not delivered yet (everything here is due at once: always on duty)."""
    return [m for m in outbox_rows(app) if m.status in ("pending", "leased", "sending")]


def inbound(app: App) -> Counter[str]:
    assert app.engine is not None
    with app.engine.connect() as conn:
        return Counter(r[0] for r in conn.exec_driver_sql("SELECT status FROM inbound_message"))


def mail_settled(app: App, replies: int) -> bool:
    got = inbound(app)
    return not busy(app) and sum(got.values()) == replies and "stored" not in got


def check_mail(app: App, inbox: Inbox, replies: int) -> dict[str, int]:
    """Every email row sent, each exactly once at the server; every reply applied once."""
    rows = [m for m in outbox_rows(app) if m.channel == "email"]
    statuses = Counter(m.status for m in rows)
    assert set(statuses) <= {"sent", "cancelled"}, statuses  # nothing failed, nothing unknown
    ids = Counter(str(message_from_bytes(m.raw, policy=policy.default)["Message-ID"])
                  for m in inbox.messages)  # fmt: skip
    duplicates = {mid: n for mid, n in ids.items() if n > 1}
    assert duplicates == {}
    assert len(inbox.messages) == statuses["sent"]
    with app.uow() as uow:
        session = uow.sessions.get_by_name("T")
        assert session is not None
        izus = [a.id or 0 for a in uow.assignments.for_session(session.id or 0) if a.card == "izus"]
        histories = uow.answers.history_for(izus)
        unreachable = [c for m in rows for c in uow.contacts.by_email(m.recipient)
                       if c.email_unreachable]  # fmt: skip
    assert unreachable == []
    applied = [h for h in histories.values() if h]
    assert len(applied) == replies and all(r.version == 1 for h in applied for r in h)
    return {"mail_sent": statuses["sent"], "smtp_received": len(inbox.messages),
            "duplicates": len(duplicates), "replies_applied": len(applied)}  # fmt: skip


async def healthz(serve: ServeProcess) -> dict[str, Any]:
    report = await asyncio.to_thread(serve.healthz)
    assert report is not None, "serve stopped answering /healthz"
    return report


async def wait_health(serve: ServeProcess, ok: Callable[[dict[str, Any]], bool], what: str,
                      timeout: float = 30) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + timeout
    while True:
        report = await healthz(serve)
        if ok(report):
            return report
        assert time.monotonic() < deadline, f"/healthz never showed {what}: {report}"
        await asyncio.sleep(0.3)


def component(report: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(report["components"][name])


# --------------------------------------------------------------------------- SMTP


def test_smtp_down_then_4xx_mail_drains_once(tmp_path: Path) -> None:
    smtp = SmtpWorld()
    phases = ["refused", "421 4.3.2 Service shutting down"] * ROUNDS
    if FULL:
        phases.append("451 4.3.0 Temporary local problem")  # counted: a backoff of ~30 s
    batch = 20
    orgs = batch * (len(phases) + 1)
    env = quick(serve_env(f"sqlite:///{tmp_path / 'k.db'}", smtp.port, tmp_path / "maildir"))
    app = bootstrap(settings_of(env))
    import_rows(app, izus_rows(orgs))
    tokens = open_now(app, "T", ["izus"])  # `orgs` invitations due now
    serve = ServeProcess(env, tmp_path / "serve.log")
    figures: list[dict[str, Any]] = []
    try:
        for n, phase in enumerate(phases):
            drop_replies(tmp_path / "maildir", tokens, range(n * batch, (n + 1) * batch))
            if phase == "refused":
                smtp.down()
            else:
                smtp.up()
                smtp.inbox.refuse = phase
            if serve.process is None:
                serve.start()
            started = time.monotonic()
            refused = smtp.inbox.refused
            if phase.startswith("451"):  # the message's own retry (counted, backoff): not down
                asyncio.run(until(lambda r=refused: smtp.inbox.refused > r, 30, "451 answered"))
                report = asyncio.run(healthz(serve))
            else:  # the server itself: /healthz shows the email channel down
                report = asyncio.run(wait_health(
                    serve, lambda r: component(r, "outbox-email")["status"] == "degraded",
                    "outbox-email degraded"))  # fmt: skip
            time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
            assert not [m for m in outbox_rows(app) if m.status in ("failed", "unknown")]
            backlog = len(busy(app))
            smtp.up()
            smtp.inbox.refuse = None
            back = time.monotonic()
            asyncio.run(until(lambda n=n: mail_settled(app, (n + 1) * batch), 90, "mail drained"))
            during = component(report, "outbox-email")["channel_down"]
            figures.append({"phase": phase.split(" ")[0], "outage_s": round(back - started, 1),
                            "backlog": backlog, "drained_s": round(time.monotonic() - back, 1),
                            "health_during": during})  # fmt: skip
        health = asyncio.run(healthz(serve))
        assert component(health, "outbox-email")["status"] == "ok", health
        assert serve.terminate() == 0
        totals = check_mail(app, smtp.inbox, len(phases) * batch)
    finally:
        if serve.process is not None and serve.process.poll() is None:
            serve.kill9()
        smtp.down()
    assert smtp.inbox.refused > 0
    print(f"\nsmtp outages: {figures} {totals}")


# ----------------------------------------------------------------------- Telegram


def test_bot_api_5xx_then_429_backlog_and_people_resume(tmp_path: Path) -> None:
    smtp = SmtpWorld()
    smtp.up()
    try:
        with BotApiStandIn() as standin:
            figures = asyncio.run(bot_api_outage(tmp_path, standin, smtp))
            assert standin.server_errors == []
    finally:
        smtp.down()
    print(f"\nbot api outages: {figures}")


async def bot_api_outage(tmp: Path, standin: BotApiStandIn, smtp: SmtpWorld) -> dict[str, Any]:
    people_n, reminded = (6, 300) if FULL else (3, 60)
    people_id, reminded_id = 610_000, 710_000
    env = telegram_env(serve_env(f"sqlite:///{tmp / 'k.db'}", smtp.port, tmp / "maildir"), standin)
    app = bootstrap(settings_of(env, telegram_bot_username=standin.bot_username))
    import_rows(app, ngo_rows("TG", people_n, "0663011", 0))
    tokens = open_now(app, "T", ["ngo"])
    serve = ServeProcess(env, tmp / "serve.log")
    await asyncio.to_thread(serve.start)
    chats = [reminded_id + i for i in range(reminded)]
    for chat in chats:  # they wrote to the bot once, so it may write to them
        standin.user(chat, f"Osoba {chat}").start()
    await until(lambda: all(standin.messages(c) for c in chats), 60, "/start answered")
    people = [Person(app, standin.user(people_id + i, f"Kierownik {i}"), tokens[f"TG-{i:04d}"])
              for i in range(people_n)]  # fmt: skip
    filling = asyncio.gather(*(p.work() for p in people))
    await asyncio.sleep(2.0)  # people are mid-card
    figures: dict[str, Any] = {"people": people_n, "reminders": reminded * ROUNDS}
    started = time.monotonic()
    for n in range(ROUNDS):
        # 502, then 500 (getUpdates too: the API is down), then flood control (429).
        for status, until_s in ((502, OUTAGE_S), (500, 2 * OUTAGE_S)):
            standin.inject_5xx(duration=until_s, status=status)
            standin.inject_5xx(duration=until_s, status=status, method="getUpdates")
        standin.inject_429(retry_after=2, duration=3 * OUTAGE_S)
        queue_telegram_reminders(app, chats, f"outage:round{n}", app.clock.now())
        report = await wait_health(serve, lambda r: component(r, "telegram")["status"] ==
                                   "degraded", "telegram degraded")  # fmt: skip
        figures.setdefault("health_during", component(report, "telegram")["channel_down"])
        await asyncio.sleep(3 * OUTAGE_S)
    figures["outage_s"] = round(time.monotonic() - started, 1)
    back = time.monotonic()
    await until(lambda: not busy(app) and all(
        n >= ROUNDS for n in telegram_counts(standin, chats, "🔔").values()), 120,
        "reminders delivered")  # fmt: skip
    figures["drained_s"] = round(time.monotonic() - back, 1)
    await asyncio.wait_for(filling, timeout=180)
    figures["filled_s"] = round(time.monotonic() - back, 1)
    assert (await healthz(serve))["components"]["telegram"]["status"] == "ok"
    assert await asyncio.to_thread(serve.terminate) == 0
    counts = telegram_counts(standin, chats, "🔔")
    assert set(counts.values()) == {ROUNDS}, {c: n for c, n in counts.items() if n != ROUNDS}
    rows = [m for m in outbox_rows(app) if m.kind == "reminder"]
    assert len(rows) == reminded * ROUNDS and {m.status for m in rows} == {"sent"}
    receipts = telegram_counts(standin, [p.user.id for p in people], "✅")
    assert max(receipts.values()) <= 1, receipts
    answers = check_answers(app, people, assignment_ids(app, people_n))
    late = standin.retry_after_violations()
    assert late == [], [(r.method, r.params.get("chat_id"), r.started_at) for r in late]
    failed = Counter(r.status for r in standin.requests if r.status not in (None, 200))
    assert failed[429] and failed[502] and failed[500], failed  # the outage did hit the bot
    return figures | {"answers": answers, "repeats": sum(p.repeats for p in people),
                      "refused_calls": dict(failed), "duplicates": 0}  # fmt: skip


def assignment_ids(app: App, count: int) -> list[int]:
    with app.uow() as uow:
        session = uow.sessions.get_by_name("T")
        assert session is not None
        found = {a.organisation_id: a.id or 0 for a in uow.assignments.for_session(session.id or 0)}
        orgs = [uow.organisations.get_by_external_id(f"TG-{i:04d}") for i in range(count)]
    return [found[o.id or 0] for o in orgs if o is not None]


# --------------------------------------------------------------------------- IMAP


def test_imap_down_replies_ingested_once_after_it_is_back(tmp_path: Path) -> None:
    from tests.integration.mail.servers import PASSWORD, USER, mail_owner, start_dovecot

    if shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists():
        message = "dovecot-imapd is not installed (make services installs it)"
        if os.environ.get("CI") or os.environ.get("KARTOMAT_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="kartomat-outage-dovecot-"))
    dovecot = start_dovecot(root)
    smtp = SmtpWorld()
    smtp.up()
    env = quick(serve_env(f"sqlite:///{tmp_path / 'k.db'}", smtp.port, tmp_path / "unused"))
    del env["KARTOMAT_MAIL_SOURCE"]
    env |= {"KARTOMAT_IMAP_HOST": "127.0.0.1", "KARTOMAT_IMAP_PORT": str(dovecot.port),
            "KARTOMAT_IMAP_USER": USER, "KARTOMAT_IMAP_PASSWORD": PASSWORD,
            "KARTOMAT_IMAP_SSL": "false"}  # fmt: skip
    batch = 15
    app = bootstrap(settings_of(env))
    import_rows(app, izus_rows(batch * (ROUNDS + 1)))
    tokens = open_now(app, "T", ["izus"])
    serve = ServeProcess(env, tmp_path / "serve.log")
    new = root / "home" / USER / "Maildir" / "new"
    figures: list[dict[str, Any]] = []
    try:
        serve.start()
        asyncio.run(wait_health(serve, lambda r: component(r, "mailbox")["status"] == "ok",
                                "mailbox ok"))  # fmt: skip
        deliver(new, tokens, range(0, batch), mail_owner())  # ingested while all is well
        asyncio.run(until(lambda: mail_settled(app, batch), 60, "first replies ingested"))
        for n in range(1, ROUNDS + 1):
            stop_hard(dovecot)
            started = time.monotonic()
            report = asyncio.run(wait_health(
                serve, lambda r: component(r, "mailbox")["status"] == "degraded",
                "mailbox degraded"))  # fmt: skip
            deliver(new, tokens, range(n * batch, (n + 1) * batch), mail_owner())  # waiting
            time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
            assert serve.process is not None and serve.process.poll() is None
            dovecot = start_dovecot_again(dovecot)
            back = time.monotonic()
            asyncio.run(until(lambda n=n: mail_settled(app, (n + 1) * batch), 90,
                              "replies ingested after IMAP came back"))  # fmt: skip
            during = component(report, "mailbox")["last_error"]
            figures.append({"outage_s": round(back - started, 1), "waiting": batch,
                            "drained_s": round(time.monotonic() - back, 1),
                            "health_during": during})  # fmt: skip
        health = asyncio.run(healthz(serve))
        assert component(health, "mailbox")["status"] == "ok", health
        assert serve.terminate() == 0
        totals = check_mail(app, smtp.inbox, batch * (ROUNDS + 1))
        left = sorted(p.name for p in new.iterdir())
        assert left == []  # every reply moved out of INBOX (Przetworzone)
        assert sum(inbound(app).values()) == batch * (ROUNDS + 1)  # stored once each
    finally:
        if serve.process is not None and serve.process.poll() is None:
            serve.kill9()
        dovecot.stop()
        smtp.down()
        shutil.rmtree(root, ignore_errors=True)
    print(f"\nimap outages: {figures} {totals}")


def deliver(new: Path, tokens: dict[str, str], numbers: range, owner: tuple[int, int]) -> None:
    """Replies delivered into the mailbox's Maildir (what the MTA's local delivery does)."""
    new.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        path = new / f"{time.time_ns()}.outage{n}.localhost"
        path.write_bytes(reply(tokens[f"IZ-{n:04d}"], f"ops{n}@gmina.example", n))
        os.chown(path, *owner)


def stop_hard(server: Any) -> None:
    """Stop Dovecot and the imap processes it started, which would otherwise keep serving
    open connections for a while after the master is gone (not what an outage is)."""
    found = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True,
                           text=True).stdout.split()  # fmt: skip
    server.stop()
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)


def start_dovecot_again(old: Any) -> Any:
    """The same Dovecot (config, port, mail) started again."""
    from tests.integration.mail.servers import Dovecot

    process = subprocess.Popen(["dovecot", "-F", "-c", str(old.config)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    server = Dovecot(old.root, old.port, process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", old.port), timeout=1) as sock,
        ):
            if sock.recv(100).startswith(b"* OK"):
                return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("dovecot did not start again")


# ---------------------------------------------------------------------- PostgreSQL


@dataclass
class PrivatePostgres:
    """A PostgreSQL instance of our own (initdb in a temp dir, loopback port, trust auth)."""

    data: Path
    port: int
    runas: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run([*self.runas, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w",
                        "-l", str(self.data.parent / "pg.log"), *args],
                       check=True, capture_output=True)  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self.pg_ctl("-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL binaries not found in {PG_BIN}"
        if os.environ.get("CI") or os.environ.get("KARTOMAT_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="kartomat-outage-pg-"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir()
    runas: list[str] = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        import pwd

        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
        os.chown(data, entry.pw_uid, entry.pw_gid)
        runas = ["runuser", "-u", "postgres", "--"]
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run([*runas, *initdb, "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    server = PrivatePostgres(data, free_port(), runas)
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_postgres_restart_serve_recovers_by_itself(tmp_path: Path) -> None:
    smtp = SmtpWorld()
    smtp.up()
    try:
        with private_postgres() as pg, BotApiStandIn() as standin:
            figures = asyncio.run(postgres_restart(tmp_path, pg, standin, smtp))
            assert standin.server_errors == []
    finally:
        smtp.down()
    print(f"\npostgres restarts: {figures}")


async def postgres_restart(tmp: Path, pg: PrivatePostgres, standin: BotApiStandIn,
                           smtp: SmtpWorld) -> dict[str, Any]:  # fmt: skip
    people_n, batch = (4, 20) if FULL else (2, 10)
    people_id = 620_000
    env = quick(telegram_env(serve_env(pg.url, smtp.port, tmp / "maildir"), standin))
    app = bootstrap(settings_of(env, telegram_bot_username=standin.bot_username))
    orgs = batch * (2 * ROUNDS + 1)
    import_rows(app, izus_rows(orgs) + ngo_rows("TG", people_n, "0663011", 0))
    tokens = open_now(app, "T", ["izus", "ngo"])  # invitations: orgs + people_n due now
    drop_replies(tmp / "maildir", tokens, range(0, batch))
    serve = ServeProcess(env, tmp / "serve.log")
    await asyncio.to_thread(serve.start)
    people = [Person(app, standin.user(people_id + i, f"Kierownik {i}"), tokens[f"TG-{i:04d}"],
                     patience=6.0) for i in range(people_n)]  # fmt: skip
    filling = asyncio.gather(*(p.work() for p in people))
    figures: dict[str, Any] = {"people": people_n, "rounds": ROUNDS, "outages": []}
    for n in range(ROUNDS):
        await asyncio.sleep(1.5)  # work in flight: cards half filled, mail draining
        drop_replies(tmp / "maildir", tokens, range((2 * n + 1) * batch, (2 * n + 2) * batch))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(pg.stop)
        started = time.monotonic()
        report = await wait_health(serve, lambda r: r["status"] == "down", "database down")
        assert report["database"]["status"] == "down"
        drop_replies(tmp / "maildir", tokens, range((2 * n + 2) * batch, (2 * n + 3) * batch))
        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
        assert serve.process is not None and serve.process.poll() is None
        await asyncio.to_thread(pg.start)
        back = time.monotonic()
        await wait_health(serve, lambda r: r["database"]["status"] == "ok", "database ok")
        waiting = (2 * n + 3) * batch - sum(inbound(app).values())
        figures["outages"].append({"outage_s": round(back - started, 1),
                                   "outbox_waiting": len(busy(app)),
                                   "replies_waiting": waiting})  # fmt: skip
    back = time.monotonic()
    await asyncio.wait_for(filling, timeout=180)
    await until(lambda: mail_settled(app, orgs), 120, "backlog drained after the restart")
    figures["drained_s"] = round(time.monotonic() - back, 1)
    health = await healthz(serve)
    assert health["status"] == "ok", health
    assert await asyncio.to_thread(serve.terminate) == 0
    answers = check_answers(app, people, assignment_ids(app, people_n))
    totals = check_mail(app, smtp.inbox, orgs)
    receipts = telegram_counts(standin, [p.user.id for p in people], "✅")
    assert max(receipts.values()) <= 1, receipts
    assert app.engine is not None
    app.engine.dispose()
    return figures | totals | {"answers": answers, "apologies": sum(p.apologies for p in people),
                               "repeats": sum(p.repeats for p in people)}  # fmt: skip
