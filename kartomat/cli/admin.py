"""CLI: database, registry and staff commands."""

from __future__ import annotations

from typing import Annotated

import typer

from kartomat.bootstrap import App
from kartomat.cli.common import echo_json, errors_reported, plural, read_file, with_app
from kartomat.settings import Settings
from storage.engine import make_engine
from storage.migrate import current_revision, head_revision, upgrade

db_app = typer.Typer(help="Baza danych: migracje schematu.", no_args_is_help=True)
registry_app = typer.Typer(help="Rejestr organizacji i osób kontaktowych.", no_args_is_help=True)
staff_app = typer.Typer(help="Pracownicy Centrum Monitoringu.", no_args_is_help=True)


@db_app.command("upgrade", help="Aktualizuje schemat bazy danych do najnowszej wersji.")
def db_upgrade() -> None:
    """Upgrade the database schema to the newest revision."""
    with errors_reported():
        engine = make_engine(Settings().database_url)
        before = current_revision(engine)
        upgrade(engine)
        typer.echo(f"Schemat bazy: {before or '(pusta)'} → {current_revision(engine)}")
        engine.dispose()


@db_app.command("status", help="Pokazuje wersję schematu bazy i programu.")
def db_status() -> None:
    """Show the schema revision of the database and of this version of kartomat."""
    engine = make_engine(Settings().database_url)
    typer.echo(f"Baza: {current_revision(engine) or '(pusta)'}; kartomat: {head_revision()}")
    engine.dispose()


@registry_app.command(
    "import", help="Importuje rejestr organizacji z CSV (wszystko albo nic; upsert po external_id)."
)
def registry_import(
    file: Annotated[str, typer.Argument(help="CSV (UTF-8 or Windows-1250).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only, write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import organisations and contacts (upsert by external_id, all or nothing)."""
    data = read_file(file)

    def work(app: App) -> None:
        report = app.registry.import_csv(data, dry_run=dry_run)
        if as_json:
            echo_json(
                {
                    "ok": report.ok,
                    "dry_run": dry_run,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "errors": [e.__dict__ if hasattr(e, "__dict__") else e for e in report.errors],
                }
            )
        elif report.errors:
            typer.echo(
                f"Nie zaimportowano niczego – plik zawiera "
                f"{plural(len(report.errors), 'błąd', 'błędy', 'błędów')}:"
            )
            for error in report.errors:
                typer.echo(f"  wiersz {error.line}: {error.message}")
        else:
            prefix = "Sprawdzono (bez zapisu)" if dry_run else "Zaimportowano"
            typer.echo(
                f"{prefix}: nowe {report.created}, zmienione {report.updated}, "
                f"bez zmian {report.unchanged}."
            )
        if report.errors:
            raise typer.Exit(1)

    with_app(work)


@staff_app.command("add", help="Dodaje (lub aktualizuje) pracownika Centrum i jego obszary TERYT.")
def staff_add(
    name: Annotated[str, typer.Option("--name")],
    email: Annotated[str, typer.Option("--email")],
    territory: Annotated[list[str], typer.Option("--territory", help="TERYT prefix, repeatable.")],
    telegram_id: Annotated[int | None, typer.Option("--telegram-id")] = None,
) -> None:
    """Register a Centrum staff member and the territories they answer for."""

    def work(app: App) -> None:
        staff = app.registry.add_staff(name, email, territory, telegram_id)
        typer.echo(
            f"Zapisano: {staff.name} <{staff.email}>, obszary: {', '.join(staff.territories)}"
        )

    with_app(work)


@staff_app.command("list", help="Lista pracowników Centrum.")
def staff_list() -> None:
    """List staff members."""

    def work(app: App) -> None:
        with app.uow() as uow:
            for s in uow.staff.all():
                tg = f", Telegram {s.telegram_id}" if s.telegram_id else ""
                typer.echo(f"{s.name} <{s.email}>{tg}: {', '.join(s.territories)}")

    with_app(work)
