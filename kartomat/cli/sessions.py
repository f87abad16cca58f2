"""CLI: sessions, status, invitations, paper answers and export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from kartomat.bootstrap import App
from kartomat.cli.common import echo_json, parse_date, plural, read_file, with_app
from services.export import COLUMNS as EXPORT_COLUMNS
from services.export import ExportRow

session_app = typer.Typer(help="Sesje monitorujące.", no_args_is_help=True)
answers_app = typer.Typer(help="Odpowiedzi z kart papierowych.", no_args_is_help=True)


def _harmonogram(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(read_file(path).decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        typer.echo(f"Błąd: harmonogram {path} nie jest poprawnym plikiem YAML: {error}", err=True)
        raise typer.Exit(1) from None
    if not isinstance(data, dict):
        typer.echo(f"Błąd: harmonogram {path} powinien być słownikiem YAML.", err=True)
        raise typer.Exit(1)
    return data


@session_app.command("create", help="Tworzy sesję monitorującą (szkic).")
def session_create(
    name: str,
    opens: Annotated[str, typer.Option("--opens", help="YYYY-MM-DD")],
    deadline: Annotated[str, typer.Option("--deadline", help="YYYY-MM-DD (inclusive)")],
    cards: Annotated[str, typer.Option("--cards", help="ngo,izus")] = "ngo,izus",
    territory: Annotated[list[str] | None, typer.Option("--territory")] = None,
    harmonogram: Annotated[str | None, typer.Option("--harmonogram")] = None,
) -> None:
    """Create a draft session."""
    opens_d, deadline_d = parse_date(opens), parse_date(deadline)
    plan = _harmonogram(harmonogram)

    def work(app: App) -> None:
        card_list = [c.strip() for c in cards.split(",") if c.strip()]
        s = app.sessions.create(name, opens_d, deadline_d, card_list, territory or [], plan)
        where = ", ".join(s.territories) or "cały kraj"
        typer.echo(
            f"Utworzono sesję {s.name}: {s.opens:%d.%m.%Y}–{s.deadline:%d.%m.%Y}, "
            f"karty {', '.join(s.cards)}, obszar: {where}."
        )

    with_app(work)


@session_app.command("open", help="Otwiera sesję: przydziela karty i kolejkuje zaproszenia.")
def session_open(name: str) -> None:
    """Open the session: assignments created, invitations queued."""

    def work(app: App) -> None:
        created = app.sessions.open(name)
        typer.echo(
            f"Sesja {name} otwarta: nowych przydziałów kart {created}; zaproszenia w kolejce."
        )

    with_app(work)


@session_app.command("close", help="Zamyka sesję (pierwsza zamknięta staje się bazowa).")
def session_close(name: str) -> None:
    """Close the session (the first one closed becomes the baseline)."""

    def work(app: App) -> None:
        s = app.sessions.close(name)
        note = " Jest to sesja bazowa – jej dane są odtąd zamrożone." if s.is_baseline else ""
        typer.echo(f"Sesja {name} zamknięta.{note}")

    with_app(work)


@session_app.command("extend", help="Przedłuża termin jednej organizacji.")
def session_extend(
    name: str,
    org: Annotated[str, typer.Option("--org", help="external_id")],
    until: Annotated[str, typer.Option("--until", help="YYYY-MM-DD")],
) -> None:
    """Extend one organisation's deadline."""
    until_d = parse_date(until)

    def work(app: App) -> None:
        changed = app.sessions.extend(name, org, until_d)
        typer.echo(f"Przedłużono termin do {until_d:%d.%m.%Y} dla {org} (kart: {len(changed)}).")

    with_app(work)


@session_app.command("revoke", help="Unieważnia linki zaproszeń organizacji i wydaje nowe.")
def session_revoke(name: str, org: Annotated[str, typer.Option("--org")]) -> None:
    """Revoke one organisation's invitation tokens (new ones replace them)."""

    def work(app: App) -> None:
        count = app.sessions.revoke(name, org)
        typer.echo(f"Unieważniono tokeny {org} ({count}); nowe linki: kartomat invites {name}.")

    with_app(work)


def status(name: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Progress of every assignment in the session."""

    def work(app: App) -> None:
        rows = app.sessions.status(name)
        if as_json:
            echo_json({"session": name, "assignments": [_status_json(r) for r in rows]})
            return
        for r in rows:
            typer.echo(
                f"{r.external_id:<12} {r.card:<5} {r.status.value:<12} "
                f"{r.answered:>3}/{r.required:<3} termin {r.deadline:%d.%m.%Y}  {r.organisation}"
            )

    with_app(work)


def _status_json(r: Any) -> dict[str, Any]:
    return {
        "external_id": r.external_id,
        "card": r.card,
        "status": r.status.value,
        "answered": r.answered,
        "required": r.required,
        "deadline": r.deadline.isoformat(),
        "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
    }


def invites(name: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Invitation tokens and Telegram deep links (handle with care: they grant access)."""

    def work(app: App) -> None:
        items = [i.__dict__ for i in app.sessions.invites(name)]
        if as_json:
            echo_json(items)
            return
        for i in items:
            typer.echo(
                f"{i['external_id']:<12} {i['card']:<5} {i['email'] or '-':<30} "
                f"{i['telegram_link']}"
            )

    with_app(work)


@answers_app.command("import", help="Wczytuje odpowiedzi z kart papierowych (CSV).")
def answers_import(
    name: str,
    file: str,
    submit: Annotated[bool, typer.Option("--submit", help="Submit every card completed.")] = False,
) -> None:
    """Import answers of paper cards (external_id,card,code,value), all or nothing."""
    data = read_file(file)

    def work(app: App) -> None:
        report = app.paper.import_csv(name, data, submit=submit)
        if report.errors:
            typer.echo(
                f"Nie zaimportowano niczego – plik zawiera "
                f"{plural(len(report.errors), 'błąd', 'błędy', 'błędów')}:"
            )
            for e in report.errors:
                typer.echo(f"  wiersz {e.line}: {e.message}")
            raise typer.Exit(1)
        typer.echo(f"Zapisano odpowiedzi: {report.answers} (kart: {report.cards}).")
        for receipt in report.submitted:
            typer.echo(f"  wysłano kartę {receipt.submission_no}")
        for external_id, reason in report.not_submitted.items():
            typer.echo(f"  nie wysłano {external_id}: {reason}")

    with_app(work)


def export(
    name: str,
    fmt: Annotated[str, typer.Option("--format", help="csv | xlsx | json")] = "csv",
    history: Annotated[bool, typer.Option("--history", help="Every version.")] = False,
    out: Annotated[str | None, typer.Option("--out", help="File (default: stdout).")] = None,
) -> None:
    """Export answers in long format."""
    if fmt not in ("csv", "xlsx", "json"):
        typer.echo("Błąd: --format przyjmuje csv, xlsx albo json, np. --format csv.", err=True)
        raise typer.Exit(1)
    if fmt == "xlsx" and out is None:
        typer.echo("Błąd: XLSX wymaga pliku wyjściowego, np. --out odpowiedzi.xlsx.", err=True)
        raise typer.Exit(1)

    def work(app: App) -> None:
        rows = app.export.rows(name, history=history)
        data = _render(rows, fmt)
        if out is None:
            typer.echo(data.decode("utf-8"), nl=False)
        else:
            Path(out).write_bytes(data)
            typer.echo(f"Zapisano {len(rows)} wierszy do {out}.", err=True)

    with_app(work)


def _render(rows: list[ExportRow], fmt: str) -> bytes:
    if fmt == "json":
        return (
            json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2) + "\n"
        ).encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for r in rows:
            writer.writerow([_cell(v) for v in r.as_dict().values()])
        return buffer.getvalue().encode("utf-8")
    return _xlsx(rows)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _xlsx(rows: list[ExportRow]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "odpowiedzi"
    sheet.append(list(EXPORT_COLUMNS))
    for r in rows:
        sheet.append([_cell(v) for v in r.as_dict().values()])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
