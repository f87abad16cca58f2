"""Webhook mode on PostgreSQL: two bot processes behind a load balancer share one database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, text

from bot.application import build_application
from bot.component import TelegramBot
from kartomat.bootstrap import App
from tests.bot.support import Manager, assignment_of, make_app, seed
from tests.conftest import TABLES
from tests.fakes import FakeClock
from tests.telegram_standin import BotApiStandIn

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
SECRET = "webhook-secret_42"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def pg(pg_engine: Engine) -> Engine:
    """The PostgreSQL test database, emptied."""
    with pg_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    return pg_engine


def _webhook_app(pg: Engine, clock: FakeClock, standin: BotApiStandIn, tmp: Path) -> App:
    app = make_app(pg, clock, standin, tmp)
    settings = app.settings
    settings.telegram_webhook_url = "https://kartomat.example/telegram/hook"
    settings.telegram_webhook_port = _free_port()
    settings.telegram_webhook_secret = SecretStr(SECRET)
    return app


@asynccontextmanager
async def _serving(apps: list[App]) -> AsyncIterator[list[TelegramBot]]:
    stop = asyncio.Event()
    bots = [TelegramBot(app, build_application(app, limits=None)) for app in apps]
    tasks = [asyncio.create_task(bot.run(stop)) for bot in bots]
    try:
        while not all(bot.running for bot in bots):
            await asyncio.sleep(0.01)
        yield bots
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def _balance(standin: BotApiStandIn, apps: list[App], stop: asyncio.Event) -> int:
    """Telegram's side: POST each new update to the next process in turn."""
    sent: set[int] = set()
    async with httpx.AsyncClient() as client:
        while not stop.is_set():
            for update in standin.pending_updates():
                if update["update_id"] in sent:
                    continue
                settings = apps[len(sent) % len(apps)].settings
                url = f"http://127.0.0.1:{settings.telegram_webhook_port}/telegram/hook"
                response = await client.post(url, json=update, headers={HEADER: SECRET})
                assert response.status_code == 200
                sent.add(update["update_id"])
            await asyncio.sleep(0.005)
    return len(sent)


async def test_two_webhook_processes_on_postgresql(
    standin: BotApiStandIn, pg: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    apps = [_webhook_app(pg, clock, standin, tmp_path) for _ in range(2)]
    tokens = seed(apps[0])
    async with _serving(apps):
        stop = asyncio.Event()
        balancer = asyncio.create_task(_balance(standin, apps, stop))
        anna = Manager(apps[1], standin.user(501, "Anna"))
        await anna.fill(await anna.begin(tokens["NGO-001"]))
        receipt = await anna.submit()
        forged = await _forged(apps[0])
        stop.set()
        forwarded = await balancer
    assert receipt.text is not None and "Karta została wysłana" in receipt.text
    assert forged == 403 and forwarded > 40
    assert standin.calls("setWebhook")[0].params["secret_token"] == SECRET
    state = apps[0].collection.state(assignment_of(apps[0], "NGO-001"))
    assert state.complete and state.assignment.submitted_at is not None


async def _forged(app: App) -> Any:
    """An update without the secret token is refused."""
    url = f"http://127.0.0.1:{app.settings.telegram_webhook_port}/telegram/hook"
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json={"update_id": 1})
    return response.status_code
