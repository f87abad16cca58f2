"""Answers recorded per second through the collection service vs a plain SQL insert.

Our path per answer: load the assignment's state, parse + validate the raw text,
append the answer version with its provenance, move the respondent's position,
re-evaluate the consistency checks and commit — one transaction per answer, as in
production. The baseline inserts the same rows with one plain INSERT + COMMIT each
through the same driver, in the same run. Target: ratio ≥ 0.3.

    .venv/bin/python bench/collection.py [--answers 2000] [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import throwaway_engine
from domain.cards.catalog import CardCatalog
from domain.cards.model import QuestionType
from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from services.card_state import Provenance
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, uow_factory
from tests.fakes import FakeClock

# A Karta IZUS reply's statistical part: every count question of the card (35 answers).
CODES = [
    q.code
    for q in CardCatalog.builtin().get("izus").asked_questions
    if q.type is QuestionType.INT and q.condition is None
]
RAWS = ["1 200", "35", "12 osób", "brak", "7"]


def registry(orgs: int) -> bytes:
    """A registry of `orgs` IZUS organisations in lubelskie."""
    lines = ["external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,"
             "contact_name,email,phone,channel"]  # fmt: skip
    for i in range(orgs):
        teryt = f"06{(i % 20) + 1:02d}{(i // 20) % 90 + 1:02d}1"
        lines.append(f"B{i:05d},izus,OPS {i},ops,{teryt},Miasto {i},powiat {i % 20},06,"
                     f"Osoba {i},ops{i}@bench.example,,email")  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def build(engine: Engine, tmp: Path) -> App:
    """A wired app on the engine with a frozen clock."""
    sessions = uow_factory(engine)
    clock = FakeClock(datetime(2026, 11, 10, 9, tzinfo=UTC))
    settings = Settings(database_url="sqlite://", secret_key_file=tmp / "secret")
    return wire(settings, lambda: SqlUnitOfWork(sessions), clock, b"bench-secret", engine)


def our_path(app: App, answers: int) -> float:
    """Seconds to record `answers` answers through the collection service."""
    with app.uow() as uow:
        ids = [a.id or 0 for a in uow.assignments.for_session(1)]
    start = time.perf_counter()
    for n in range(answers):
        assignment = ids[n % len(ids)]
        code = CODES[(n // len(ids)) % len(CODES)]
        prov = Provenance(channel="email", source_message_id=f"<m{n}@bench>")
        result = app.collection.record_by_code(assignment, code, RAWS[n % len(RAWS)], prov)
        assert result.accepted
    return time.perf_counter() - start


def our_batches(app: App, answers: int) -> float:
    """Seconds to record `answers` answers as replies of len(CODES) answers each."""
    with app.uow() as uow:
        ids = [a.id or 0 for a in uow.assignments.for_session(1)]
    start = time.perf_counter()
    for n in range(answers // len(CODES)):
        raws = {code: RAWS[(n + i) % len(RAWS)] for i, code in enumerate(CODES)}
        prov = Provenance(channel="email", source_message_id=f"<r{n}@bench>")
        result = app.collection.record_many(ids[n % len(ids)], raws, prov)
        assert len(result.accepted) == len(CODES), result.rejected
    return time.perf_counter() - start


def plain_insert(engine: Engine, answers: int, per_commit: int = 1, tag: str = "p") -> float:
    """Seconds to insert the same number of answer rows with plain SQL, `per_commit` a commit."""
    stmt = text(
        "INSERT INTO answer (assignment_id, question_id, value, version, channel, "
        "source_message_id, recorded_at) VALUES (:a, :q, :v, :ver, 'email', :m, :t)"
    )
    now = datetime(2026, 11, 10, 9, tzinfo=UTC)
    start = time.perf_counter()
    with engine.connect() as conn:
        for n in range(answers):
            params = {
                "a": 1,
                "q": f"izus.{tag}.{n}",
                "v": "7",
                "ver": 1,
                "m": f"<{tag}{n}>",
                "t": now,
            }
            conn.execute(stmt, params)
            if (n + 1) % per_commit == 0:
                conn.commit()
        conn.commit()
    return time.perf_counter() - start


def run(backend: str, answers: int) -> dict[str, float | str | int]:
    """One measurement on one backend."""
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        with throwaway_engine(backend, tmp) as engine:
            upgrade(engine)
            app = build(engine, tmp)
            assert app.registry.import_csv(registry(200)).ok
            app.sessions.create("B", date(2026, 11, 2), date(2026, 11, 30), ["izus"], [])
            app.sessions.open("B")
            ours = our_path(app, answers)
            plain = plain_insert(engine, answers)
            batch = answers - answers % len(CODES)
            ours_batch = our_batches(app, batch)
            plain_batch = plain_insert(engine, batch, per_commit=len(CODES), tag="b")
    return {
        "backend": backend,
        "answers": answers,
        "reply_ours_per_s": round(batch / ours_batch, 1),
        "reply_plain_per_s": round(batch / plain_batch, 1),
        "reply_ratio": round(plain_batch / ours_batch, 3),
        "single_ours_per_s": round(answers / ours, 1),
        "single_plain_per_s": round(answers / plain, 1),
        "single_ratio": round(plain / ours, 3),
    }


def main() -> None:
    """Parse arguments, run, print a JSON line per backend."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(json.dumps(run(backend, args.answers)))


if __name__ == "__main__":
    main()
