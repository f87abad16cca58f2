"""The bot as a long-lived component: updates (polling or webhook) plus the outbox drain."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from telegram.error import TelegramError
from telegram.ext import Application

from bot.application import set_commands
from bot.drain import TelegramDrain
from bot.sender import TelegramSender
from kartomat.bootstrap import App
from kartomat.serve.component import Health
from services.outbox import OutboxService

Bot = Application[Any, Any, Any, Any, Any, Any]
UPDATES = ["message", "edited_message", "callback_query"]


class TelegramBot:
    """Long polling by default; a webhook when KARTOMAT_TELEGRAM_WEBHOOK_URL is set.

    In webhook mode several processes behind a load balancer share one PostgreSQL
    database: per-assignment row locks, button revisions and outbox leases keep them
    from stepping on each other.
    """

    name = "telegram"

    def __init__(self, app: App, application: Bot, *, poll_timeout: float = 30.0) -> None:
        self.app = app
        self.application = application
        self.poll_timeout = poll_timeout
        sender = TelegramSender(application.bot, app.chat.language)
        self.outbox = TelegramDrain(OutboxService(app.uow, app.clock), sender)
        self.running = False

    @property
    def mode(self) -> str:
        """ "webhook" or "polling"."""
        return "webhook" if self.app.settings.telegram_webhook_url else "polling"

    async def run(self, stop: asyncio.Event) -> None:
        """Receive updates and drain the Telegram outbox until `stop` is set."""
        async with self.application:
            await self.application.start()
            with contextlib.suppress(TelegramError):  # a cosmetic menu must not stop the bot
                await set_commands(self.application)
            await self._receive()
            self.running = True
            try:
                await self.outbox.run(stop)
            finally:
                self.running = False
                assert self.application.updater is not None
                await self.application.updater.stop()
                await self.application.stop()

    async def _receive(self) -> None:
        updater, settings = self.application.updater, self.app.settings
        assert updater is not None
        url = settings.telegram_webhook_url
        if not url:
            await updater.start_polling(
                timeout=timedelta(seconds=self.poll_timeout), allowed_updates=UPDATES
            )
            return
        secret = settings.telegram_webhook_secret
        await updater.start_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=urlparse(url).path.lstrip("/"),
            webhook_url=url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=UPDATES,
        )

    def health(self) -> Health:
        """ok while receiving updates; the outbox drain's own state beside it."""
        drain = self.outbox.health()
        status = "ok" if self.running and drain.status == "ok" else "degraded"
        return Health(
            status,
            {
                "mode": self.mode,
                "sent": self.outbox.sent,
                "last_error": self.outbox.last_error,
                "channel_down": drain.detail.get("channel_down"),
            },
        )
