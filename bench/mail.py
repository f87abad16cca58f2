"""Replies ingested per second from Dovecot, end to end, vs a raw imapclient fetch.

Our path per reply: fetch (`BODY.PEEK[]`, sizes first, 100 per FETCH), store the raw
bytes (one commit per fetched group), parse, match by the token in the plus-address,
apply the answers through the collection service, record the outcome with the reply
(the confirmation) queued in the outbox — answers and outcome in one transaction per
group of replies, a savepoint each — and MOVE the messages to `Przetworzone`. The
baseline fetches the same messages with imapclient alone (`BODY.PEEK[]`, 100 per
FETCH) in the same run. Targets: ≥ 0.5× the raw fetch rate and ≥ 100 replies/s. Not
part of `make test`.

The `stages` breakdown times the same run: each stage's own time (nested stages
subtracted) per reply, and on SQLite the SQL statements per reply (counted by the
driver's trace hook, BEGIN/SAVEPOINT/COMMIT included; PostgreSQL runs the same ones);
`other` is the rest of connect-to-logout (Python glue, the UID mark, the purge,
login/SELECT/logout).

    .venv/bin/python bench/mail.py [--replies 2000] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import email
import json
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from mailer.imap import ImapMailbox
from services.mail_ports import Destination, MailboxItem
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, uow_factory
from tests.fakes import FakeClock
from tests.integration.mail.conftest import imap_config
from tests.integration.mail.servers import PASSWORD, USER, Dovecot, start_dovecot

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HEADER = (
    "external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,"
    "contact_name,email,phone,channel"
)


def registry(orgs: int) -> bytes:
    """`orgs` IZUS organisations in lubelskie, one contact each."""
    rows = [HEADER] + [
        f"IZ-{i:05d},izus,Ośrodek Pomocy Społecznej nr {i},ops,0663011,Lublin,Lublin,06,"
        f"Osoba {i},ops{i}@gmina.example,,email"
        for i in range(orgs)
    ]
    return ("\n".join(rows) + "\n").encode()


def reply(n: int, token: str) -> bytes:
    """A Gmail-style reply: eight answers on top, a quoted tail below."""
    message = EmailMessage()
    message["From"] = f"Osoba {n} <ops{n}@gmina.example>"
    message["To"] = f"monitoring+{token}@cm.example"
    message["Subject"] = f"Re: Prośba o wypełnienie [Karta IZUS · 2026-H2 · #{token[:8]}]"
    message["Message-ID"] = f"<bench-{n}@gmina.example>"
    message["Date"] = "Mon, 02 Nov 2026 10:15:00 +0100"
    lines = [
        "Dzień dobry,",
        "",
        "przesyłam dane.",
        "",
        f"[II.0.1] Liczba podmiotów: {100 + n % 50}",
        f"[II.0.2] Liczba realizatorów: {150 + n % 40}",
        "[II.0.3] Liczba osób: 1 200",
        "[II.0.4] Liczba osób: 9 000",
        "[II.0.5] Liczba: 30",
        "[I.3] Kto pełni funkcję OUS: Dział Organizacji Usług",
        "[I.6a] Program: tak",
        "[I.6b] Data uchwalenia Programu: 14 marca 2025",
        "",
        "Pozdrawiam",
        "",
        "pon., 2 lis 2026 o 10:00 Centrum Monitoringu MP <monitoring@cm.example> napisał(a):",
        "> --- Prosimy odpowiadać nad tą linią ---",
        "> [II.1.1] Liczba podmiotów/organizacji samorzutnie dostarczających raporty: ",
        "> [II.1.2] Liczba podmiotów/organizacji organizujących konsultacje: ",
    ]
    message.set_content("\n".join(lines))
    return bytes(message)


class Stages:
    """Exclusive wall time and SQL statements per stage (a stage inside another is
    subtracted from it)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self.stack: list[str] = []

    @contextmanager
    def timer(self, stage: str) -> Iterator[None]:
        self.stack.append(stage)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.stack.pop()
            self.seconds[stage] += elapsed
            if self.stack:
                self.seconds[self.stack[-1]] -= elapsed

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.timer(stage):
                return function(*args, **kwargs)

        return timed

    def statement(self, *_: Any) -> None:
        self.statements[self.stack[-1] if self.stack else "other"] += 1

    def per_reply(self, total: float, replies: int) -> dict[str, dict[str, float]]:
        seconds = {**self.seconds, "other": total - sum(self.seconds.values())}
        result = {s: {"ms": round(seconds.get(s, 0.0) * 1000 / replies, 3)} for s in STAGES}
        if self.statements:
            for stage in STAGES:
                result[stage]["sql"] = round(self.statements[stage] / replies, 2)
        return result


STAGES = ("search", "fetch", "store", "parse", "match", "apply", "outcome", "savepoint", "commit")
STAGES += ("move", "other")
STAGE = Stages()


class TimedUnitOfWork(SqlUnitOfWork):
    """The real unit of work, with its commits and savepoints timed."""

    def commit(self) -> None:
        with STAGE.timer("commit"):
            super().commit()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        with STAGE.timer("savepoint"), super().savepoint():
            yield


class TimedMailbox(ImapMailbox):
    """The real IMAP mailbox, with SEARCH (+ sizes), FETCH and MOVE timed."""

    def pending(self, last_uid: int) -> list[MailboxItem]:
        with STAGE.timer("search"):
            return super().pending(last_uid)

    def fetch(self, items: Sequence[MailboxItem]) -> Iterator[tuple[MailboxItem, bytes]]:
        with STAGE.timer("fetch"):
            fetched = list(super().fetch(items))
        yield from fetched

    def file(self, items: Any, destination: Destination) -> None:
        with STAGE.timer("move"):
            super().file(items, destination)


def instrument(app: App) -> None:
    """Time the ingestion's steps on the wired objects (timing only: same calls)."""
    ingest = app.mail.ingest
    processor = ingest.processor
    applier = processor.applier
    ingest.store_many = STAGE.wrap("store", ingest.store_many)  # type: ignore[method-assign]
    processor.parse = STAGE.wrap("parse", processor.parse)  # type: ignore[method-assign]
    processor.decide = STAGE.wrap("match", processor.decide)  # type: ignore[method-assign]
    applier.apply = STAGE.wrap("apply", applier.apply)  # type: ignore[method-assign]
    processor.record = STAGE.wrap("outcome", processor.record)  # type: ignore[method-assign]
    if app.engine is not None and app.engine.dialect.name == "sqlite":
        # Every statement, the hot path's driver-cursor ones included (storage.driver).
        app.engine.dispose()
        event.listen(app.engine, "connect", _trace)


def _trace(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.set_trace_callback(STAGE.statement)


def _admin(sql: str) -> None:
    engine = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def build_app(backend: str, work: Path, clock: FakeClock, name: str) -> App:
    """The wired app on a fresh SQLite file or PostgreSQL database `name`."""
    url = f"sqlite:///{work / 'bench.db'}"
    if backend == "postgres":
        _admin(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = uow_factory(engine)
    settings = Settings(
        database_url=url,
        secret_key_file=work / "secret",
        mail_from="monitoring@cm.example",
        mail_reply_to="monitoring+{token}@cm.example",
    )
    return wire(settings, lambda: TimedUnitOfWork(sessions), clock, b"bench-secret", engine)


def prepare(app: App, replies: int, dovecot: Dovecot) -> None:
    """Registry, open session, and one reply per assignment APPENDed to INBOX."""
    app.registry.import_csv(registry(replies))
    app.sessions.create("2026-H2", date(2026, 11, 2), date(2026, 11, 30), ["izus"], ["06"])
    app.sessions.open("2026-H2")
    tokens = {i.external_id: i.token for i in app.sessions.invites("2026-H2")}
    imap = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    imap.login(USER, PASSWORD)
    for n in range(replies):
        imap.append("INBOX", reply(n, tokens[f"IZ-{n:05d}"]))
    imap.logout()


def raw_fetch(dovecot: Dovecot) -> tuple[list[bytes], float]:
    """imapclient alone: connect, select, BODY.PEEK[] 100 at a time."""
    start = time.perf_counter()
    imap = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    imap.login(USER, PASSWORD)
    imap.select_folder("INBOX", readonly=True)
    uids = imap.search("ALL")
    fetched: list[bytes] = []
    for i in range(0, len(uids), 100):
        fetched += [
            data[b"BODY[]"] for data in imap.fetch(uids[i : i + 100], ["BODY.PEEK[]"]).values()
        ]
    imap.logout()
    return fetched, time.perf_counter() - start


KEYED = re.compile(r"^\[([IVX]+\.[0-9a-z.]+)\][^:\n]*:[ \t]*(.*)$", re.MULTILINE)
FLOOR_TABLES = (
    "CREATE TABLE floor_token (token VARCHAR(64) PRIMARY KEY, assignment_id INTEGER)",
    "CREATE TABLE floor_message (id INTEGER PRIMARY KEY, raw BYTEA)",
    "CREATE TABLE floor_answer (assignment_id INTEGER, code VARCHAR(16), value TEXT, "
    "version INTEGER, channel VARCHAR(16), source VARCHAR(64))",
)


def lean_floor(app: App, messages: list[bytes]) -> float:
    """Seconds for the least any ingestion of these replies must do, without our code.

    Per reply: the standard library's MIME parse (compat32) and payload decode, the top
    part above the first quoted line, one regex for the `[code] label: value` lines, one
    indexed token look-up, the raw message and its answers inserted (`executemany`),
    one commit per 25 replies, on the same database through its driver. Left out: the
    quoting rules of email-cases.md, value typing and validation, the card lock,
    versions and provenance, the outcome, the confirmation, MOVE.
    """
    assert app.engine is not None
    engine = make_engine(app.engine.url.render_as_string(hide_password=False))  # untraced
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for ddl in FLOOR_TABLES:
            cursor.execute(ddl.replace("BYTEA", "BLOB") if sqlite else ddl)
        tokens = [(_token_of(m), n) for n, m in enumerate(messages)]
        cursor.executemany(f"INSERT INTO floor_token VALUES ({mark}, {mark})", tokens)
        connection.commit()
        start = time.perf_counter()
        for group in range(0, len(messages), 25):
            if sqlite:  # the engine leaves the driver in autocommit (it issues BEGIN itself)
                cursor.execute("BEGIN IMMEDIATE")
            for n in range(group, min(group + 25, len(messages))):
                message = email.message_from_bytes(messages[n])
                token = str(message["To"]).split("+", 1)[1].split("@", 1)[0]
                payload = message.get_payload(decode=True)
                assert isinstance(payload, bytes)
                top = payload.decode(message.get_content_charset() or "utf-8").split("\n>", 1)[0]
                cursor.execute(
                    f"SELECT assignment_id FROM floor_token WHERE token = {mark}", (token,)
                )
                [assignment] = cursor.fetchone()
                cursor.execute(
                    f"INSERT INTO floor_message VALUES ({mark}, {mark})", (n, messages[n])
                )
                rows = [(assignment, code, value, 1, "email", f"mail:{n}")
                        for code, value in KEYED.findall(top)]  # fmt: skip
                assert len(rows) == 8, rows
                values = ", ".join([mark] * 6)
                cursor.executemany(f"INSERT INTO floor_answer VALUES ({values})", rows)
            connection.commit()
        return time.perf_counter() - start
    finally:
        connection.close()
        engine.dispose()


def _token_of(raw: bytes) -> str:
    return raw.split(b"monitoring+", 1)[1].split(b"@", 1)[0].decode()


def ours(app: App, dovecot: Dovecot) -> tuple[int, float]:
    """The ingestion pass, connect to logout."""
    instrument(app)
    start = time.perf_counter()
    mailbox = TimedMailbox(imap_config(dovecot.port))
    mailbox.connect()
    report = app.mail.ingest.poll(mailbox)
    mailbox.close()
    assert report.statuses == {"applied": report.stored}, report
    return report.stored, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kartomat-bench-mail-"))
    work.chmod(0o755)  # Dovecot's mail user must reach its home below
    dovecot = start_dovecot(work / "dovecot")
    name = f"kartomat_bench_{uuid.uuid4().hex[:8]}"
    try:
        clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
        app = build_app(args.backend, work, clock, name)
        prepare(app, args.replies, dovecot)
        fetched, raw_s = raw_fetch(dovecot)
        raw_n = len(fetched)
        our_n, our_s = ours(app, dovecot)
        floor_s = raw_s + lean_floor(app, fetched)
        with app.uow() as uow:
            queued = sum(1 for m in uow.outbox.all() if m.kind == "mail_reply")
        result = {
            "backend": args.backend,
            "replies": our_n,
            "confirmations_queued": queued,
            "raw_fetch_per_s": round(raw_n / raw_s, 1),
            "ours_per_s": round(our_n / our_s, 1),
            "ratio": round((our_n / our_s) / (raw_n / raw_s), 3),
            "lean_floor_per_s": round(raw_n / floor_s, 1),
            "lean_floor_ratio": round(raw_s / floor_s, 3),
            "raw_fetch_ms_per_message": round(raw_s * 1000 / raw_n, 3),
            "ours_ms_per_reply": round(our_s * 1000 / our_n, 3),
            "stages": STAGE.per_reply(our_s, our_n),
        }
        print(json.dumps(result, ensure_ascii=False))
        if app.engine is not None:
            app.engine.dispose()
    finally:
        dovecot.stop()
        shutil.rmtree(work, ignore_errors=True)
        if args.backend == "postgres":
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
