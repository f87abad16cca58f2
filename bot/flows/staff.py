"""Staff commands: /spoznieni, /postep, /przypomnij <org>, /raport (their territories only)."""

from __future__ import annotations

from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes

from bot import staff_texts
from bot.flows.common import Services, user_id
from domain.entities import Staff

Context = ContextTypes.DEFAULT_TYPE


class StaffFlow:
    """Commands for Telegram accounts registered as staff; everyone else: "Brak uprawnień"."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def _member(self, update: Update, context: Context) -> Staff | None:
        """The staff member, or None after answering "Brak uprawnień" (and nothing else)."""
        member = await self.services.call(self.services.staff.member, user_id(update))
        if member is None:
            await context.bot.send_message(user_id(update), staff_texts.NO_PERMISSION)
        return member

    async def late(self, update: Update, context: Context) -> None:
        """/spoznieni: late cards in the member's territories, by gmina."""
        if member := await self._member(update, context):
            groups = await self.services.offload(self.services.staff.late, member)
            await context.bot.send_message(user_id(update), staff_texts.late(groups)[:4000])

    async def progress(self, update: Update, context: Context) -> None:
        """/postep: coverage per territory."""
        if member := await self._member(update, context):
            rows = await self.services.offload(self.services.staff.progress, member)
            await context.bot.send_message(user_id(update), staff_texts.progress(rows)[:4000])

    async def remind(self, update: Update, context: Context) -> None:
        """/przypomnij <org>: a reminder now (through the outbox, once a day)."""
        if not (member := await self._member(update, context)):
            return
        if not context.args:
            await context.bot.send_message(user_id(update), staff_texts.remind_usage())
            return
        results = await self.services.offload(self.services.staff.remind, member, context.args[0])
        text = staff_texts.reminded(context.args[0], results)
        await context.bot.send_message(user_id(update), text)

    async def report(self, update: Update, context: Context) -> None:
        """/raport: the latest Raport MP files, the spreadsheet attached when it is at hand."""
        if not await self._member(update, context):
            return
        found = await self.services.offload(self.services.staff.reports)
        await context.bot.send_message(user_id(update), staff_texts.reports(found)[:4000])
        for build in found[-1:]:
            sheet = next((f for f in build.files if f.endswith(".xlsx")), None)
            path = Path(build.directory) / sheet if sheet else None
            if path is not None and path.is_file():
                await context.bot.send_document(
                    user_id(update), path.read_bytes(), filename=path.name
                )
