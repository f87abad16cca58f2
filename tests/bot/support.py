"""End-to-end support: an App on a SQLite file (or PostgreSQL), the real bot, simulated managers.

The bot is the production Application (bot.application.build_application) talking HTTP
to the Bot API stand-in; nothing of PTB or kartomat is patched.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Engine

from bot import keyboards as kb
from bot.application import build_application
from bot.limiter import Limits
from domain.cards.model import Question, QuestionType
from domain.cards.values import numbered, parse_value
from kartomat.bootstrap import App, wire
from kartomat.settings import Settings
from services.ports import UnitOfWork
from storage.uow import SqlUnitOfWork, uow_factory
from tests.conftest import SECRET, sqlite_engine
from tests.fakes import FakeClock
from tests.sample import raw_answer, registry_csv
from tests.telegram_standin import BotApiStandIn, SentMessage, SimUser
from tests.telegram_standin.ptb import polling

SESSION = "2026-H2"
QUESTION = re.compile(r"\((\d+)/(\d+)\) (\S+) ")


def make_app(engine: Engine, clock: FakeClock, standin: BotApiStandIn, tmp: Path) -> App:
    """The wired application on `engine`, configured for the stand-in."""
    settings = Settings(
        database_url="sqlite://",
        secret_key_file=tmp / "secret",
        telegram_token=SecretStr(standin.token),
        telegram_base_url=standin.base_url,
        telegram_bot_username=standin.bot_username,
    )
    sessions = uow_factory(engine)

    def sql_uow() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    return wire(settings, sql_uow, clock, SECRET, engine)


def sqlite_app(path: Path, clock: FakeClock, standin: BotApiStandIn) -> App:
    """An App on a (new or existing) SQLite file."""
    return make_app(sqlite_engine(path), clock, standin, path.parent)


def seed(app: App) -> dict[str, str]:
    """Registry imported, session opened; the invitation token of each organisation."""
    report = app.registry.import_csv(registry_csv())
    assert report.ok, report.errors
    app.sessions.create(SESSION, date(2026, 11, 2), date(2026, 11, 30), ["ngo", "izus"], ["06"])
    app.sessions.open(SESSION)
    return {i.external_id: i.token for i in app.sessions.invites(SESSION)}


def assignment_of(app: App, external_id: str) -> int:
    """The assignment id of an organisation in the session."""
    with app.uow() as uow:
        org = uow.organisations.get_by_external_id(external_id)
        session = uow.sessions.get_by_name(SESSION)
        assert org and session
        found = uow.assignments.find(session.id or 0, org.id or 0, org.kind)
        assert found is not None
        return found.id or 0


@asynccontextmanager
async def running(app: App, limits: Limits | None = None) -> AsyncIterator[Any]:
    """The production bot, long-polling the stand-in (unpaced unless `limits` is given)."""
    async with polling(build_application(app, limits=limits), timeout=10) as application:
        yield application


def question_of(app: App, message: SentMessage, card: str = "ngo") -> Question | None:
    """The question a bot message asks, read from its "(i/n) CODE" line."""
    match = QUESTION.search(message.text or "")
    return app.catalog.get(card).by_code(match[3]) if match else None


def label_of(app: App, question: Question, code: str) -> str:
    """The button text of an option, as the bot shows it."""
    options = app.catalog.get(question.card).options_of(question)
    assert options is not None
    for number, option in numbered(options):
        if option.code == code:
            return kb.button(kb.option_text(number, option, "pl"), kb.Press("a", 1)).text
    raise AssertionError(f"no option {code} in {question.id}")


class Manager:
    """A simulated NGO manager who answers every question the way tests.sample says."""

    def __init__(
        self,
        app: App,
        user: SimUser,
        timeout: float = 5.0,
        answers: Callable[[Question], str] = raw_answer,
    ) -> None:
        self.app = app
        self.user = user
        self.timeout = timeout
        self.answers = answers

    async def begin(self, token: str) -> SentMessage:
        """Open the invitation and press "Zaczynamy"; the first question."""
        self.user.start(token)
        [greeting] = await self.user.wait_for_reply(timeout=self.timeout)
        assert "Zaczynamy" in greeting.button_texts, greeting.text
        self.user.press("Zaczynamy")
        [first] = await self.user.wait_for_reply(timeout=self.timeout)
        return first

    async def answer(self, message: SentMessage) -> SentMessage:
        """Answer the question in `message` correctly; the bot's next message."""
        question = question_of(self.app, message)
        assert question is not None, message.text
        raw = self.answers(question)
        if "Potwierdź" in message.button_texts:
            self.user.press("Potwierdź", message.message_id)
        elif question.type is QuestionType.YESNO:
            self.user.press("Tak" if raw.lower().startswith("t") else "Nie", message.message_id)
        elif question.type is QuestionType.ONE:
            self.user.press(label_of(self.app, question, self._codes(question, raw)[0]))
        elif question.type is QuestionType.MANY:
            for code in self._codes(question, raw):
                label = label_of(self.app, question, code)
                self.user.press(label, message.message_id)
                await self.user.wait_for_callback_answer(timeout=self.timeout)
                await self._ticked(message.message_id, f"✓ {label}")
            self.user.press("Gotowe", message.message_id)
        else:
            self.user.send_text(raw)
        [reply] = await self.user.wait_for_reply(timeout=self.timeout)
        return reply

    async def _ticked(self, message_id: int, label: str) -> None:
        """Wait until the message shows the tick (edits of other messages may come first)."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        while not any(m.message_id == message_id and m.find_button(label)
                      for m in self.user.messages()):  # fmt: skip
            assert asyncio.get_running_loop().time() < deadline, f"no {label} on {message_id}"
            await asyncio.sleep(0.005)

    def _codes(self, question: Question, raw: str) -> list[str]:
        options = self.app.catalog.get(question.card).options_of(question)
        value = parse_value(question, options, raw, today=date(2026, 11, 2)).value
        return list(value) if isinstance(value, tuple) else [str(value)]

    async def fill(self, first: SentMessage, limit: int = 80) -> SentMessage:
        """Answer questions until the summary; returns its last message (with the buttons)."""
        message = first
        for _ in range(limit):
            if "Zatwierdź i wyślij" in message.button_texts:
                return message
            if question_of(self.app, message) is None:  # the summary's first parts
                [message] = await self.user.wait_for_reply(timeout=self.timeout)
                continue
            message = await self.answer(message)
        raise AssertionError(f"no summary after {limit} messages: {message.text}")

    async def submit(self) -> SentMessage:
        """Press "Zatwierdź i wyślij"; the receipt."""
        self.user.press("Zatwierdź i wyślij")
        [receipt] = await self.user.wait_for_reply(timeout=self.timeout)
        return receipt
