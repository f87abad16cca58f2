"""What the respondent handlers share: the services, sending, and the step after an answer.

Handlers are thin: they turn an update into one service call (run in a worker thread,
since the services are synchronous and commit before returning) and the result into
a reply. The database is the record: nothing about a card is kept in memory here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import Bot, Update

from bot import keyboards as kb
from bot import render, texts
from bot.render import Reply
from domain.cards.catalog import CardCatalog
from domain.cards.model import Lang, Question
from services.access import AccessService
from services.card_state import CardState, Provenance
from services.chat import ChatService, Respondent, changed_since_submission
from services.collection import CollectionService, RecordResult
from services.schedule import ScheduleService
from services.staff import StaffService
from services.submission import SubmissionService

T = TypeVar("T")


@dataclass(frozen=True)
class Services:
    """The use cases the bot talks to (built once, by the composition root)."""

    chat: ChatService
    collection: CollectionService
    submission: SubmissionService
    access: AccessService
    schedule: ScheduleService
    staff: StaffService
    catalog: CardCatalog
    bot_username: str
    # Use cases running at once. SQLite has one writer and every transaction takes the
    # write lock (BEGIN IMMEDIATE): more would queue inside SQLite's busy handler, which
    # sleeps in growing steps (up to 100 ms) instead of handing the lock on.
    transactions: int = 1
    _slots: asyncio.Semaphore = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_slots", asyncio.Semaphore(self.transactions))

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one short use case of a chat (it commits before it returns).

        With one transaction at a time (SQLite) it runs right here, on the event loop:
        the use cases would queue for the single writer anyway, they take a fraction of a
        millisecond, and handing each to a worker thread and back cost the bot a fifth
        of its CPU. With more (PostgreSQL, round trips over the network) it runs in a
        worker thread, at most `transactions` at once.
        """
        if self.transactions == 1:
            return fn(*args, **kwargs)
        return await self.offload(fn, *args, **kwargs)

    async def offload(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a use case in a worker thread (lists and reports for staff: long reads)."""
        async with self._slots:
            return await asyncio.to_thread(fn, *args, **kwargs)


def user_id(update: Update) -> int:
    """The Telegram user behind an update (private chats: also the chat id)."""
    assert update.effective_user is not None
    return update.effective_user.id


def provenance(update: Update, respondent: Respondent) -> Provenance:
    """Channel, Telegram update id and contact of an answer (channels.md, provenance)."""
    return Provenance("telegram", f"tg-update:{update.update_id}", respondent.contact.id)


class Conversation:
    """Sending questions, warnings and summaries to one chat."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def send(self, bot: Bot, chat_id: int, reply: Reply) -> None:
        """One message (interactive: it goes ahead of reminders in the rate limiter)."""
        await bot.send_message(chat_id, reply.text, reply_markup=reply.markup)

    async def say(self, bot: Bot, chat_id: int, text: str) -> None:
        """A plain message."""
        await bot.send_message(chat_id, text)

    async def ask(
        self,
        bot: Bot,
        chat_id: int,
        state: CardState,
        lang: Lang,
        *,
        lead: str = "",
        resumed: bool = False,
    ) -> None:
        """The current question, or the summary when nothing is left to ask."""
        question = state.current_question()
        if question is None:
            await self.summary(bot, chat_id, state, lang, lead=lead)
            return
        await self.send(
            bot, chat_id, render.question_reply(state, question, lang, lead=lead, resumed=resumed)
        )
        await self.delivered(state, question)

    async def delivered(self, state: CardState, question: Question) -> None:
        """The question reached the chat: from now on a typed message answers it."""
        if state.assignment.asked != question.id:
            await self.services.call(
                self.services.chat.mark_asked, state.assignment.id or 0, question.id
            )

    async def resume(
        self, bot: Bot, chat_id: int, uid: int, assignment_id: int, lang: Lang
    ) -> None:
        """Back into the card at its first unanswered question ("Wracamy do pytania 9 z 41")."""
        state = await self.services.call(self.services.chat.choose, uid, assignment_id)
        question = state.current_question()
        lead = ""
        if question is not None and state.answered_count:
            lead = texts.resume(*state.position(question), lang)
        await self.ask(bot, chat_id, state, lang, lead=lead, resumed=True)

    async def after(
        self, bot: Bot, chat_id: int, result: RecordResult, lang: Lang, lead: str = ""
    ) -> None:
        """What follows an accepted answer: its warning, the next question or the summary."""
        if result.warnings:
            await self.warn(bot, chat_id, result, lang)
            return
        await self.ask(bot, chat_id, result.state, lang, lead=lead)

    async def warn(self, bot: Bot, chat_id: int, result: RecordResult, lang: Lang) -> None:
        """ "Czy to prawda?": the respondent stays on the question until they answer."""
        state, question = result.state, result.question
        aid = state.assignment.id or 0
        await self.services.call(self.services.collection.goto, aid, question.id)
        message = "\n".join(w.message(lang) for w in result.warnings)
        base = kb.Press("", aid, state.assignment.revision, state.card.order[question.id])
        await self.send(
            bot, chat_id, Reply(texts.warning(message, lang), kb.warning_keyboard(base, lang))
        )

    async def rejected(self, bot: Bot, chat_id: int, result: RecordResult, lang: Lang) -> None:
        """What was wrong, with an example, and the same question again."""
        assert result.error is not None
        reply = render.question_reply(
            result.state, result.question, lang, lead=result.error.message(lang), prefill=False
        )
        await self.send(bot, chat_id, reply)

    async def summary(
        self, bot: Bot, chat_id: int, state: CardState, lang: Lang, lead: str = ""
    ) -> None:
        """All answers by part and sphere, with correction and send buttons."""
        if state.assignment.submitted_at and not changed_since_submission(state):
            text = texts.submitted_status(
                state.assignment.submission_no or "",
                state.assignment.submitted_at,
                state.deadline,
                lang,
            )
            lead = f"{lead}\n\n{text}".strip()
        for reply in render.summary_replies(state, lang, lead):
            await self.send(bot, chat_id, reply)

    def question_at(self, state: CardState, index: int) -> Question | None:
        """The question at a position on the card (from a button), if it exists."""
        questions = state.card.questions
        return questions[index] if 0 <= index < len(questions) else None
