"""Outbox messages rendered for Telegram: reminders, overdue notices, staff alerts and more.

The outbox payload carries data only (services.schedule_messages); the wording is here.
Invitations go by email with the deep link (a bot cannot write first), but a bound
contact can get one here too, e.g. as a fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.texts import day, moment, pick
from domain.cards.model import Lang
from domain.entities import OutboxMessage

CARD = {"ngo": ("Karta NGO", "NGO card"), "izus": ("Karta IZUS", "IZUS card")}
MAX_CODES = 15
LIMIT = 4000


def _card(payload: dict[str, Any], lang: Lang) -> str:
    names = CARD.get(str(payload.get("card")), (str(payload.get("card")),) * 2)
    return names[0] if lang == "pl" else names[1]


def _deadline(payload: dict[str, Any], lang: Lang) -> str:
    raw = payload.get("deadline")
    return day(date.fromisoformat(raw), lang) if isinstance(raw, str) else "?"


def _days(n: int, lang: Lang) -> str:
    if lang == "en":
        return f"{n} day" if n == 1 else f"{n} days"
    return f"{n} dzień" if n == 1 else f"{n} dni"


def _missing(payload: dict[str, Any], lang: Lang) -> str:
    codes = [str(c) for c in payload.get("missing") or []]
    if not codes:
        return ""
    shown = ", ".join(codes[:MAX_CODES]) + (" …" if len(codes) > MAX_CODES else "")
    return pick(
        lang,
        f"\nBrakuje odpowiedzi na {len(codes)} pytań: {shown}.",
        f"\n{len(codes)} answers are missing: {shown}.",
    )


def reminder(payload: dict[str, Any], lang: Lang) -> str:
    """Before the deadline: what is missing and how many days are left."""
    left = int(payload.get("days_left") or 0)
    return (
        pick(
            lang,
            f"🔔 Przypomnienie: {_card(payload, lang)} – {payload.get('organisation')} "
            f"(sesja {payload.get('session')}).\nTermin: {_deadline(payload, lang)}, "
            f"zostało: {_days(max(left, 0), lang)}.",
            f"🔔 Reminder: {_card(payload, lang)} – {payload.get('organisation')} "
            f"(session {payload.get('session')}).\nDeadline: {_deadline(payload, lang)}, "
            f"{_days(max(left, 0), lang)} left.",
        )
        + _missing(payload, lang)
        + pick(
            lang,
            "\nAby kontynuować, wystarczy napisać dowolną wiadomość.",
            "\nTo continue, just send any message.",
        )
    )


def overdue(payload: dict[str, Any], lang: Lang) -> str:
    """After the deadline: still welcome, please send."""
    late = abs(int(payload.get("days_left") or 0))
    return pick(
        lang,
        f"⏰ Termin przekazania karty minął {_deadline(payload, lang)} ({_days(late, lang)} temu): "
        f"{_card(payload, lang)} – {payload.get('organisation')} (sesja {payload.get('session')}). "
        "Prosimy o jej uzupełnienie i wysłanie; w razie kłopotów: /problem.",
        f"⏰ The card was due on {_deadline(payload, lang)} ({_days(late, lang)} ago): "
        f"{_card(payload, lang)} – {payload.get('organisation')} (session "
        f"{payload.get('session')}). Please complete and send it; trouble? /problem.",
    ) + _missing(payload, lang)


def invitation(payload: dict[str, Any], lang: Lang) -> str:
    """A new session for a contact the bot already knows."""
    return pick(
        lang,
        f"📋 Rozpoczęła się sesja monitorująca {payload.get('session')}. Aby wypełnić kartę, "
        "wystarczy napisać /start.",
        f"📋 Monitoring session {payload.get('session')} has started. To fill in your card, "
        "send /start.",
    )


def confirmation(payload: dict[str, Any], lang: Lang) -> str:
    """A submission confirmed (e.g. as a fallback for an unreachable email address)."""
    at = payload.get("at")
    when = moment(datetime.fromisoformat(at)) if isinstance(at, str) else ""
    return pick(
        lang,
        f"✅ Potwierdzamy przyjęcie karty ({when}). Poprawki są możliwe do terminu sesji.",
        f"✅ We confirm receiving your card ({when}). Corrections are possible until the deadline.",
    )


def late_alert(payload: dict[str, Any], lang: Lang) -> str:
    """Staff: late assignments of their territories, by gmina."""
    lines = [f"⚠️ Sesja {payload.get('session')}: spóźnione karty – {payload.get('late_count')}"]
    for group in payload.get("gminy") or []:
        lines.append(f"\n📍 {group.get('gmina') or group.get('teryt')} ({group.get('teryt')})")
        for a in group.get("assignments") or []:
            seen = a.get("last_activity_at")
            seen = moment(datetime.fromisoformat(seen)) if seen else "brak"
            lines.append(
                f"• {a.get('external_id')} {a.get('organisation')} – "
                f"{CARD.get(a.get('card'), (a.get('card'),))[0]}, ostatnia aktywność: "
                f"{seen}, kanał: {a.get('channel')}"
            )
    return "\n".join(lines)


def problem_alert(payload: dict[str, Any], lang: Lang) -> str:
    """Staff: a respondent reports a transmission problem."""
    return (
        f"🆘 Zgłoszenie problemu: {payload.get('external_id')} {payload.get('organisation')} "
        f"({_card(payload, 'pl')}, sesja {payload.get('session')}, TERYT {payload.get('teryt')}), "
        f"kanał: {payload.get('channel')}.\nTreść: {payload.get('text')}"
    )


def delivery_failed(payload: dict[str, Any], lang: Lang) -> str:
    """Staff: a message could not be delivered; the other channel was tried."""
    return (
        f"📵 Nie udało się doręczyć wiadomości ({payload.get('failed_kind')}) kanałem "
        f"{payload.get('failed_channel')} do kontaktu nr {payload.get('contact_id')} "
        f"(organizacja nr {payload.get('organisation_id')}). Powód: {payload.get('reason')}. "
        "Kontakt oznaczono jako nieosiągalny tym kanałem; wysłano przez drugi kanał, jeśli jest."
    )


RENDERERS: dict[str, Callable[[dict[str, Any], Lang], str]] = {
    "reminder": reminder,
    "overdue": overdue,
    "invitation": invitation,
    "confirmation": confirmation,
    "staff_alert": late_alert,
    "digest": late_alert,
    "problem_alert": problem_alert,
    "delivery_failed": delivery_failed,
}


def render(message: OutboxMessage, lang: Lang = "pl") -> str | None:
    """The message text, or None for a kind Telegram does not carry."""
    renderer = RENDERERS.get(message.kind)
    if renderer is None:
        return None
    text = renderer(message.payload, lang)
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"
