"""CLI: the indicators of a session and the Raport MP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from domain.indicators import Level
from kartomat.bootstrap import App
from kartomat.cli.common import echo_json, stdout_is_tty, with_app
from services.indicators import SessionIndicators, territories_json
from services.report import Progress
from services.report_html import coverage_text, shown, shown_change

LEVEL_HELP = "gmina | powiat | wojewodztwo | kraj"


def _level(text: str) -> Level:
    try:
        return Level(text.strip().lower())
    except ValueError:
        typer.echo(
            f"Błąd: poziom „{text}” jest nieznany. Użyj: {LEVEL_HELP}, np. --level powiat.",
            err=True,
        )
        raise typer.Exit(1) from None


def indicators(
    name: Annotated[str, typer.Argument(help="Nazwa sesji, np. 2026-H2.")],
    level: Annotated[str, typer.Option("--level", help=LEVEL_HELP)] = "gmina",
    territory: Annotated[
        str, typer.Option("--territory", help="Prefiks TERYT, np. 06 albo 0663.")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Wynik jako JSON.")] = False,
    snapshot: Annotated[
        bool,
        typer.Option("--snapshot", help="Zapisz wartości zamkniętej sesji wg bieżących definicji."),
    ] = False,
) -> None:
    """Wskaźniki sesji na wybranym poziomie, z wartością bazową i zmianą."""
    chosen = _level(level)

    def work(app: App) -> None:
        if snapshot:
            stored = app.indicators.snapshot(name)
            version = app.indicators.definitions.version
            note = "zapisano" if stored else "już były zapisane"
            typer.echo(f"Wskaźniki sesji {name} wg definicji {version}: {note}.", err=True)
        data = app.indicators.load(name, (chosen,), territory)
        rows = territories_json(data, chosen, territory)
        if as_json:
            baseline = data.baseline_session.name if data.baseline_session else None
            echo_json({"session": name, "level": chosen.value, "baseline_session": baseline,
                       "territories": rows})  # fmt: skip
            return
        _print(data, chosen, rows)

    with_app(work)


def _print(data: SessionIndicators, level: Level, rows: list[dict[str, object]]) -> None:
    if not rows:
        typer.echo("Brak obszarów o tym prefiksie TERYT na tym poziomie.")
    for row in rows:
        teryt = str(row["teryt"])
        territory = data.current.at(level)[teryt]
        typer.echo(f"{teryt} {row['name']} — {coverage_text(territory.coverage)}")
        for indicator in data.definitions.indicators:
            value = territory.values[indicator.id]
            baseline = data.baseline_value(level, teryt, indicator.id)
            if value.reason:
                typer.echo(f"  {indicator.id:<6} n/d – {value.reason}")
                continue
            change = None if baseline is None or baseline.value is None else (
                value.value or 0) - baseline.value  # fmt: skip
            typer.echo(
                f"  {indicator.id:<6} {shown(indicator.kind, value.value):>12}"
                f"   bazowo {shown(indicator.kind, baseline.value if baseline else None):>10}"
                f"   zmiana {shown_change(indicator.kind, change):>10}"
            )


def report(
    name: Annotated[str, typer.Argument(help="Nazwa sesji, np. 2026-H2.")],
    out: Annotated[
        str, typer.Option("--out", help="Katalog raportu (utworzony w razie potrzeby).")
    ],
    send: Annotated[
        bool, typer.Option("--send", help="Wyślij raport odbiorcom sesji (report_recipients).")
    ] = False,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Dodatkowy odbiorca (z --send).")
    ] = None,
) -> None:
    """Raport MP: strony HTML z wykresami, arkusz XLSX i plik CSV; z --send – wysyłka."""
    directory = Path(out)

    def work(app: App) -> None:
        with _progress() as tick:
            build = app.report.build(name, directory, tick)
        pages = sum(1 for f in build.files if f.endswith(".html"))
        typer.echo(
            f"Zapisano Raport MP sesji {name} w {directory}: stron HTML {pages}, arkusz XLSX "
            f"i plik CSV. Początek: {directory / 'index.html'}"
        )
        if send:
            recipients = app.report.send(build, to or [])
            typer.echo(f"Raport w kolejce do wysłania: {', '.join(recipients)}.")

    with_app(work)


@contextmanager
def _progress() -> Iterator[Progress | None]:
    """A progress bar on the terminal (none when the output goes to a file or a pipe)."""
    if not stdout_is_tty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Raport MP", total=None)

        def tick(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        yield tick
