"""Emails to Centrum staff and report recipients (always Polish).

Late-submission alerts and digests, transmission problems, failed deliveries, mail
waiting for review, and report distribution. Payloads come from several producers
(scheduler, outbox, mail ingestion, reports), so every field is optional here: a
message missing a detail still goes out with what it has.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.mail_texts import moment
from services.ports import UnitOfWork

SUBJECTS = {
    "staff_alert": "Spóźnione karty – lista do sprawdzenia",
    "digest": "Codzienne zestawienie spóźnionych kart",
    "problem_alert": "Zgłoszony problem z przekazaniem karty",
    "delivery_failed": "Nie udało się dostarczyć wiadomości",
    "mail_review": "Wiadomość e-mail czeka na sprawdzenie",
    "report": "Raport MP",
}
_REVIEW_REASONS = {
    "unregistered_sender": "nadawca spoza rejestru przysłał odpowiedzi z ważnym tokenem",
    "needs_template": "załącznik zamiast szablonu (DOCX/PDF/skan) – wymaga ręcznego przepisania",
    "too_large": "wiadomość za duża – nie została pobrana",
    "bounce_unknown": "zwrot poczty o nieznanej przyczynie – adres nie został wyłączony",
    "bounce_hard": "trwały błąd doręczenia – adres oznaczony jako nieosiągalny",
}
BOUNCE_REASONS = frozenset({"bounce_unknown", "bounce_hard"})
_KINDS_PL = {
    "invitation": "zaproszenie",
    "reminder": "przypomnienie",
    "overdue": "wezwanie po terminie",
    "confirmation": "potwierdzenie",
    "mail_reply": "odpowiedź",
    "mail_notice": "powiadomienie",
}


def _organisation(uow: UnitOfWork, org_id: Any) -> str | None:
    org = uow.organisations.get(org_id) if isinstance(org_id, int) else None
    return f"{org.name} ({org.external_id}, TERYT {org.teryt})" if org else None


def _late_lines(groups: Iterable[Any]) -> list[str]:
    """The scheduler's `gminy`: [{teryt, gmina, assignments: [{organisation, card, …}]}]."""
    lines: list[str] = []
    for group in groups:
        lines += ["", f"Gmina {group.get('gmina') or ''} ({group.get('teryt')}):"]
        for entry in group.get("assignments") or []:
            last = entry.get("last_activity_at")
            activity = moment(datetime.fromisoformat(last)) if last else "brak aktywności"
            lines.append(
                f"• {entry.get('organisation')} ({entry.get('external_id')}) – Karta "
                f"{str(entry.get('card') or '').upper()}, ostatnia aktywność: {activity}, "
                f"kanał: {entry.get('channel') or '?'}"
            )
    return lines


def _detail_lines(uow: UnitOfWork, payload: dict[str, Any]) -> list[str]:
    lines = []
    org = _organisation(uow, payload.get("organisation_id"))
    if org is None and payload.get("organisation"):
        org = f"{payload['organisation']} ({payload.get('external_id') or '?'})"
    if org:
        lines.append(f"Organizacja: {org}")
    if payload.get("card"):
        lines.append(f"Karta: {str(payload['card']).upper()}")
    labels = {
        "reason": "Powód",
        "sender": "Nadawca",
        "subject": "Temat",
        "failed_channel": "Kanał",
        "text": "Treść",
        "session": "Sesja",
        "recipient": "Adres",
    }
    for key, label in labels.items():
        if payload.get(key):
            value = payload[key]
            if key == "reason":
                value = _REVIEW_REASONS.get(str(value), str(value))
            lines.append(f"{label}: {value}")
    if payload.get("failed_kind"):
        lines.append(
            f"Rodzaj wiadomości: {_KINDS_PL.get(payload['failed_kind'], payload['failed_kind'])}"
        )
    return lines


def _inbound_line(kind: str, payload: dict[str, Any]) -> str:
    """What staff can do with the stored message: review it, or (a bounce, which never
    waits for review) check the address and correct it in the registry."""
    inbound = payload["inbound_id"]
    if kind == "mail_review" and payload.get("reason") not in BOUNCE_REASONS:
        return (
            f"Sprawdź: kartomat mail review (wiadomość nr {inbound}); "
            f"zapisać: kartomat mail review --apply {inbound}, "
            f"odrzucić: kartomat mail review --reject {inbound}."
        )
    return (
        f"Zwrot zapisano jako wiadomość nr {inbound}. Jeśli adres jest nieaktualny, wpisz "
        "poprawny w rejestrze: kartomat registry import."
    )


def staff_body(uow: UnitOfWork, kind: str, payload: dict[str, Any]) -> list[str]:
    """The body lines of a staff message of this kind."""
    lines = [SUBJECTS.get(kind, "Wiadomość z systemu kartomat") + "."]
    lines += _detail_lines(uow, payload)
    if payload.get("late_count") is not None:
        lines.append(f"Spóźnionych kart: {payload['late_count']}")
    lines += _late_lines(payload.get("gminy") or [])
    if payload.get("inbound_id"):
        lines += ["", _inbound_line(kind, payload)]
    for name in payload.get("files") or []:
        lines.append(f"• {name}")
    return lines
