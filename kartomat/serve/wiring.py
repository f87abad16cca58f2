"""Which components `serve` runs, built from the settings: what is not configured is disabled."""

from __future__ import annotations

import asyncio

from kartomat.bootstrap import App
from kartomat.serve.component import Component, Disabled, Health
from kartomat.serve.outbox_loop import OutboxLoop
from mailer.wiring import email_sender, mailbox_component
from scheduler.engine import build_scheduler, tick_job
from services.outbox import OutboxService


class SchedulerComponent:
    """The APScheduler tick as a component (the tick itself enqueues into the outbox)."""

    name = "scheduler"

    def __init__(self, app: App, interval_seconds: float) -> None:
        self.scheduler = build_scheduler(app, interval_seconds)
        self.job = tick_job(self.scheduler)

    async def run(self, stop: asyncio.Event) -> None:
        """Start the scheduler, wait for stop, shut it down without waiting for a tick."""
        self.scheduler.start()
        try:
            await stop.wait()
        finally:
            self.scheduler.shutdown(wait=False)

    def health(self) -> Health:
        """The last tick's outcome."""
        state = self.job.health()
        return Health(state.pop("status"), state)


def telegram_component(app: App) -> Component:
    """The bot (updates + Telegram outbox), or disabled without a token."""
    if app.settings.telegram_token is None:
        return Disabled("telegram", "brak KARTOMAT_TELEGRAM_TOKEN")
    from bot.application import build_application  # PTB is imported only when used
    from bot.component import TelegramBot

    return TelegramBot(app, build_application(app))


def email_outbox_component(app: App) -> Component:
    """The email outbox drain, or disabled without an SMTP server."""
    sender = email_sender(app.settings, app.mail, app.clock)
    if sender is None:
        return Disabled("outbox-email", "brak KARTOMAT_SMTP_HOST")
    return OutboxLoop(OutboxService(app.uow, app.clock), sender)


def build_components(app: App, *, tick_seconds: float = 60.0) -> list[Component]:
    """Every component, each either running or reported disabled with the reason."""
    return [
        telegram_component(app),
        email_outbox_component(app),
        mailbox_component(app.settings, app.mail),
        SchedulerComponent(app, tick_seconds),
    ]
