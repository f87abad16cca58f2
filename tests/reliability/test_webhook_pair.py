"""Two `kartomat serve` processes in webhook mode on one PostgreSQL database.

The test plays Telegram and the load balancer: every update goes to one of the two
processes' webhook ports, at random, with the secret token; an update a process does
not take (it is down) goes to the other, as Telegram retries a failed webhook call.
Both processes run their scheduler and outbox drains. Midway one is killed with
SIGKILL and stays down; the other carries on. Short version in `make test`;
`make reliability` runs it with more managers (KARTOMAT_RELIABILITY_KILLS=50).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from kartomat.bootstrap import App
from kartomat.demo.world import Inbox, free_port, smtp_server
from tests.conftest import TABLES
from tests.reliability.harness import ServeProcess
from tests.reliability.respondents import Person, check_people, reap, until
from tests.reliability.test_telegram_kill import (
    PEOPLE_ID,
    REMINDED_ID,
    assignment_ids,
    check_messages,
    prepare,
    settled,
)
from tests.telegram_standin import BotApiStandIn

FULL = int(os.environ.get("KARTOMAT_RELIABILITY_KILLS", "4")) > 10
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.timeout(900 if FULL else 300)]  # fmt: skip
PEOPLE = 16 if FULL else 4
REMINDED = 400 if FULL else 100
KILL_AFTER_S = 25.0 if FULL else 10.0  # one process is killed this long after the start
HOOK = "https://kartomat.example/telegram/hook"
SECRET = "reliability-webhook_secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_env(env: dict[str, str]) -> dict[str, str]:
    """One process's environment: webhook mode on its own loopback port."""
    return env | {
        "KARTOMAT_TELEGRAM_WEBHOOK_URL": HOOK,
        "KARTOMAT_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "KARTOMAT_TELEGRAM_WEBHOOK_PORT": str(free_port()),
        "KARTOMAT_TELEGRAM_WEBHOOK_SECRET": SECRET,
    }


class Balancer:
    """Telegram's side of the webhook: each new update POSTed to a random live process."""

    def __init__(self, standin: BotApiStandIn, serves: list[ServeProcess]) -> None:
        self.standin, self.serves = standin, serves
        self.forwarded: set[int] = set()
        self.by_process = [0] * len(serves)
        self.retried = 0
        self.rng = random.Random(20261205)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            while not stop.is_set():
                for update in self.standin.pending_updates():
                    if update["update_id"] not in self.forwarded:
                        await self._forward(client, update)
                await asyncio.sleep(0.01)

    async def _forward(self, client: httpx.AsyncClient, update: dict[str, object]) -> None:
        order = list(range(len(self.serves)))
        self.rng.shuffle(order)
        for index in order:
            port = self.serves[index].env["KARTOMAT_TELEGRAM_WEBHOOK_PORT"]
            try:
                response = await client.post(f"http://127.0.0.1:{port}/telegram/hook",
                                             json=update, headers={HEADER: SECRET})  # fmt: skip
            except httpx.HTTPError:
                self.retried += 1
                continue
            if response.status_code == 200:
                self.forwarded.add(int(str(update["update_id"])))
                self.by_process[index] += 1
                return
            self.retried += 1


@pytest.fixture
def pg(pg_engine: Engine) -> Engine:
    """The throw-away PostgreSQL database of this run, emptied."""
    with pg_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    return pg_engine


async def scenario(app: App, env: dict[str, str], standin: BotApiStandIn, inbox: Inbox,
                   tmp: Path) -> dict[str, object]:  # fmt: skip
    base = {k: v for k, v in env.items() if not k.startswith("TOKEN_")}
    serves = [ServeProcess(webhook_env(base), tmp / f"serve-{n}.log") for n in range(2)]
    try:
        await asyncio.gather(*(asyncio.to_thread(s.start) for s in serves))
        await until(lambda: bool(standin.calls("setWebhook")), 30, "webhook set")
        people = [Person(app, standin.user(PEOPLE_ID + i, f"Kierownik {i}"), env[f"TOKEN_{i}"])
                  for i in range(PEOPLE)]  # fmt: skip
        balancer, stop = Balancer(standin, serves), asyncio.Event()
        forwarding = asyncio.create_task(balancer.run(stop))
        started = time.monotonic()

        async def person(i: int) -> None:
            await asyncio.sleep(i * 1.5)
            await people[i].fill_and_submit()

        filling = asyncio.gather(*(person(i) for i in range(PEOPLE)))
        await asyncio.sleep(KILL_AFTER_S)
        serves[1].kill9()  # and it stays down: the other process carries on alone
        await asyncio.wait_for(filling, timeout=300)
        chats = [REMINDED_ID + i for i in range(REMINDED)]
        await until(
            lambda: settled(app, chats, 0, leases=FULL), 200 if FULL else 90, "outbox settled"
        )
        stop.set()
        await forwarding
        assert await asyncio.to_thread(serves[0].terminate) == 0
    finally:
        reap(serves)  # a failed run leaves no process behind
    answers = check_people(app, people, assignment_ids(app, [f"TG-{i:04d}" for i in range(PEOPLE)]))
    figures = check_messages(app, standin, inbox, chats, PEOPLE, 0)
    return figures | {"people": PEOPLE, "answers": answers, "updates": len(balancer.forwarded),
                      "by_process": balancer.by_process, "retried": balancer.retried,
                      "repeats": sum(p.repeats for p in people),
                      "seconds": round(time.monotonic() - started)}  # fmt: skip


def test_two_webhook_processes_on_one_postgresql_database(tmp_path: Path, pg: Engine) -> None:
    inbox = Inbox()
    smtp = smtp_server(inbox)
    try:
        with BotApiStandIn() as standin:
            url = pg.url.render_as_string(hide_password=False)
            app, env = prepare(tmp_path, standin, smtp.port, url, people=PEOPLE,
                               reminded=REMINDED, izus=0, replies=0)  # fmt: skip
            try:
                figures = asyncio.run(scenario(app, env, standin, inbox, tmp_path))
            finally:
                assert app.engine is not None
                app.engine.dispose()
            assert standin.server_errors == []
        print(f"\nwebhook pair: {figures}")
    finally:
        smtp.stop()
