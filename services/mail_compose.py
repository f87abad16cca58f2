"""Composing an outbox row into an email: words, fill-in template, XLSX rows, threading.

The Message-ID is derived from the outbox row (id and dedupe key), so every retry of
one row carries the same id, and it is stored before the first attempt so a reply
that threads to it (In-Reply-To/References) finds its assignment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.cards.model import Lang, Question
from domain.entities import OutboxMessage
from domain.tokens import derive_token
from services import mail_reply_texts as reply
from services import mail_template as tpl
from services import mail_texts as words
from services.card_state import CardState, local_date
from services.collection import prefill_value
from services.mail_ports import ComposedMail, MailIdentity, SentMail
from services.mail_staff_texts import SUBJECTS, staff_body
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.unit import PreviousAnswers, load_state

ASSIGNMENT_KINDS = frozenset(
    {"invitation", "reminder", "overdue", "confirmation", "mail_reply", "mail_notice"}
)
_SUBJECTS = {
    "invitation": (
        "Prośba o wypełnienie: {card}, sesja {session}",
        "Please fill in: {card}, {session}",
    ),
    "reminder": ("Przypomnienie: {card}, sesja {session}", "Reminder: {card}, {session}"),
    "overdue": ("Termin minął: {card}, sesja {session}", "Deadline passed: {card}, {session}"),
    "confirmation": (
        "Potwierdzenie przyjęcia: {card}, sesja {session}",
        "Receipt: {card}, {session}",
    ),
}


def message_id_for(message: OutboxMessage, domain: str) -> str:
    """`<kartomat.42.1a2b3c4d5e6f@domain>`: deterministic per outbox row (RFC 5322 3.6.4)."""
    digest = hashlib.sha256(f"{message.id}:{message.dedupe_key}".encode()).hexdigest()[:12]
    return f"<kartomat.{message.id}.{digest}@{domain}>"


class MailComposeService:
    """Turns outbox rows of the email channel into `ComposedMail`."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CardCatalog,
        clock: Clock,
        secret: bytes,
        identity: MailIdentity,
    ) -> None:
        self.uow = uow
        self.catalog = catalog
        self.clock = clock
        self.secret = secret
        self.identity = identity
        self.previous = PreviousAnswers(catalog)

    def compose(self, message: OutboxMessage) -> ComposedMail:
        """The email for one outbox row; its Message-ID is recorded first."""
        with self.uow() as uow:
            if message.kind in ASSIGNMENT_KINDS and message.payload.get("assignment_id"):
                mail = self._assignment_mail(uow, message)
            else:
                mail = self._staff_mail(uow, message)
            uow.sent_mail.add(
                SentMail(
                    message.id or 0,
                    mail.message_id,
                    message.recipient,
                    message.kind,
                    self.clock.now(),
                    message.assignment_id,
                )
            )
            uow.commit()
        return mail

    def _staff_mail(self, uow: UnitOfWork, message: OutboxMessage) -> ComposedMail:
        lines = [
            *staff_body(uow, message.kind, message.payload),
            *words.signature(self.identity.name, "pl"),
        ]
        subject = SUBJECTS.get(message.kind, "Wiadomość z systemu kartomat")
        if message.payload.get("session"):
            subject += f" – sesja {message.payload['session']}"
        mid = message_id_for(message, self.identity.domain)
        return ComposedMail(message.recipient, subject, "\n".join(lines), mid)

    def _assignment_mail(self, uow: UnitOfWork, message: OutboxMessage) -> ComposedMail:
        state = load_state(uow, self.catalog, self.clock, int(message.payload["assignment_id"]))
        self.previous.warnings_for(uow, state)
        lang = self._language(uow, state, message.recipient)
        token = derive_token(self.secret, state.assignment.token_nonce)
        lines, rows = self._content(state, message, lang, token)
        mail = ComposedMail(
            to=message.recipient,
            subject=self._subject(state, message, lang, token),
            text="\n".join(lines),
            message_id=message_id_for(message, self.identity.domain),
            lang=lang,
            reply_to=self.identity.reply_to(token),
            in_reply_to=message.payload.get("in_reply_to"),
            references=list(message.payload.get("references") or []),
        )
        if rows is not None and message.kind in (
            "invitation",
            "reminder",
            "overdue",
            "mail_notice",
        ):
            mail.sheet = tpl.sheet_rows(rows, lang)
            mail.sheet_name = f"karta-{state.card.card.value}-{state.session.name}.xlsx"
        return mail

    def _language(self, uow: UnitOfWork, state: CardState, recipient: str) -> Lang:
        contacts = uow.contacts.for_organisation(state.organisation.id or 0)
        found = next((c for c in contacts if (c.email or "").lower() == recipient.lower()), None)
        contact = found or state.contact
        chosen = contact.language if contact is not None else self.identity.language
        return "en" if chosen == "en" else "pl"

    def _subject(self, state: CardState, message: OutboxMessage, lang: Lang, token: str) -> str:
        tag = tpl.subject_tag(state.card.card.value, state.session.name, token)
        card = f"Karta {state.card.card.value.upper()}"
        if message.kind in _SUBJECTS:
            pl, en = _SUBJECTS[message.kind]
            return f"{words.t(lang, pl, en).format(card=card, session=state.session.name)} {tag}"
        original = str(message.payload.get("subject") or "").strip()
        base = original if original.lower().startswith(("re:", "odp:")) else f"Re: {original}"
        if not original:
            base = words.t(lang, f"Odpowiedź w sprawie: {card}", f"About your {card}")
        return base if "#" + token[:8] in base else f"{base} {tag}"

    def _content(
        self, state: CardState, message: OutboxMessage, lang: Lang, token: str
    ) -> tuple[list[str], list[tuple[Question, str]] | None]:
        """The body (greeting, the kind's text, the template when it has one, signature)."""
        payload = message.payload
        link = f"https://t.me/{self.identity.bot_username}?start={token}"
        if message.kind == "confirmation":
            body, questions = self._confirmation(state, payload, lang), []
        elif message.kind == "mail_reply":
            body = self._reply(state, payload, lang)
            questions = _questions(state, payload.get("missing"))
        elif message.kind == "mail_notice":
            body, questions = self._notice(state, payload, lang)
        else:
            body = [*self._request(state, message.kind, lang), "", *words.how_to_reply(lang, link)]
            invitation = message.kind == "invitation"
            questions = list(state.card.asked_questions) if invitation else state.missing
        return self._with_template([words.greeting(lang), "", *body], state, questions, lang)

    def _request(self, state: CardState, kind: str, lang: Lang) -> list[str]:
        """The invitation's or a reminder's own words (what, for whom, until when)."""
        card = f"Karta {state.card.card.value.upper()}"
        session = state.session.name
        if kind == "invitation":
            count = len(state.applicable)
            org = state.organisation.name
            return words.invitation_intro(org, card, session, state.deadline, count, lang)
        left = (state.deadline - local_date(state.now)).days
        return words.reminder_intro(card, session, state.deadline, left, len(state.missing), lang)

    def _notice(
        self, state: CardState, payload: dict[str, Any], lang: Lang
    ) -> tuple[list[str], list[Question]]:
        """A rejection-type notice; "send the template" ones carry the missing questions."""
        reason = str(payload.get("reason"))
        detail = str(payload.get("detail") or "")
        body = reply.notice_lines(reason, state.session.name, detail, lang)
        return body, state.missing if reason in ("empty", "needs_template") else []

    def _with_template(
        self, lines: list[str], state: CardState, questions: Sequence[Question], lang: Lang
    ) -> tuple[list[str], list[tuple[Question, str]] | None]:
        if not questions:
            return lines + words.signature(self.identity.name, lang), None
        rows = [(q, tpl.shown_value(state, q, lang, prefill_value(state, q))) for q in questions]
        body = [*lines, "", tpl.MARKER, "", *tpl.template_lines(rows, lang)]
        options = tpl.option_lines(state.card, questions, lang)
        if options:
            body += ["", words.t(lang, "Listy wyboru:", "Lists of choices:"), *options]
        return body + words.signature(self.identity.name, lang), rows

    def _confirmation(self, state: CardState, payload: dict[str, Any], lang: Lang) -> list[str]:
        a = state.assignment
        if not (a.submission_no and a.submitted_at):
            return [words.t(lang, "Karta nie została jeszcze wysłana.", "Not submitted yet.")]
        frozen = state.session.is_baseline
        lines = words.receipt_lines(
            a.submission_no,
            a.submitted_at,
            state.deadline,
            frozen,
            bool(payload.get("corrected")),
            lang,
        )
        lines += ["", words.t(lang, "Przesłane odpowiedzi:", "Answers submitted:")]
        for q in state.applicable:
            if q.id in state.answers:
                shown = tpl.shown_value(state, q, lang, None)
                lines.append(reply.item(state.card, q.code, shown, lang))
        return lines

    def _reply(self, state: CardState, payload: dict[str, Any], lang: Lang) -> list[str]:
        card = state.card
        lines = [
            words.t(
                lang,
                "Dziękujemy za wiadomość. Oto co z niej odczytaliśmy.",
                "Thank you for your message. This is what we read from it.",
            )
        ]
        lines += reply.accepted_lines(card, payload, lang)
        if payload.get("unchanged_only"):
            lines += reply.nothing_new(lang)
        lines += reply.rejected_lines(card, payload, lang)
        lines += reply.conflict_lines(card, payload, lang)
        lines += reply.warning_lines(payload, lang)
        submitted = payload.get("submitted")
        if submitted:
            a = state.assignment
            lines += [
                "",
                *words.receipt_lines(
                    submitted["number"],
                    a.submitted_at or state.now,
                    state.deadline,
                    state.session.is_baseline,
                    bool(submitted.get("corrected")),
                    lang,
                ),
            ]
        missing = _questions(state, payload.get("missing"))
        return lines + reply.missing_intro(missing, lang)


def _questions(state: CardState, codes: Any) -> list[Question]:
    """The questions named by code in a payload, in card order."""
    wanted = set(codes or [])
    return [q for q in state.card.asked_questions if q.code in wanted]
