"""The Telegram bot under load, over HTTP against the Bot API stand-in (not part of make test).

(a) Simulated managers fill Karta NGO cards (buttons and typed answers, as people do)
    as fast as the bot answers; the same number of users chat with a bare PTB echo bot
    on the same stand-in in the same run. Updates/s and reply latency, ratio to echo.
(b) The same kind of interactive load while N reminders (default 10,000) drain through
    the outbox, the stand-in enforcing Telegram's limits (30 msg/s, 1 msg/s per chat):
    interactive p99, 429 responses, every reminder delivered exactly once.

    .venv/bin/python bench/bot.py [--part a|b|both] [--managers 40] [--cards 3]
                                  [--reminders 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from pydantic import SecretStr
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.application import POOL, build_application
from bot.component import TelegramBot
from bot.limiter import Limits
from bot.transport import AiohttpRequest
from kartomat.bootstrap import App, SystemClock, wire
from kartomat.settings import Settings
from services.ports import UnitOfWork
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork, uow_factory
from tests.bot.support import Manager, make_app
from tests.conftest import SECRET, sqlite_engine
from tests.sample import queue_telegram_reminders
from tests.telegram_standin import DEFAULT_TOKEN, BotApiStandIn, SimUser
from tests.telegram_standin.ptb import polling

HEADER = "external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,contact_name,email,phone,channel"  # noqa: E501


class Timed(Manager):
    """A manager whose every action is timed until the bot's answer."""

    def __init__(self, app: App, user: SimUser, think: float, latencies: list[float]) -> None:
        super().__init__(app, user, timeout=15.0)
        self.think, self.latencies = think, latencies

    async def answer(self, message: Any) -> Any:
        await asyncio.sleep(self.think)
        started = time.monotonic()
        reply = await super().answer(message)
        self.latencies.append(time.monotonic() - started)
        return reply


def seed(app: App, orgs: int) -> list[str]:
    """`orgs` NGOs in lubelskie, a session open from yesterday; their invitation tokens."""
    rows = [
        f"NGO-{i:05d},ngo,Fundacja nr {i},fundacja,0663011,Lublin,Lublin,lubelskie,"
        f"Osoba {i},osoba{i}@ngo.example,601 000 {i % 1000:03d},telegram"
        for i in range(orgs)
    ]
    report = app.registry.import_csv(("\n".join([HEADER, *rows]) + "\n").encode())
    assert report.ok, report.errors
    today = datetime.now(UTC).date()
    app.sessions.create("BENCH", today - timedelta(days=1), today + timedelta(days=30), ["ngo"], [])
    app.sessions.open("BENCH")
    return [i.token for i in sorted(app.sessions.invites("BENCH"), key=lambda i: i.external_id)]


def summary(name: str, updates: int, elapsed: float, latencies: list[float]) -> dict[str, Any]:
    """Throughput (updates the bot received) and latency percentiles of one run."""
    ordered = sorted(latencies) or [0.0]
    return {
        "run": name, "updates": updates, "seconds": round(elapsed, 2),
        "updates_per_s": round(updates / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
    }  # fmt: skip


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def echo_users(standin: BotApiStandIn, users: int, messages: int) -> dict[str, Any]:
    """`users` people chatting with the echo bot in a closed loop."""
    latencies: list[float] = []

    async def chat(user: SimUser) -> None:
        for n in range(messages):
            started = time.monotonic()
            user.send_text(f"{n}")
            await user.wait_for_reply(timeout=120)
            latencies.append(time.monotonic() - started)

    started, before = time.monotonic(), delivered(standin)
    await asyncio.gather(*(chat(standin.user(800_000 + i)) for i in range(users)))
    elapsed = time.monotonic() - started
    return summary("PTB echo bot", delivered(standin) - before, elapsed, latencies)


def delivered(standin: BotApiStandIn) -> int:
    """Updates the bot has fetched so far (messages, button presses, commands)."""
    return len(standin.delivery_counts())


async def cards_run(app: App, standin: BotApiStandIn, tokens: list[str], slots: int,
                    think: float, latencies: list[float],
                    keep_going: Callable[[], bool] = lambda: False) -> int:  # fmt: skip
    """`slots` managers fill cards (one each, more while `keep_going`); cards submitted."""
    queue = list(tokens)
    done = 0

    async def manager() -> None:
        nonlocal done
        first_round = True
        while queue and (first_round or keep_going()):
            token = queue.pop(0)
            user = standin.user(10_000 + len(tokens) - len(queue))
            person = Timed(app, user, think, latencies)
            last = await person.fill(await person.begin(token))
            assert "Zatwierdź i wyślij" in last.button_texts
            await person.submit()
            done, first_round = done + 1, False

    await asyncio.gather(*(manager() for _ in range(slots)))
    return done


async def part_a(args: Any, tmp: Path, standin: BotApiStandIn) -> list[dict[str, Any]]:
    """Cards as fast as possible vs the echo bot, same number of users, same stand-in."""
    app, tokens = prepared(tmp, standin, args.managers * args.cards)
    latencies: list[float] = []
    async with serving("ours", tmp, standin, limits=False) as ours_cpu:
        started, before, cpu = time.monotonic(), delivered(standin), time.process_time()
        calls = len(standin.calls())
        cards = args.managers * args.cards
        await cards_run(app, standin, tokens[:cards], args.managers, 0.0, latencies,
                        keep_going=lambda: True)  # fmt: skip
        elapsed, updates = time.monotonic() - started, delivered(standin) - before
        ours = summary("kartomat bot", updates, elapsed, latencies)
        ours["bench_cpu_s"] = round(time.process_time() - cpu, 1)
        ours["calls_per_update"] = round((len(standin.calls()) - calls) / updates, 2)
    async with serving("echo", tmp, standin, False, args.echo_transport) as echo_cpu:
        cpu, calls = time.process_time(), len(standin.calls())
        echo = await echo_users(standin, args.managers, max(1, updates // args.managers))
        echo["bench_cpu_s"] = round(time.process_time() - cpu, 1)
        echo["calls_per_update"] = round((len(standin.calls()) - calls) / echo["updates"], 2)
    for row, used in ((ours, ours_cpu), (echo, echo_cpu)):
        row["bot_cpu_ms_per_update"] = round(1000 * used["cpu_s"] / row["updates"], 2)
    ours["ratio_to_echo"] = round(ours["updates_per_s"] / echo["updates_per_s"], 2)
    return [ours, echo]


async def part_b(args: Any, tmp: Path, standin: BotApiStandIn) -> list[dict[str, Any]]:
    """Interactive load while `reminders` drain under the stand-in's flood limits."""
    app, tokens = prepared(tmp, standin, 200)
    chats = [3_000_000 + i for i in range(args.reminders)]
    _open_chats(standin, chats)
    queue_telegram_reminders(app, chats, "bench", datetime.now(UTC))
    standin.enable_rate_limits()
    latencies: list[float] = []
    drained = _delivered_to(standin, chats)
    async with serving("ours", tmp, standin, limits=True):
        started = time.monotonic()

        async def drain_seconds() -> float:
            await _until(lambda: drained() >= args.reminders, timeout=args.reminders / 10 + 120)
            return time.monotonic() - started

        drain_took, submitted = await asyncio.gather(
            drain_seconds(),
            cards_run(app, standin, tokens, 5, args.think, latencies,
                      keep_going=lambda: drained() < args.reminders),
        )  # fmt: skip
        elapsed = time.monotonic() - started
    counts = [len(standin.messages(c)) for c in chats]
    result = summary("interactive during drain", len(latencies), elapsed, latencies)
    result.update(reminders=args.reminders, delivered_once=sum(c == 1 for c in counts),
                  duplicates=sum(c > 1 for c in counts), cards_submitted=submitted,
                  drain_seconds=round(drain_took, 1),
                  reminders_per_s=round(args.reminders / drain_took, 1),
                  too_many_requests=standin.too_many_requests_count)  # fmt: skip
    return [result]


def _open_chats(standin: BotApiStandIn, chats: list[int]) -> None:
    """People who once wrote to the bot (so it may write to them), without 10,000 /starts."""
    for chat in chats:
        standin.user(chat)
    with standin._state.cond:  # the stand-in's own state: bench set-up only
        for chat in chats:
            standin._state.chats[chat].started = True


def _delivered_to(standin: BotApiStandIn, chats: list[int]) -> Callable[[], int]:
    first = chats[0]
    return lambda: sum(1 for m in standin.all_messages() if m.chat_id >= first and
                       m.text and m.text.startswith("🔔"))  # fmt: skip


async def _until(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("reminders not drained in time")
        await asyncio.sleep(1.0)


def prepared(tmp: Path, standin: BotApiStandIn, orgs: int) -> tuple[App, list[str]]:
    """The database of the run, seeded; the parent's App reads the catalog and the outbox."""
    app = make_app(sqlite_engine(tmp / "bench.db"), SystemClock(), standin, tmp)
    return app, seed(app, max(orgs, 200))


@asynccontextmanager
async def serving(
    kind: str, tmp: Path, standin: BotApiStandIn, limits: bool, transport: str = "httpx"
) -> AsyncIterator[dict[str, float]]:
    """The bot in its own process (Telegram is another machine), stopped with SIGTERM.

    Yields a dict that holds the process's CPU seconds ("cpu_s") once it has stopped.
    """
    polls = len(standin.calls("getUpdates"))
    usage: dict[str, float] = {}
    where = os.environ.get("BENCH_PROFILE")  # a directory: the bot process is profiled into it
    profile = ["-m", "cProfile", "-o", f"{where}/bot-{kind}.prof"] if where else []
    command = [sys.executable, *profile, __file__, "--serve", kind, "--db", str(tmp / "bench.db"),
               "--base-url", standin.base_url, "--echo-transport", transport]  # fmt: skip
    command += ["--limits"] if limits else []
    child = await asyncio.create_subprocess_exec(*command)
    base = 0.0
    try:
        await standin.wait_until(lambda: len(standin.calls("getUpdates")) > polls, timeout=30)
        base = _cpu_seconds(child.pid)
        yield usage
    finally:
        used = _cpu_seconds(child.pid)
        child.send_signal(signal.SIGTERM)
        await child.wait()
        usage["cpu_s"] = used - base


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def serve(args: argparse.Namespace) -> None:
    """Child process: the kartomat bot (with its outbox drain) or a bare echo bot."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if args.serve == "echo":
        builder = Application.builder().token(DEFAULT_TOKEN).base_url(args.base_url)
        if args.echo_transport == "aiohttp":  # for comparison only: the target is bare PTB's
            builder = builder.request(AiohttpRequest(POOL)).get_updates_request(AiohttpRequest(1))
        echo = builder.concurrent_updates(True).build()
        echo.add_handler(MessageHandler(filters.TEXT, _echo))
        async with polling(echo, timeout=10):
            await stop.wait()
        return
    engine = make_engine(f"sqlite:///{args.db}")
    app = wire(Settings(telegram_token=SecretStr(DEFAULT_TOKEN), telegram_base_url=args.base_url,
                        secret_key_file=Path(args.db).parent / "secret"),
               _uow(engine), SystemClock(), SECRET, engine)  # fmt: skip
    application = build_application(app, limits=Limits() if args.limits else None)
    await TelegramBot(app, application, poll_timeout=10).run(stop)


def _uow(engine: Engine) -> Callable[[], UnitOfWork]:
    sessions = uow_factory(engine)
    return lambda: SqlUnitOfWork(sessions)


async def main(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the requested parts, each on its own SQLite database and stand-in."""
    results: list[dict[str, Any]] = []
    for part in ("a", "b") if args.part == "both" else (args.part,):
        with tempfile.TemporaryDirectory() as tmp, BotApiStandIn() as standin:
            run = part_a if part == "a" else part_b
            results += await run(args, Path(tmp), standin)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["a", "b", "both"], default="both")
    parser.add_argument("--managers", type=int, default=40, help="concurrent managers in (a)")
    parser.add_argument("--cards", type=int, default=3, help="cards each manager fills in (a)")
    parser.add_argument("--reminders", type=int, default=10_000, help="reminders drained in (b)")
    parser.add_argument("--think", type=float, default=2.0, help="seconds a manager thinks (b)")
    parser.add_argument("--echo-transport", choices=["httpx", "aiohttp"], default="httpx",
                        help="echo bot's transport: PTB's own (the baseline) or ours")  # fmt: skip
    parser.add_argument("--serve", choices=["ours", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--limits", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(serve(options))
    else:
        for row in asyncio.run(main(options)):
            print(json.dumps(row, ensure_ascii=False), flush=True)
