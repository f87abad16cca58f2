"""CLI: `kartomat serve` — everything in one process."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from kartomat.cli.common import with_app
from kartomat.serve import logs
from kartomat.serve.runner import serve as run_service
from kartomat.serve.wiring import build_components


def serve(
    port: Annotated[int, typer.Option("--health-port", help="Port /healthz (127.0.0.1).")] = 8089,
    tick: Annotated[
        float, typer.Option("--tick-seconds", help="Co ile sekund harmonogram.")
    ] = 60.0,
) -> None:
    """Run the bot, mailbox ingestion, scheduler and outbox until SIGTERM/SIGINT."""
    logs.configure()

    def work(app) -> None:  # type: ignore[no-untyped-def]
        asyncio.run(run_service(app, build_components(app, tick_seconds=tick), health_port=port))

    with_app(work)
