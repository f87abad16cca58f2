"""Indicators and the Raport MP at national scale vs a hand-written SQL GROUP BY.

Data: 2,477 gminy in 380 powiaty and 16 województwa, 25,000 NGO and 2,477 IZUS
organisations, a closed baseline session and an open current one, every card
answered the way respondents do (skip logic kept, optional block answered by some,
a few corrections), generated straight into a SQLite file with bulk inserts.

Measured in the same run on the same file:
- **ours**: `IndicatorService.live` — one bulk read of the submitted answers, skip
  logic, every indicator per gmina in Python, roll-up to powiat, województwo, kraj;
- **sql**: the same indicators at every level as one hand-written SQL statement
  (pivot per card, GROUP BY gmina, UNION ALL of GROUP BY per level);
- **report**: the full Raport MP (HTML pages for 16 województwa and every gmina,
  XLSX, CSV) built by `ReportService.build`.
Targets: ours ≤ 2 s and ≤ 2× sql; report ≤ 20 s. The two results are compared.

    .venv/bin/python bench/indicators.py [--gminy 2477] [--ngos 25000] [--seed 6]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.indicators_sql import sql_values
from domain.cards.catalog import CardCatalog
from domain.cards.model import CardDefinition, Question, QuestionType
from domain.cards.skip import condition_holds
from domain.cards.values import from_json
from domain.indicators import Level
from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, uow_factory
from tests.fakes import FakeClock

WOJ = ("02", "04", "06", "08", "10", "12", "14", "16", "18", "20", "22", "24", "26", "28",
       "30", "32")  # fmt: skip
POWIATY = 380
RUNS = 3
STAMP = "2026-11-20 10:00:00.000000"
PEOPLE = {"II.3.5a", "II.3.5b", "II.7.1"}


def gminy(count: int) -> list[str]:
    """`count` gmina TERYT codes spread over 16 województwa and ~380 powiaty."""
    powiaty = [f"{WOJ[i % 16]}{i // 16 + 1:02d}" for i in range(min(POWIATY, count))]
    return [f"{powiaty[i % len(powiaty)]}{i // len(powiaty) + 1:02d}{i % 3 + 1}"
            for i in range(count)]  # fmt: skip


def territories(codes: list[str], catalog: CardCatalog) -> list[tuple[str, str, str, str | None]]:
    """Territory rows (teryt, level, name, parent) for the gminy and their parents."""
    woj = catalog.get("ngo").option_list("WOJ")
    rows: dict[str, tuple[str, str, str, str | None]] = {}
    for teryt in codes:
        label = woj.by_code(teryt[:2])
        rows[teryt[:2]] = (teryt[:2], "wojewodztwo", label.label_pl if label else "", None)
        rows[teryt[:4]] = (teryt[:4], "powiat", f"powiat {teryt[:4]}", teryt[:2])
        rows[teryt] = (teryt, "gmina", f"Gmina {teryt}", teryt[:4])
    return list(rows.values())


def value_for(question: Question, card: CardDefinition, rng: random.Random) -> Any:
    """A JSON value a respondent could give (many zeros, as in real cards)."""
    kind = question.type
    if kind is QuestionType.INT:
        if rng.random() < 0.45:
            return 0
        return rng.randint(1, 400 if question.code in PEOPLE else 12)
    if kind is QuestionType.MONEY:
        return f"{rng.randint(1_000, 900_000)}.{rng.randint(0, 99):02d}"
    if kind is QuestionType.YESNO:
        return rng.random() < 0.4
    if kind in (QuestionType.ONE, QuestionType.MANY):
        options = card.option_list(question.list or "").options
        code = options[rng.randrange(len(options) - 1)].code
        return code if kind is QuestionType.ONE else [code]
    if kind is QuestionType.DATE:
        return "2026-03-14"
    return {QuestionType.EMAIL: "osoba@example.org", QuestionType.PHONE: "+48601000000"}.get(
        kind, "opis"
    )


def card_answers(card: CardDefinition, rng: random.Random) -> dict[str, Any]:
    """One card's answers in card order, asking only what skip logic asks."""
    answers: dict[str, Any] = {}
    python: dict[str, Any] = {}
    for question in card.questions:
        if not condition_holds(card, question, python):
            continue
        if not question.required and not question.system and rng.random() < 0.4:
            continue  # optional block left out by some
        answers[question.id] = value_for(question, card, rng)
        python[question.id] = from_json(question, answers[question.id])
    return answers


def generate(path: Path, n_gminy: int, n_ngos: int, seed: int) -> None:
    """Bulk-insert the registry, two sessions, their assignments and answers."""
    rng = random.Random(seed)
    catalog = CardCatalog.builtin()
    codes = gminy(n_gminy)
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO territory VALUES (?, ?, ?, ?)", territories(codes, catalog))
    orgs = [(i + 1, "izus", teryt) for i, teryt in enumerate(codes)]
    orgs += [(len(codes) + i + 1, "ngo", rng.choice(codes)) for i in range(n_ngos)]
    db.executemany(
        "INSERT INTO organisation (id, external_id, kind, name, org_type, teryt, miejscowosc, "
        "powiat, wojewodztwo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, f"{k.upper()}-{i:06d}", k, f"Organizacja {i}", "ops" if k == "izus" else "fundacja",
          t, f"Miasto {t}", f"powiat {t[:4]}", t[:2]) for i, k, t in orgs],
    )  # fmt: skip
    for session_id, name, state in ((1, "2026-H2", "closed"), (2, "2027-H1", "open")):
        db.execute(
            "INSERT INTO monitoring_session (id, name, opens, deadline, cards, territories, "
            "harmonogram, state, is_baseline) VALUES (?, ?, '2026-11-02', '2026-11-30', "
            "'[\"ngo\", \"izus\"]', '[]', '{}', ?, ?)",
            (session_id, name, state, state == "closed"),
        )
        _assignments(db, catalog, session_id, orgs, rng)
    db.commit()
    # A database in service has its WAL checkpointed; a 300 MB WAL would slow every read.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _assignments(
    db: sqlite3.Connection,
    catalog: CardCatalog,
    session_id: int,
    orgs: list[tuple[int, str, str]],
    rng: random.Random,
) -> None:
    base = (session_id - 1) * len(orgs)
    assignments, answers = [], []
    for n, (org_id, kind, _teryt) in enumerate(orgs):
        assignment_id = base + n + 1
        submitted = rng.random() < (0.95 if kind == "izus" else 0.9)
        stamp = STAMP if submitted else None
        assignments.append((assignment_id, session_id, org_id, kind, "n", f"h{assignment_id}",
                            f"s{assignment_id}", 0, stamp, "email", 0))  # fmt: skip
        if not submitted and rng.random() < 0.5:
            continue  # never started
        for qid, value in card_answers(catalog.get(kind), rng).items():
            answers.append((assignment_id, qid, json.dumps(value), 1, "email", STAMP))
            if qid == "ngo.II.1.1" and rng.random() < 0.02:  # a correction: version 2 wins
                answers.append((assignment_id, qid, json.dumps(value + 3), 2, "email", STAMP))
    db.executemany(
        "INSERT INTO assignment (id, session_id, organisation_id, card, token_nonce, token_hash, "
        "token_short_hash, token_revoked, submitted_at, channel, revision) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        assignments,
    )
    db.executemany(
        "INSERT INTO answer (assignment_id, question_id, value, version, channel, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        answers,
    )


def build(path: Path, tmp: Path) -> App:
    """A wired app on the generated file with a frozen clock."""
    engine = make_engine(f"sqlite:///{path}")
    sessions = uow_factory(engine)
    clock = FakeClock(datetime(2027, 6, 1, 9, tzinfo=UTC))
    settings = Settings(database_url="sqlite://", secret_key_file=tmp / "secret")
    return wire(settings, lambda: SqlUnitOfWork(sessions), clock, b"bench-secret", engine)


def ours(app: App, name: str) -> tuple[float, Any]:
    """Seconds for every indicator at every level through the service, and the results."""
    with app.uow() as uow:
        session = uow.sessions.get_by_name(name)
        assert session is not None
        start = time.perf_counter()
        results = app.indicators.live(uow, session)
        return time.perf_counter() - start, results


def median(times: list[float]) -> float:
    """The middle run (runs on a shared machine vary by ±20 %)."""
    return statistics.median(times)


def compare(results: Any, sql: dict[tuple[str, str, str], float | None]) -> int:
    """How many values differ between ours and the SQL (by more than rounding)."""
    differences = 0
    for level in Level:
        for teryt, territory in results.at(level).items():
            for indicator, value in territory.values.items():
                theirs = sql.get((level.value, teryt, indicator))
                if (value.value is None) != (theirs is None) or (
                    value.value is not None and abs(value.value - (theirs or 0)) > 1e-6
                ):
                    differences += 1
    return differences


def run(n_gminy: int, n_ngos: int, seed: int) -> dict[str, Any]:
    """Generate, snapshot the baseline, then time ours, the SQL and the report."""
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        path = tmp / "bench.db"
        schema = make_engine(f"sqlite:///{path}")
        upgrade(schema)
        schema.dispose()
        start = time.perf_counter()
        generate(path, n_gminy, n_ngos, seed)
        generated = time.perf_counter() - start
        app = build(path, tmp)
        with app.uow() as uow:
            baseline = uow.sessions.get_by_name("2026-H2")
            assert baseline is not None
            start = time.perf_counter()
            app.indicators.store_snapshot(uow, baseline)
            uow.commit()
            snapshot = time.perf_counter() - start
        runs = [ours(app, "2027-H1") for _ in range(RUNS)]
        ours_s, results = median([t for t, _ in runs]), runs[-1][1]
        assert app.engine is not None
        sql_runs = []
        for _ in range(RUNS):
            start = time.perf_counter()
            sql = sql_values(app.engine, 2, app.indicators.definitions)
            sql_runs.append(time.perf_counter() - start)
        sql_s = median(sql_runs)
        start = time.perf_counter()
        app.indicators.load("2027-H1", (Level.GMINA,))
        view_s = time.perf_counter() - start
        start = time.perf_counter()
        app.report.build("2027-H1", tmp / "raport")
        report_s = time.perf_counter() - start
        files = sum(1 for f in (tmp / "raport").rglob("*") if f.is_file())
        answers = sqlite3.connect(path).execute("SELECT count(*) FROM answer").fetchone()[0]
    return {
        "gminy": n_gminy, "ngo_orgs": n_ngos, "answer_rows": answers,
        "generate_s": round(generated, 1), "snapshot_at_close_s": round(snapshot, 2),
        "ours_s": round(ours_s, 3), "ours_runs_s": [round(t, 3) for t, _ in runs],
        "sql_s": round(sql_s, 3), "sql_runs_s": [round(t, 3) for t in sql_runs],
        "cli_view_gmina_s": round(view_s, 2),
        "ratio_ours_to_sql": round(ours_s / sql_s, 2), "differences": compare(results, sql),
        "report_s": round(report_s, 2), "report_files": files,
        "targets_met": ours_s <= 2 and ours_s <= 2 * sql_s and report_s <= 20,
    }  # fmt: skip


def main() -> None:
    """Parse arguments, run once, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gminy", type=int, default=2477)
    parser.add_argument("--ngos", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    print(json.dumps(run(args.gminy, args.ngos, args.seed)))


if __name__ == "__main__":
    main()
