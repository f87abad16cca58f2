"""Inline buttons of the respondent flow. Every callback query is answered, stale ones too.

Question buttons (answer, toggle, "Gotowe", prefill, warning fix) count only for the
question the respondent is on and the card's revision they were sent at; see
bot.keyboards for the scheme.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot import keyboards as kb
from bot import render, texts
from bot.flows.common import Services, user_id
from bot.flows.navigation import NavigationActions
from bot.flows.tap import Tap, ack, relabel
from domain.cards.model import Question
from domain.cards.values import numbered
from services.chat import CardChoice
from services.collection import RecordResult

Context = ContextTypes.DEFAULT_TYPE
Action = Callable[[Tap], Awaitable[None]]
# Actions whose button belongs to the question the respondent is on.
ON_QUESTION = frozenset({kb.ANSWER, kb.TOGGLE, kb.DONE, kb.CONFIRM, kb.CHANGE, kb.FIX})


class ButtonFlow(NavigationActions):
    """Answers, toggles and prefill buttons; navigation ones come from NavigationActions."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.actions: dict[str, Action] = {
            kb.ANSWER: self.answer, kb.TOGGLE: self.toggle, kb.DONE: self.done,
            kb.CONFIRM: self.confirm, kb.CHANGE: self.change, kb.AGREE: self.agree,
            kb.FIX: self.fix, kb.BEGIN: self.begin, kb.LATER: self.later,
            kb.SECTION: self.section, kb.EDIT: self.edit, kb.SUMMARY: self.summary_button,
            kb.SUBMIT: self.submit,
        }  # fmt: skip

    async def press(self, update: Update, context: Context) -> None:
        """Any button: check it is still current, then do what it says."""
        query = update.callback_query
        assert query is not None
        press = kb.decode(query.data)
        respondent = await self.services.call(self.services.chat.respondent, user_id(update))
        choice = respondent.choice(press.assignment_id) if respondent and press else None
        action = self.actions.get(press.action) if press else None
        if respondent is None or choice is None or press is None or action is None:
            await ack(query, texts.stale(respondent.lang if respondent else "pl"))
        elif self._stale(choice, press):
            await ack(query, texts.stale(respondent.lang))
        else:
            await action(Tap(update, context.bot, respondent, choice, press))

    def _stale(self, choice: CardChoice, press: kb.Press) -> bool:
        """The card changed since the button was sent, or it is not about the current question."""
        assignment = choice.assignment
        if press.revision != assignment.revision:
            return True
        if press.action in ON_QUESTION:
            question = self.question_of(choice, press)
            return question is None or assignment.cursor != question.id
        return False

    async def _recorded(self, tap: Tap, result: RecordResult) -> None:
        """After an answer given by a button: settle the message, then what follows."""
        if result.stale:
            await ack(tap.query, texts.stale(tap.lang))
        elif not result.accepted:
            await asyncio.gather(ack(tap.query), self.rejected(tap.bot, tap.uid, result, tap.lang))
        else:
            # The next question opens with the answer recorded (no edit of the old message:
            # one request less per answer; its buttons are stale by revision anyway).
            shown = render.shown_value(result.state, result.question, tap.lang)
            lead = f"✓ {result.question.code}: {shown}" if shown else ""
            await asyncio.gather(
                ack(tap.query), self.after(tap.bot, tap.uid, result, tap.lang, lead)
            )

    async def _record(self, tap: Tap, question: Question, raw: str) -> None:
        result = await self.services.call(
            self.services.collection.record, tap.aid, question.id, raw, tap.provenance,
            expected_current=True,
        )  # fmt: skip
        await self._recorded(tap, result)

    async def _other(self, tap: Tap, label: str, chosen: str) -> None:
        """ "inny"/"inne" needs its description typed; nothing is recorded yet."""
        prompt = texts.other_prompt(label, chosen, tap.lang)
        await asyncio.gather(ack(tap.query), self.say(tap.bot, tap.uid, prompt))

    async def answer(self, tap: Tap) -> None:
        """One option, tak or nie."""
        question = self.question_of(tap.choice, tap.press)
        assert question is not None
        options = self.services.catalog.get(question.card).options_of(question)
        raw = {"y": "tak", "n": "nie"}.get(tap.press.arg, "")
        if options is not None and tap.press.arg[1:].isdigit():
            items = numbered(options)
            number, option = items[min(int(tap.press.arg[1:]), len(items) - 1)]
            if option.other:
                await self._other(tap, option.label_pl if tap.lang == "pl" else option.label_en, "")
                return
            raw = number
        await self._record(tap, question, raw)

    async def toggle(self, tap: Tap) -> None:
        """Tick or untick one option of a "many" question (the ticks live in the buttons)."""
        question = self.question_of(tap.choice, tap.press)
        assert question is not None
        options = self.services.catalog.get(question.card).options_of(question)
        assert options is not None
        mask_hex, _, item = tap.press.arg.partition(".")
        mask = int(mask_hex or "0", 16) ^ (1 << int(item or "0"))
        base = kb.Press("", tap.aid, tap.press.revision, tap.press.index)
        markup = kb.many_keyboard(base, options, mask, tap.lang)
        await asyncio.gather(ack(tap.query), relabel(tap.query, markup))

    async def done(self, tap: Tap) -> None:
        """ "Gotowe": the ticked options are the answer."""
        question = self.question_of(tap.choice, tap.press)
        assert question is not None
        options = self.services.catalog.get(question.card).options_of(question)
        assert options is not None
        mask = int(tap.press.arg or "0", 16)
        ticked = [(n, o) for i, (n, o) in enumerate(numbered(options)) if mask & (1 << i)]
        if not ticked:
            await ack(tap.query, texts.nothing_chosen(tap.lang))
        elif other := next((o for _, o in ticked if o.other), None):
            chosen = ", ".join(n for n, o in ticked if not o.other)
            await self._other(tap, other.label_pl if tap.lang == "pl" else other.label_en, chosen)
        else:
            await self._record(tap, question, ", ".join(n for n, _ in ticked))

    async def confirm(self, tap: Tap) -> None:
        """ "Potwierdź": the value from the registry is the answer."""
        question = self.question_of(tap.choice, tap.press)
        assert question is not None
        result = await self.services.call(
            self.services.collection.confirm_prefill, tap.aid, question.id, tap.provenance
        )
        await self._recorded(tap, result)

    async def change(self, tap: Tap) -> None:
        """ "Zmień": ask the prefilled question from scratch."""
        await self.again(tap, texts.change_prompt(tap.lang))
