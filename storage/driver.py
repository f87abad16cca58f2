"""Statements of the answering hot path, run on the driver's own cursor.

Going through SQLAlchemy's execution machinery costs 50–100 µs a statement on this
hardware, more than SQLite takes to run one of these statements. A `DriverStatement`
is a Core construct compiled once per dialect; the values pass through the column
types' own bind and result processors (the dialect's implementation of each type), so
what is stored and read back is exactly what SQLAlchemy would store and read back.
It runs in the unit of work's transaction (`SqlUnitOfWork.connection()`, or a
session's), so the commit, the rollback and the engine's BEGIN IMMEDIATE on SQLite are
unchanged, and driver errors are raised as SQLAlchemy's (IntegrityError…) like theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

Processor = Callable[[Any], Any] | None


class Transactional(Protocol):
    """Where a statement runs: a unit of work or an ORM session (its connection)."""

    def connection(self) -> Connection: ...


@dataclass(frozen=True)
class Compiled:
    sql: str
    positional: bool
    pick: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # positional: values in bind order
    positions: tuple[tuple[int, Callable[[Any], Any]], ...]  # positional: with a processor
    bind_names: tuple[str, ...]
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # names with a bind processor
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # result column, processor
    by_column: Mapping[int, Callable[[Any], Any]]  # the same, by result column

    def value(self, row: Sequence[Any], i: int) -> Any:
        """Column `i` of a driver row, through its result processor."""
        process = self.by_column.get(i)
        return row[i] if process is None else process(row[i])

    def process(self, row: Sequence[Any], start: int = 0, end: int | None = None) -> list[Any]:
        """Columns `start:end` of a driver row, through their result processors."""
        end = len(row) if end is None else end
        values = list(row[start:end])
        for i, process in self.processors:
            if start <= i < end:
                values[i - start] = process(values[i - start])
        return values


_PYFORMAT = re.compile(r"(?<!%)%\(([A-Za-z_][A-Za-z0-9_]*)\)s")


def _picker(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values of these names from a mapping, as a tuple (at C speed)."""
    if len(names) == 1:
        return lambda values: (values[names[0]],)
    return itemgetter(*names) if names else (lambda values: ())


_CURSOR = "kartomat.driver_cursor"


def _cursor(connection: Connection) -> Any:
    """The driver cursor kept with this driver connection for these statements: creating
    one per statement costs psycopg more than a simple statement's round trip. The pool
    hands a connection to one thread at a time; every statement here runs to completion
    (rows fetched) before the next, so one cursor serves them all."""
    pooled = connection.connection
    driver = pooled.driver_connection
    kept = pooled.info.get(_CURSOR)
    if kept is None or kept[0] is not driver:  # a new or reconnected driver connection
        kept = pooled.info[_CURSOR] = (driver, driver.cursor())  # type: ignore[union-attr]
    return kept[1]


class DriverStatement:
    """A Core statement compiled once per dialect, executed on the DBAPI cursor."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._by_dialect: dict[str, Compiled] = {}

    def _compiled(self, dialect: Dialect) -> Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = self._compile(dialect)
        return found

    def _compile(self, dialect: Dialect) -> Compiled:
        compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect))
        params: dict[BindParameter[Any], str] = compiled.bind_names
        binds = tuple(
            (name, bind.type.dialect_impl(dialect).bind_processor(dialect))
            for bind, name in params.items()
        )
        columns = getattr(self.statement, "selected_columns", None)
        if columns is None:  # INSERT/UPDATE … RETURNING
            returning = getattr(self.statement, "_returning", ())
            columns = list(returning)
        results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        sql, names = str(compiled), tuple(compiled.positiontup or ())
        if dialect.paramstyle == "pyformat":
            # %(name)s → %s, values by position: psycopg then need not reorder a dict
            # into positions at every execution.
            names = tuple(_PYFORMAT.findall(sql))
            sql = _PYFORMAT.sub("%s", sql)
        by_name = dict(binds)
        return Compiled(
            sql=sql,
            positional=bool(names) or bool(compiled.positional),
            pick=_picker(names),
            positions=tuple((i, p) for i, n in enumerate(names) if (p := by_name.get(n))),
            bind_names=tuple(by_name),
            binds=tuple((n, p) for n, p in binds if p is not None),
            processors=tuple((i, p) for i, p in enumerate(results) if p is not None),
            by_column={i: p for i, p in enumerate(results) if p is not None},
        )

    def _params(self, compiled: Compiled, values: Mapping[str, Any]) -> Any:
        """The driver's parameters: by position (SQLite) or by name (psycopg)."""
        if compiled.positional:
            if not compiled.positions:
                return compiled.pick(values)
            ordered = list(compiled.pick(values))
            for i, process in compiled.positions:
                ordered[i] = process(ordered[i])
            return ordered
        named = {name: values[name] for name in compiled.bind_names}
        for name, process in compiled.binds:
            named[name] = process(named[name])
        return named

    def _run(
        self, where: Transactional, values: Any, *, many: bool = False, fetch: bool = False
    ) -> tuple[Any, Compiled]:
        """Execute (once per set of values with `many`); the rows with `fetch`, else the
        row count; and the compiled form."""
        connection = where.connection()
        dialect = connection.dialect
        compiled = self._compiled(dialect)
        cursor = _cursor(connection)
        try:
            if many:
                params = [self._params(compiled, v) for v in values]
                if len(params) == 1:
                    cursor.execute(compiled.sql, params[0])
                else:
                    cursor.executemany(compiled.sql, params)
                return None, compiled
            cursor.execute(compiled.sql, self._params(compiled, values))
            # Not cursor.description: psycopg builds a Column object per column for it.
            return (cursor.fetchall() if fetch else cursor.rowcount), compiled
        except dialect.loaded_dbapi.Error as exc:
            lost = dialect.is_disconnect(exc, connection.connection.dbapi_connection, cursor)
            if lost:  # as SQLAlchemy does: the pool must not hand this connection out again
                connection.invalidate(exc)
            raise DBAPIError.instance(
                compiled.sql,
                values,
                exc,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
                ismulti=many,
            ) from exc

    def rows(self, where: Transactional, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Execute a statement returning rows with one set of values; the rows, through
        the result processors."""
        raw, compiled = self.raw_rows(where, values)
        if not compiled.processors:
            return [tuple(r) for r in raw]
        return [tuple(compiled.process(r)) for r in raw]

    def raw_rows(
        self, where: Transactional, values: Mapping[str, Any]
    ) -> tuple[list[Sequence[Any]], Compiled]:
        """The rows as the driver gives them, and what turns them into `rows()`'s."""
        rows, compiled = self._run(where, values, fetch=True)
        return rows, compiled

    def execute(self, where: Transactional, values: Mapping[str, Any]) -> int:
        """Execute a statement without result rows; the driver's row count."""
        return int(self._run(where, values)[0])

    def execute_many(self, where: Transactional, values: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per set of values (one executemany on the driver)."""
        if values:
            self._run(where, values, many=True)
