"""Buttons that move around the card: greeting, warnings, summary, corrections, submission."""

from __future__ import annotations

import asyncio

from bot import keyboards as kb
from bot import render, texts
from bot.flows.common import Conversation
from bot.flows.tap import Tap, ack, settle
from bot.render import Reply
from domain.cards.model import Question
from services.chat import CardChoice, changed_since_submission
from services.submission import Incomplete, NeedsConfirmation


class NavigationActions(Conversation):
    """The navigation half of the button actions (see bot.flows.buttons)."""

    def question_of(self, choice: CardChoice, press: kb.Press) -> Question | None:
        """The question a button is about, by its position on the card."""
        questions = self.services.catalog.get(choice.assignment.card).questions
        return questions[press.index] if 0 <= press.index < len(questions) else None

    async def again(self, tap: Tap, lead: str) -> None:
        """The button's question asked again from scratch (after "Zmień" or "Popraw")."""
        question = self.question_of(tap.choice, tap.press)
        assert question is not None
        state = await self.services.call(self.services.collection.state, tap.aid)
        reply = render.question_reply(state, question, tap.lang, lead=lead, prefill=False)
        await asyncio.gather(ack(tap.query), settle(tap.query), self.send(tap.bot, tap.uid, reply))

    async def agree(self, tap: Tap) -> None:
        """ "Tak, zgadza się": keep the answer and go on."""
        question = self.question_of(tap.choice, tap.press)
        assert question is not None
        state = await self.services.call(
            self.services.chat.confirm_warning, tap.uid, tap.aid, question.id, tap.press.revision
        )
        if state is None:
            await ack(tap.query, texts.stale(tap.lang))
            return
        await asyncio.gather(ack(tap.query), settle(tap.query),
                             self.ask(tap.bot, tap.uid, state, tap.lang))  # fmt: skip

    async def fix(self, tap: Tap) -> None:
        """ "Popraw": the same question again."""
        await self.again(tap, texts.fix_prompt(tap.lang))

    async def begin(self, tap: Tap) -> None:
        """ "Zaczynamy" (or a card picked from several): into the card."""
        resume = self.resume(tap.bot, tap.uid, tap.uid, tap.aid, tap.lang)
        await asyncio.gather(ack(tap.query), settle(tap.query), resume)

    async def later(self, tap: Tap) -> None:
        """ "Później": the card waits for any message."""
        await self.services.call(self.services.chat.pause, tap.uid, tap.aid)
        await asyncio.gather(ack(tap.query), settle(tap.query),
                             self.say(tap.bot, tap.uid, texts.later(tap.lang)))  # fmt: skip

    async def section(self, tap: Tap) -> None:
        """A part or sphere of the summary: which question to correct."""
        state = await self.services.call(self.services.collection.state, tap.aid)
        await ack(tap.query)
        if 0 <= tap.press.index < len(state.card.sections):
            await self.send(
                tap.bot, tap.uid, render.section_reply(state, tap.press.index, tap.lang)
            )

    async def edit(self, tap: Tap) -> None:
        """A question picked for correction: ask it again, showing the answer it has."""
        question = self.question_of(tap.choice, tap.press)
        assert question is not None
        state = await self.services.call(self.services.collection.goto, tap.aid, question.id)
        shown = render.shown_value(state, question, tap.lang)
        lead = texts.saved(question.code, shown, tap.lang) if shown else ""
        reply = render.question_reply(state, question, tap.lang, lead=lead, prefill=False)
        await asyncio.gather(ack(tap.query), self.send(tap.bot, tap.uid, reply))
        await self.delivered(state, question)

    async def summary_button(self, tap: Tap) -> None:
        """Back to the summary."""
        state = await self.services.call(self.services.collection.state, tap.aid)
        await asyncio.gather(ack(tap.query), self.summary(tap.bot, tap.uid, state, tap.lang))

    async def submit(self, tap: Tap) -> None:
        """ "Zatwierdź i wyślij": submit on explicit confirmation, then the receipt."""
        state = await self.services.call(self.services.collection.state, tap.aid)
        if not changed_since_submission(state):
            await ack(tap.query, texts.stale(tap.lang))
            return
        await ack(tap.query)
        try:
            receipt = await self.services.call(
                self.services.submission.submit, tap.aid, tap.provenance,
                confirm_warnings=tap.press.arg == "1",
            )  # fmt: skip
        except NeedsConfirmation as needed:
            warnings = [w.message(tap.lang) for w in needed.warnings]
            markup = kb.confirm_submit_keyboard(tap.aid, tap.press.revision, tap.lang)
            await self.send(
                tap.bot, tap.uid, Reply(texts.confirm_warnings(warnings, tap.lang), markup)
            )
            return
        except Incomplete as missing:
            await self.ask(tap.bot, tap.uid, state, tap.lang, lead=missing.message(tap.lang))
            return
        text = texts.receipt(receipt.submission_no, receipt.submitted_at, state.deadline,
                             receipt.corrected, tap.lang)  # fmt: skip
        await asyncio.gather(settle(tap.query), self.say(tap.bot, tap.uid, text))
