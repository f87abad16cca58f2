"""The `kartomat` command."""

from __future__ import annotations

import typer

from kartomat.cli import admin, indicators, sessions
from kartomat.cli.bot import bot as bot_command
from kartomat.cli.cards import app as cards_app
from kartomat.cli.mail import mail_app
from kartomat.cli.schedule import schedule_app

app = typer.Typer(
    name="kartomat",
    help="kartomat – zbieranie kart monitoringu Mechanizmu MP (Karta NGO, Karta IZUS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(cards_app, name="cards")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.registry_app, name="registry")
app.add_typer(admin.staff_app, name="staff")
app.add_typer(sessions.session_app, name="session")
app.add_typer(sessions.answers_app, name="answers")
app.add_typer(schedule_app, name="schedule")
app.add_typer(mail_app, name="mail")
app.command("status", help="Postęp wypełniania kart w sesji.")(sessions.status)
app.command("invites", help="Linki zaproszeń i tokeny (poufne: dają dostęp do karty).")(
    sessions.invites
)
app.command("export", help="Eksport odpowiedzi (CSV, XLSX, JSON) w formacie długim.")(
    sessions.export
)

app.command("indicators", help="Wskaźniki sesji: gmina, powiat, województwo, kraj.")(
    indicators.indicators
)
app.command("report", help="Raport MP (HTML, XLSX, CSV), z --send wysyłka odbiorcom.")(
    indicators.report
)

app.command("bot", help="Bot Telegram: long polling albo webhook (KARTOMAT_TELEGRAM_WEBHOOK_URL).")(
    bot_command
)


from kartomat.cli.serve import serve as serve_command  # noqa: E402

app.command("serve", help="Uruchamia całość: bota, skrzynkę pocztową, harmonogram i wysyłkę.")(
    serve_command
)


def run() -> None:
    """Console-script entry point."""
    app()
