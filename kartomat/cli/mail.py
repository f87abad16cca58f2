"""CLI: `kartomat mail parse|poll|send|review|purge`."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

import typer

from domain.cards.catalog import CardCatalog
from domain.errors import OperatorError
from kartomat.bootstrap import App
from kartomat.cli.common import echo_json, parse_date, plural, read_file, with_app
from kartomat.settings import Settings
from mailer.parser import ReplyParser
from mailer.wiring import email_sender, mail_source, our_addresses
from services.mail_ingest import PollReport
from services.outbox import OutboxService

mail_app = typer.Typer(
    help="Poczta e-mail: odpowiedzi respondentów i wysyłka.", no_args_is_help=True
)
STATUS_PL = {
    "applied": "zapisane",
    "pending_review": "czekają na sprawdzenie",
    "needs_review": "do ręcznego przepisania",
    "quarantined": "kwarantanna",
    "ignored": "pominięte (autoodpowiedzi, zwroty, potwierdzenia)",
    "empty": "puste",
    "refused": "odrzucone (sesja zamknięta)",
    "rejected": "odrzucone przez pracownika",
}


@mail_app.command("parse", help="Odczytuje plik .eml tak jak skrzynka (bez zapisu do bazy).")
def parse(
    path: Annotated[str, typer.Argument(help="Plik wiadomości, np. odpowiedz.eml.")],
    card: Annotated[str | None, typer.Option("--card", help="ngo | izus")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Wynik jako JSON.")] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="Dzień odniesienia dat, RRRR-MM-DD.")
    ] = None,
) -> None:
    """Parse one message file and print what the mailbox would read from it."""
    raw = read_file(path)
    catalog = CardCatalog.builtin()
    if card is not None and card not in catalog.kinds:
        typer.echo(f"Błąd: nieznana karta „{card}”. Użyj --card ngo albo --card izus.", err=True)
        raise typer.Exit(1)
    settings = Settings()
    parser = ReplyParser(catalog, our_addresses(settings), settings.mail_from_name)
    day = parse_date(today) if today else date.today()
    result = parser.parse(raw, catalog.get(card) if card else None, day)
    if as_json:
        echo_json(result.to_json())
        return
    _print_parsed(result.to_json(), result.notes + result.needs_review)


def _print_parsed(data: dict[str, Any], notes: list[str]) -> None:
    typer.echo(
        f"Rodzaj: {data['kind']}; karta: {data['card'] or '?'}; token: "
        f"{'jest' if data['token'] else 'brak'}"
    )
    for code, value in data["answers"].items():
        shown = {True: "tak", False: "nie"}.get(value, value) if isinstance(value, bool) else value
        typer.echo(f"  {code:<9} {shown}")
    for item in data["rejected"]:
        typer.echo(f"  {item['code']:<9} odrzucone „{item['raw']}”: {item['reason_pl']}")
    for item in data["conflicts"]:
        typer.echo(f"  {item['code']:<9} sprzeczne wartości: {item['values']}")
    if data["bounced_recipient"]:
        typer.echo(f"Zwrot: {data['bounced_recipient']}")
    for note in notes:
        typer.echo(f"Uwaga: {note}")


REASON_PL = {
    "no_match": "nie pasuje do żadnej karty",
    "unregistered_sender": "nadawca spoza rejestru",
    "too_large": "za duża",
}


def _reason(text: str | None) -> str:
    """`unregistered_sender: x@y` → `nadawca spoza rejestru: x@y`."""
    if not text:
        return ""
    code, _, rest = text.partition(":")
    return REASON_PL.get(code, code) + (f":{rest}" if rest else "")


def _report_text(report: PollReport) -> str:
    parts = [f"{STATUS_PL.get(s, s)}: {n}" for s, n in sorted(report.statuses.items())]
    text = f"Nowych wiadomości: {report.stored}, już znanych: {report.duplicates}."
    if parts:
        text += " Wynik – " + "; ".join(parts) + "."
    if report.uidvalidity_changed:
        text += " Serwer zmienił UIDVALIDITY – skrzynkę przejrzano od nowa."
    if report.purged:
        text += f" Usunięto treść starych wiadomości: {report.purged}."
    return text


@mail_app.command("poll", help="Jedno przejście po skrzynce: zapis, odczyt, odpowiedzi.")
def poll(as_json: Annotated[bool, typer.Option("--json", help="Wynik jako JSON.")] = False) -> None:
    """One pass over the configured mailbox (IMAP or Maildir)."""

    def work(app: App) -> None:
        source = mail_source(app.settings)
        if source is None:
            raise OperatorError(
                "brak skrzynki – ustaw KARTOMAT_IMAP_HOST (z USER i PASSWORD) albo "
                "KARTOMAT_MAIL_SOURCE=maildir:ŚCIEŻKA, np. maildir:/var/mail/kartomat"
            )
        mailbox = source()
        mailbox.connect()
        try:
            report = app.mail.ingest.poll(mailbox)
        finally:
            mailbox.close()
        if as_json:
            echo_json({**asdict(report), "statuses": dict(report.statuses)})
        else:
            typer.echo(_report_text(report))

    with_app(work)


@mail_app.command("send", help="Wysyła zaległe wiadomości e-mail z kolejki (SMTP).")
def send() -> None:
    """One pass over the email outbox."""

    def work(app: App) -> None:
        sender = email_sender(app.settings, app.mail, app.clock)
        if sender is None:
            raise OperatorError(
                "brak serwera SMTP – ustaw KARTOMAT_SMTP_HOST, np. smtp.example.org"
            )
        sent = asyncio.run(OutboxService(app.uow, app.clock).drain(sender, limit=500))
        typer.echo(f"Wysłano: {plural(sent, 'wiadomość', 'wiadomości', 'wiadomości')}.")

    with_app(work)


@mail_app.command(
    "review", help="Wiadomości do sprawdzenia; --apply ID zapisuje, --reject ID odrzuca."
)
def review(
    apply: Annotated[
        int | None, typer.Option("--apply", help="Numer wiadomości do zapisania.")
    ] = None,
    reject: Annotated[
        int | None, typer.Option("--reject", help="Numer wiadomości do odrzucenia.")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organizacja, np. IZUS-LUB.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Wynik jako JSON.")] = False,
) -> None:
    """List the messages waiting for staff, or apply/reject one."""

    def work(app: App) -> None:
        if apply is not None:
            status = app.mail.review.apply(apply, org)
            typer.echo(f"Wiadomość nr {apply}: {STATUS_PL.get(status, status)}.")
        elif reject is not None:
            app.mail.review.reject(reject)
            typer.echo(f"Wiadomość nr {reject} odrzucona; nic nie zapisano.")
        else:
            _list(app, as_json)

    with_app(work)


def _list(app: App, as_json: bool) -> None:
    items = app.mail.review.pending()
    if as_json:
        echo_json([asdict(i) for i in items])
        return
    if not items:
        typer.echo("Brak wiadomości do sprawdzenia.")
        return
    for i in items:
        where = f"{i.organisation} ({i.card})" if i.organisation else "bez dopasowania"
        typer.echo(
            f"{i.id:>5}  {i.received_at:%Y-%m-%d %H:%M}  {STATUS_PL.get(i.status, i.status):<24}"
            f"  {i.sender or '?'}  {where}  „{i.subject[:60]}”  {_reason(i.reason)}"
        )


@mail_app.command("purge", help="Usuwa treść wiadomości starszych niż okres przechowywania.")
def purge() -> None:
    """Apply the retention period (KARTOMAT_MAIL_RETENTION_DAYS) now."""

    def work(app: App) -> None:
        count = app.mail.ingest.purge()
        days = app.settings.mail_retention_days
        typer.echo(f"Usunięto treść wiadomości starszych niż {days} dni: {count}.")

    with_app(work)
