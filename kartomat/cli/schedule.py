"""CLI: the harmonogram's plan (`schedule preview`) and one scheduler pass (`schedule tick`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from kartomat.bootstrap import App
from kartomat.cli.common import echo_json, with_app

schedule_app = typer.Typer(
    help="Harmonogram: przypomnienia, ponaglenia i alerty dla pracowników.", no_args_is_help=True
)

# A time given without an offset is wall-clock time in Poland, like the harmonogram's.
LOCAL = ZoneInfo("Europe/Warsaw")
_KINDS_PL = {
    "invitation": "zaproszenia",
    "reminder": "przypomnienia",
    "overdue": "ponaglenia po terminie",
    "staff_alert": "alerty dla pracowników",
    "digest": "zestawienia dzienne",
}

AtOption = Annotated[
    str | None,
    typer.Option("--at", help="Moment w ISO 8601, np. 2026-11-23T08:00+01:00 (domyślnie: teraz)."),
]


def parse_moment(text: str | None) -> datetime | None:
    """An --at option as an aware datetime (no offset: Polish local time)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        typer.echo(
            f"Błąd: „{text}” nie jest datą i godziną w formacie ISO, np. 2026-11-23T08:00+01:00.",
            err=True,
        )
        raise typer.Exit(1) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL)


@schedule_app.command("preview")
def preview(
    name: str,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Wynik jako JSON.")] = False,
) -> None:
    """What the scheduler plans to send for the session from the given moment on."""
    moment = parse_moment(at)

    def work(app: App) -> None:
        items = app.schedule.preview(name, moment)
        if as_json:
            echo_json([i.as_json() for i in items])
            return
        if not items:
            typer.echo("Nic nie jest zaplanowane.")
        for i in items:
            who = f"{i.external_id} ({i.card})" if i.external_id else "pracownik"
            where = f"{i.channel}: {i.recipient}" if i.channel else "brak działającego kanału"
            typer.echo(
                f"{i.due_at.astimezone(LOCAL):%Y-%m-%d %H:%M}  {i.kind:<12} {who:<24} {where}"
            )

    with_app(work)


@schedule_app.command("tick")
def tick(at: AtOption = None) -> None:
    """Run one scheduler pass: queue whatever is due now (for cron and tests)."""
    moment = parse_moment(at)

    def work(app: App) -> None:
        result = app.schedule.tick(moment)
        if result.total:
            counts = ", ".join(f"{_KINDS_PL.get(k, k)} {n}" for k, n in result.enqueued.items())
            typer.echo(f"Dodano do kolejki: {counts} (razem {result.total}).")
        else:
            typer.echo("Nic nowego do wysłania.")
        if result.deferred:
            typer.echo(f"Odłożono (karta właśnie wypełniana): {result.deferred}.")
        if result.unreachable:
            typer.echo(f"Bez działającego kanału kontaktu: {result.unreachable}.")
        if result.remaining:
            typer.echo(f"Na kolejny przebieg (limit jednego przebiegu): {result.remaining}.")

    with_app(work)
