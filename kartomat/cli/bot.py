"""`kartomat bot`: the Telegram bot alone (updates and the Telegram outbox)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from kartomat.bootstrap import bootstrap
from kartomat.serve import logs
from kartomat.serve.runner import serve


def bot(
    health_port: Annotated[
        int, typer.Option("--health-port", help="Port of GET /healthz on 127.0.0.1.")
    ] = 8090,
) -> None:
    """Run the Telegram bot: long polling, or a webhook (KARTOMAT_TELEGRAM_WEBHOOK_URL)."""
    from bot.application import build_application  # PTB is imported only when used
    from bot.component import TelegramBot

    logs.configure()
    app = bootstrap()
    if app.settings.telegram_token is None:
        typer.echo("Brak KARTOMAT_TELEGRAM_TOKEN – bot Telegram jest wyłączony.", err=True)
        raise typer.Exit(2)
    component = TelegramBot(app, build_application(app))
    asyncio.run(serve(app, [component], health_port=health_port))
