"""The parser port for the services: `mailer.parsing` results mapped to `IncomingMail`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.cards.model import CardDefinition
from mailer.parsing import MailParseResult, parse_message
from mailer.parsing.answers import CardSource
from mailer.parsing.model import BODY
from services.mail_ports import IncomingAnswer, IncomingMail, IncomingRejection


class ReplyParser:
    """Implements `services.mail_ports.MailParser` over `parse_message`."""

    def __init__(self, catalog: CardSource, our_addresses: Iterable[str], our_name: str) -> None:
        self.catalog = catalog
        self.our_addresses = tuple(our_addresses)
        self.our_name = our_name

    def parse(self, raw: bytes, card: CardDefinition | None, today: date) -> MailParseResult:
        """The full parser result (for `kartomat mail parse`)."""
        return parse_message(
            raw,
            card=card,
            catalog=self.catalog,
            our_addresses=self.our_addresses,
            today=today,
            our_name=self.our_name,
        )

    def __call__(self, raw: bytes, card: CardDefinition | None, today: date) -> IncomingMail:
        """Parse and keep what the mail use cases need."""
        return to_incoming(self.parse(raw, card, today))


def _quoted(result: MailParseResult, code: str, source: str | None = None) -> bool:
    """Whether the winning (or the given source's) value of `code` was `>`-quoted."""
    source = source or result.answer_sources.get(code)
    if source != BODY:
        return False
    return any(
        r.code == code and r.source == BODY and r.quote_depth > 0 for r in result.raw_answers
    )


def _raw(result: MailParseResult, code: str) -> str:
    """The text as written for the winning source of `code`."""
    source = result.answer_sources.get(code)
    for raw in result.raw_answers:
        if raw.code == code and raw.source == source:
            return raw.raw
    return str(result.answers[code])


def to_incoming(result: MailParseResult) -> IncomingMail:
    """Map the parser's result to the services' record."""
    bounce = result.bounce
    return IncomingMail(
        kind=result.kind,
        sha256=result.sha256,
        size=result.size,
        message_id=result.message_id,
        in_reply_to=result.in_reply_to,
        references=list(result.references),
        from_address=result.from_address,
        subject=result.subject,
        token=result.token,
        short_token=result.short_token,
        card=result.card,
        answers=[
            IncomingAnswer(
                code, value, _raw(result, code), _quoted(result, code), result.other_texts.get(code)
            )
            for code, value in result.answers.items()
        ],
        rejected=[
            IncomingRejection(
                r.code, r.raw, r.reason_pl, r.reason_en, _quoted(result, r.code, r.source)
            )
            for r in result.rejected
        ],
        conflicts=[(c.code, tuple(c.values)) for c in result.conflicts],
        confirm=result.confirm,
        empty=result.is_empty,
        needs_review=list(result.needs_review),
        bounced_recipient=result.bounced_recipient,
        bounce_hard=result.bounce_hard,
        bounce_reason=(bounce.diagnostic or bounce.status) if bounce else None,
        original_message_id=result.original_message_id,
        errors=list(result.errors),
    )
