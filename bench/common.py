"""Shared bench plumbing: a throw-away database on the backend being measured."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from storage.engine import make_engine

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def throwaway_engine(backend: str, tmp: Path) -> Iterator[Engine]:
    """A fresh SQLite file in `tmp`, or a new PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"kartomat_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
