"""Optional python-telegram-bot conveniences for tests using the stand-in.

Kept apart from the package's stdlib-only server modules; import it explicitly:
``from tests.telegram_standin.ptb import application_builder, polling``.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from ._standin import BotApiStandIn


def application_builder(standin: BotApiStandIn) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ``ApplicationBuilder`` with the stand-in's token, ``base_url`` and file URL."""
    return (
        Application.builder()
        .token(standin.token)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
    )


@asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    timeout: float = 1.0,
    allowed_updates: Sequence[str] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialise, start and long-poll ``application``; stop and shut down cleanly after."""
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0,
            timeout=dtm.timedelta(seconds=timeout),
            allowed_updates=allowed_updates,
        )
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
