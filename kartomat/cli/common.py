"""Shared CLI plumbing: building the app once per command and reporting errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import typer

from domain.errors import OperatorError, UserError
from kartomat.bootstrap import App, bootstrap

T = TypeVar("T")


@contextmanager
def errors_reported() -> Iterator[None]:
    """The one place CLI errors are turned into a message and an exit code."""
    try:
        yield
    except UserError as error:
        typer.echo(f"Błąd: {error.message_pl}", err=True)
        raise typer.Exit(1) from None
    except OperatorError as error:
        typer.echo(f"Błąd konfiguracji: {error}", err=True)
        raise typer.Exit(2) from None


def with_app(work: Callable[[App], T]) -> T:
    """Bootstrap the application (migrating the schema) and run `work` with it."""
    with errors_reported():
        app = bootstrap()
        try:
            return work(app)
        finally:
            if app.engine is not None:
                app.engine.dispose()


def echo_json(data: Any) -> None:
    """Print JSON the way scripts expect it: UTF-8, no ASCII escaping, stable order."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def parse_date(text: str) -> date:
    """A date option in ISO form, with a Polish message when it is not."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        typer.echo(f"Błąd: „{text}” nie jest datą w formacie RRRR-MM-DD, np. 2026-12-15.", err=True)
        raise typer.Exit(1) from None


def read_file(path: str) -> bytes:
    """Read an input file, with a Polish message when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        typer.echo(f"Błąd: nie można odczytać pliku {path}: {error.strerror}.", err=True)
        raise typer.Exit(1) from None


def stdout_is_tty() -> bool:
    """Whether a person is watching (progress output only then)."""
    return sys.stdout.isatty()


def plural(n: int, one: str, few: str, many: str) -> str:
    """Polish plural: 1 błąd, 2 błędy, 5 błędów, 22 błędy, 12 błędów."""
    if n == 1:
        return f"{n} {one}"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} {few}"
    return f"{n} {many}"
