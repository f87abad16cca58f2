"""One scheduler tick over 25,000 assignments (target: ≤ 1 s on this machine).

The data is loaded with bulk SQL (what `registry import` and `session open` would have
written): organisations in ~2,500 gminy with one contact each (a third of the NGO
contacts on Telegram), one assignment each, its invitation in the outbox, a fifth of
the cards started (ten answers each), a tenth submitted, twenty staff members.
Measured through `ScheduleService.tick`, one tick a (fake) minute:

- *d7*: the reminder day, every unsubmitted assignment due at 08:00: the first tick
  (at most BATCH_LIMIT respondent messages) and all ticks until nothing is left;
- *idle*: a tick half an hour later, nothing new (what every minute of the day costs);
- *late*: the first day after the deadline: overdue notices plus the staff alerts
  listing every late assignment of their territories.

    .venv/bin/python bench/schedule.py [--assignments 25000] [--backend sqlite|postgres|both]
                                       [--batch-limit 5000 | 0 for one tick doing all]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import throwaway_engine
from domain.cards.catalog import CardCatalog
from domain.cards.values import parse_value, to_json
from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from services.schedule import BATCH_LIMIT, ScheduleService, TickResult
from storage.migrate import upgrade
from storage.tables import (
    AnswerRow,
    AssignmentRow,
    ContactRow,
    OrganisationRow,
    OutboxRow,
    SessionRow,
    StaffRow,
    TerritoryRow,
)
from storage.uow import SqlUnitOfWork, uow_factory
from tests.fakes import FakeClock
from tests.sample import raw_answer

WAW = "Europe/Warsaw"
OPENED = datetime(2026, 11, 2, 7, tzinfo=UTC)
GMINY = 2500


def _table(row_cls: Any) -> Any:
    """The Core table of a SQLModel row class."""
    return row_cls.__table__


def answers_template(catalog: CardCatalog, kind: str, count: int = 10) -> list[tuple[str, Any]]:
    """(question id, JSON value) of the first `count` questions a respondent answers."""
    card = catalog.get(kind)
    found = []
    for question in card.asked_questions:
        try:
            options = card.options_of(question)
            value = parse_value(question, options, raw_answer(question), today=date(2026, 11, 10))
        except Exception:  # noqa: S112  (a sample answer that does not fit: skip it)
            continue
        found.append((question.id, to_json(question, value.value)))
        if len(found) == count:
            break
    return found


def _organisations(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Organisation and contact rows: one IZUS in five, spread over the gminy."""
    orgs, contacts = [], []
    for i in range(n):
        kind = "izus" if i % 5 == 0 else "ngo"
        woj = f"{(i % 16 + 1) * 2:02d}"
        teryt = f"{woj}{(i // 16) % 20 + 1:02d}{(i // 320) % 8 + 1:02d}1"
        org_type = "ops" if kind == "izus" else "fundacja"
        orgs.append({"id": i + 1, "external_id": f"ORG-{i:06d}", "kind": kind,
                     "name": f"Organizacja {i}", "org_type": org_type, "teryt": teryt,
                     "miejscowosc": f"Miasto {i % GMINY}", "powiat": "p",
                     "wojewodztwo": woj})  # fmt: skip
        telegram = 10_000_000 + i if kind == "ngo" and i % 3 == 0 else None
        contacts.append({"id": i + 1, "organisation_id": i + 1, "name": f"Osoba {i}",
                         "email": f"org{i}@bench.example",
                         "channel": "telegram" if telegram else "email",
                         "telegram_user_id": telegram, "telegram_unreachable": False,
                         "email_unreachable": False, "language": "pl",
                         "is_primary": True})  # fmt: skip
    return orgs, contacts


def _assignments(orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One assignment per organisation: a fifth started, a tenth submitted."""
    rows = []
    for org in orgs:
        i = org["id"]
        started = OPENED.replace(day=10) if i % 5 == 1 else None
        submitted = OPENED.replace(day=12) if i % 10 == 2 else None
        rows.append({"id": i, "session_id": 1, "organisation_id": i, "card": org["kind"],
                     "token_nonce": secrets.token_hex(8), "token_hash": secrets.token_hex(16),
                     "token_short_hash": secrets.token_hex(6), "token_revoked": False,
                     "submitted_at": submitted, "channel": "email", "started_at": started,
                     "last_activity_at": started or submitted, "revision": 0})  # fmt: skip
    return rows


def _rows(n: int, catalog: CardCatalog) -> dict[str, list[dict[str, Any]]]:
    """Every row the bench loads, by table."""
    orgs, contacts = _organisations(n)
    assignments = _assignments(orgs)
    templates = {k: answers_template(catalog, k) for k in ("ngo", "izus")}
    answers = [
        {"assignment_id": a["id"], "question_id": qid, "value": value, "version": 1,
         "channel": "email", "recorded_at": a["started_at"]}
        for a in assignments if a["started_at"] is not None
        for qid, value in templates[a["card"]]
    ]  # fmt: skip
    invitations = [
        {"channel": "email", "recipient": c["email"], "kind": "invitation", "payload": {},
         "dedupe_key": f"invitation:{c['id']}:2026-11-02:{c['email']}", "status": "sent",
         "attempts": 1, "next_attempt_at": OPENED, "created_at": OPENED, "assignment_id": c["id"]}
        for c in contacts
    ]  # fmt: skip
    gminy = sorted({o["teryt"] for o in orgs})
    staff = [
        {"name": f"Staff {w}", "email": f"s{w}@cm.example", "telegram_id": 5000 + w,
         "territories": [f"{w * 2:02d}"]} for w in range(1, 17)
    ] + [
        {"name": f"Kraj {k}", "email": f"k{k}@cm.example", "telegram_id": None,
         "territories": ["PL"]} for k in range(4)
    ]  # fmt: skip
    session = {"id": 1, "name": "B", "opens": date(2026, 11, 2), "deadline": date(2026, 11, 30),
               "cards": ["ngo", "izus"], "territories": [], "harmonogram": {}, "state": "open",
               "is_baseline": False, "opened_at": OPENED}  # fmt: skip
    return {
        "territory": [{"teryt": t, "level": "gmina", "name": f"Gmina {t}", "parent": t[:4]}
                      for t in gminy],
        "organisation": orgs, "contact": contacts, "monitoring_session": [session],
        "assignment": assignments, "answer": answers, "outbox": invitations, "staff": staff,
    }  # fmt: skip


def load(engine: Engine, n: int, catalog: CardCatalog) -> None:
    """Bulk-load the registry, the open session, assignments, invitations and answers."""
    tables = {
        "territory": TerritoryRow, "organisation": OrganisationRow, "contact": ContactRow,
        "monitoring_session": SessionRow, "assignment": AssignmentRow, "answer": AnswerRow,
        "outbox": OutboxRow, "staff": StaffRow,
    }  # fmt: skip
    with engine.begin() as conn:
        for name, rows in _rows(n, catalog).items():  # in foreign-key order
            conn.execute(_table(tables[name]).insert(), rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("organisation", "contact", "assignment", "monitoring_session"):
                conn.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
            conn.execute(text("ANALYZE"))


def timed_tick(app: App, when: datetime) -> tuple[float, TickResult]:
    """Seconds one tick took at `when`, and what it did."""
    app.clock.current = when  # type: ignore[attr-defined]
    start = time.perf_counter()
    result = app.schedule.tick()
    return time.perf_counter() - start, result


def build(engine: Engine, tmp: Path, batch_limit: int) -> App:
    """A wired app on the engine with a fake clock and the given tick batch limit."""
    sessions = uow_factory(engine)
    clock = FakeClock(OPENED)
    settings = Settings(database_url="sqlite://", secret_key_file=tmp / "secret")
    app = wire(settings, lambda: SqlUnitOfWork(sessions), clock, b"bench-secret", engine)
    app.schedule = ScheduleService(app.uow, app.catalog, app.clock, batch_limit=batch_limit)
    return app


def drain(app: App, when: datetime, label: str) -> dict[str, Any]:
    """Tick once a minute from `when` until nothing due is left; time the first and all."""
    seconds, result = timed_tick(app, when)
    out: dict[str, Any] = {f"{label}_first_s": round(seconds, 3)}
    total, ticks, enqueued = seconds, 1, Counter(result.enqueued)
    while result.remaining:
        seconds, result = timed_tick(app, when + timedelta(minutes=ticks))
        total, ticks = total + seconds, ticks + 1
        enqueued.update(result.enqueued)
    out.update({f"{label}_all_s": round(total, 3), f"{label}_ticks": ticks,
                f"{label}_enqueued": dict(enqueued)})  # fmt: skip
    return out


def measure(engine: Engine, tmp: Path, n: int, batch_limit: int) -> dict[str, Any]:
    """Load the data, then time the reminder day, an idle minute and the first late day."""
    upgrade(engine)
    app = build(engine, tmp, batch_limit)
    load(engine, n, app.catalog)
    # The service runs all day: the first tick of a fresh process (holiday tables,
    # statement caches, the card's blank missing list) is measured apart.
    seconds, _ = timed_tick(app, datetime(2026, 11, 20, 7, 0, tzinfo=UTC))  # nothing due
    results: dict[str, Any] = {"cold_idle_s": round(seconds, 3)}
    d7 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Warsaw
    results.update(drain(app, d7, "d7"))
    seconds, _ = timed_tick(app, d7 + timedelta(minutes=30))
    results["idle_s"] = round(seconds, 3)
    results.update(drain(app, datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "late"))
    return results


def run(backend: str, n: int, batch_limit: int) -> dict[str, Any]:
    """One measurement on one backend (a throw-away database)."""
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        with throwaway_engine(backend, tmp) as engine:
            results = measure(engine, tmp, n, batch_limit)
    return {"backend": backend, "assignments": n, "batch_limit": batch_limit, **results}


def main() -> None:
    """Parse arguments, run, print a JSON line per backend."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assignments", type=int, default=25_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--batch-limit", type=int, default=BATCH_LIMIT, help="0: no limit (one tick does all)"
    )
    args = parser.parse_args()
    limit = args.batch_limit or 10**9
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(json.dumps(run(backend, args.assignments, limit)))


if __name__ == "__main__":
    main()
