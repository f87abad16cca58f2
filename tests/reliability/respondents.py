"""Simulated Telegram respondents for the reliability suite, and the world they live in.

A `Person` behaves like a manager filling the Karta NGO on a phone: one action at a
time (a typed answer or a button), then waiting for the bot. When no reply comes
within `patience` (the bot was killed), they do the same thing again; after a second
silence they write /start, as people do when a chat seems stuck. Bot messages that are
not replies (reminders) are ignored.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.cards.model import Question, QuestionType
from domain.cards.values import parse_value, to_json
from kartomat.bootstrap import App
from tests.bot.support import question_of
from tests.reliability.harness import ServeProcess
from tests.sample import raw_answer
from tests.telegram_standin import (
    BotApiStandIn,
    SentMessage,
    SimUser,
    StandInAssertionError,
    StandInTimeoutError,
)

HEADER = ("external_id,kind,name,org_type,teryt,miejscowosc,powiat,wojewodztwo,"
          "contact_name,email,phone,channel")  # fmt: skip
# Every day, all day, in UTC: whatever the wall clock says, reminders are due now.
ALWAYS_ON_DUTY = {
    "duty_hours": {
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": "00:00",
        "end": "23:59",
        "timezone": "UTC",
    }
}
NOT_REPLIES = ("🔔", "⏰")  # reminders and overdue notices arrive on their own
SUBMITTED = ("Karta została wysłana", "Karta wysłana")  # the receipt, or /status after it


def ngo_rows(prefix: str, count: int, teryt: str, first_id: int) -> list[str]:
    """`count` NGOs in one gmina (Telegram contacts), external ids PREFIX-0000…"""
    return [
        f"{prefix}-{i:04d},ngo,Fundacja {prefix} {i},fundacja,{teryt},Lublin,Lublin,06,"
        f"Osoba {first_id + i},{prefix.lower()}{i}@ngo.example,,telegram"
        for i in range(count)
    ]


def import_rows(app: App, rows: list[str]) -> None:
    """Import registry rows (CSV lines under the standard header)."""
    report = app.registry.import_csv(("\n".join([HEADER, *rows]) + "\n").encode())
    assert report.ok, report.errors


def open_reminder_session(app: App, name: str, territory: str, today: date) -> dict[str, str]:
    """A session opened yesterday (invitations went then) with its deadline tomorrow.

    Today the D-1 reminder is due for every unsubmitted card; `app` must run on a clock
    set to yesterday. Returns the invitation tokens by external id.
    """
    app.sessions.create(name, today - timedelta(days=6), today + timedelta(days=1), ["ngo"],
                        [territory], harmonogram=ALWAYS_ON_DUTY)  # fmt: skip
    app.sessions.open(name)
    return {i.external_id: i.token for i in app.sessions.invites(name)}


def yesterday_noon() -> datetime:
    """Yesterday 12:00 UTC: the moment the reminder session is opened."""
    return datetime.combine(datetime.now(UTC).date() - timedelta(days=1), datetime.min.time(),
                            tzinfo=UTC) + timedelta(hours=12)  # fmt: skip


@dataclass
class Person:
    """A manager filling one card; what the bot acknowledged is kept in `acked`."""

    app: App
    user: SimUser
    token: str
    patience: float = 6.0
    acked: dict[str, str] = field(default_factory=dict)  # question id → raw answer
    repeats: int = 0  # actions done again after a silence
    submitted: bool = False
    _last: Callable[[], Any] | None = None

    async def fill_and_submit(self, limit: int = 400) -> None:
        """From the invitation link to the receipt."""
        message = await self._act(lambda: self.user.start(self.token))
        for _ in range(limit):
            text = message.text or ""
            if any(marker in text for marker in SUBMITTED):
                self.submitted = True
                return
            message = await self._next(message)
        raise AssertionError(f"{self.user!r}: no receipt after {limit} steps: {message.text}")

    async def _next(self, message: SentMessage) -> SentMessage:
        """Do what the message asks; the bot's reply."""
        buttons = message.button_texts
        question = question_of(self.app, message)
        if "Zatwierdź i wyślij" in buttons:
            return await self._act(
                lambda: self.user.press("Zatwierdź i wyślij", message.message_id)
            )
        if "Zaczynamy" in buttons:
            return await self._act(lambda: self.user.press("Zaczynamy", message.message_id))
        if question is None:  # a part of the summary, a notice: what comes next
            return await self._act(None)
        raw = raw_answer(question)
        if "Potwierdź" in buttons:
            do = lambda: self.user.press("Potwierdź", message.message_id)  # noqa: E731
        elif question.type is QuestionType.YESNO:
            label = "Tak" if raw.lower().startswith("t") else "Nie"
            do = lambda: self.user.press(label, message.message_id)  # noqa: E731
        else:
            do = lambda: self.user.send_text(raw)  # noqa: E731
        reply = await self._act(do)
        if question_of(self.app, reply) != question:
            self.acked[question.id] = raw  # the bot moved on: the answer is acknowledged
        return reply

    async def _act(self, do: Callable[[], Any] | None) -> SentMessage:
        """Do it, then wait for a reply; after silences do it again, then write /start."""
        if do is not None:
            self._last = do
            do()
        silences = 0
        while True:
            try:
                [reply] = await self.user.wait_for_reply(timeout=self.patience)
            except StandInTimeoutError:
                silences += 1
                self.repeats += 1
                try:
                    if silences % 2 == 1 and self._last is not None:
                        self._last()
                    else:
                        self.user.start()
                except StandInAssertionError:  # the button is gone: start over
                    self.user.start()
                continue
            if not (reply.text or "").startswith(NOT_REPLIES):
                return reply


def expected_value(app: App, question_id: str, raw: str) -> Any:
    """The stored JSON value of an answer typed as `raw`."""
    question = app.catalog.get(question_id.split(".")[0]).question(question_id)
    options = app.catalog.get(question.card).options_of(question)
    return to_json(question, parse_value(question, options, raw, today=date.today()).value)


def check_people(app: App, people: list[Person], aids: list[int]) -> int:
    """Acknowledged answers stored with their values, nothing stored twice or misplaced.

    Every answer a Person gives is `raw_answer(question)`, so a stored value that differs
    from it was taken for the wrong question (e.g. a re-sent answer applied to the next
    one). Version 1 everywhere means no answer, and no submission stamp, was stored twice.
    Returns how many answers were stored.
    """
    histories = _histories(app, aids)
    for person, aid in zip(people, aids, strict=True):
        assert person.submitted, person.user
        history = histories[aid]
        latest = {r.question_id: r for r in history}
        lost = set(person.acked) - set(latest)
        assert not lost, f"acknowledged answers lost for {person.user!r}: {lost}"
        twice = [(r.question_id, r.version) for r in history if r.version != 1]
        assert twice == [], f"stored twice for {person.user!r}: {twice}"
        typed = [(r, _question(app, r.question_id)) for r in history if r.channel == "telegram"]
        wrong = {
            r.question_id: r.value
            for r, q in typed
            if q.prefill is None and r.value != expected_value(app, q.id, raw_answer(q))
        }
        assert wrong == {}, f"answers stored for the wrong question ({person.user!r}): {wrong}"
    return sum(len(h) for h in histories.values())


def _question(app: App, question_id: str) -> Question:
    return app.catalog.get(question_id.split(".")[0]).question(question_id)


def _histories(app: App, aids: list[int]) -> dict[int, list[Any]]:
    with app.uow() as uow:
        found = uow.answers.history_for(aids)
    return {aid: list(found.get(aid, [])) for aid in aids}


def telegram_counts(standin: BotApiStandIn, chats: list[int], prefix: str) -> Counter[int]:
    """How many bot messages starting with `prefix` each chat received."""
    counts: Counter[int] = Counter(dict.fromkeys(chats, 0))
    for chat in chats:
        counts[chat] = sum(1 for m in standin.messages(chat) if (m.text or "").startswith(prefix))
    return counts


def reap(serves: list[ServeProcess]) -> None:
    """SIGKILL whatever is still running (after a failed run)."""
    for serve in serves:
        if serve.process is not None and serve.process.poll() is None:
            serve.kill9()


async def until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `predicate` (cheap) until true; AssertionError after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.5)
