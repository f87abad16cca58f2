"""The reply to an incoming email and the short notices (closed session, empty reply…).

The reply's content is fixed when the message is ingested (the outbox payload), so a
retried send says exactly the same thing; labels are looked up when it is composed.
"""

from __future__ import annotations

from typing import Any

from domain.cards.model import CardDefinition, Lang, Question
from domain.cards.values import display, from_json
from services.mail_texts import t

CONFIRM_WORD = "POTWIERDZAM"


def _label(card: CardDefinition, code: str, lang: Lang) -> str:
    question = card.by_code(code)
    return question.label(lang) if question else code


def shown(card: CardDefinition, code: str, value: Any, other: str | None, lang: Lang) -> str:
    """A JSON answer value as the respondent reads it ("tak", "1 200", "14.03.2025")."""
    question = card.by_code(code)
    if question is None:
        return str(value)
    try:
        parsed = from_json(question, value)
        return display(question, card.options_of(question), parsed, lang, other)
    except Exception:  # a value stored by an older card version: show it as stored
        return str(value)


def item(card: CardDefinition, code: str, text: str, lang: Lang) -> str:
    """`• II.0.1 (Liczba podmiotów…): 120` – never read back as an answer line."""
    return f"• {code} ({_label(card, code, lang)}): {text}"


def accepted_lines(card: CardDefinition, payload: dict[str, Any], lang: Lang) -> list[str]:
    """What was accepted, with the value as understood."""
    accepted = payload.get("accepted") or []
    if not accepted:
        return []
    head = t(
        lang, f"Przyjęte odpowiedzi ({len(accepted)}):", f"Accepted answers ({len(accepted)}):"
    )
    return ["", head] + [item(card, c, shown(card, c, v, o, lang), lang) for c, v, o in accepted]


def rejected_lines(card: CardDefinition, payload: dict[str, Any], lang: Lang) -> list[str]:
    """What was refused and why (the reason carries an example)."""
    rejected = payload.get("rejected") or []
    if not rejected:
        return []
    head = t(
        lang,
        f"Nie przyjęto ({len(rejected)}) – prosimy poprawić:",
        f"Not accepted ({len(rejected)}), please correct:",
    )
    lines = ["", head]
    for code, raw, reason_pl, reason_en in rejected:
        reason = reason_pl if lang == "pl" else reason_en
        lines.append(item(card, code, f"„{raw}” – {reason}", lang))
    return lines


def conflict_lines(card: CardDefinition, payload: dict[str, Any], lang: Lang) -> list[str]:
    """Body and attachment disagreeing: listed, never guessed (channels.md)."""
    conflicts = payload.get("conflicts") or []
    if not conflicts:
        return []
    head = t(
        lang,
        "Różne wartości w treści i w załączniku – nie zapisano żadnej, prosimy wskazać właściwą:",
        "The message and the attachment disagree; nothing was saved, please give the right value:",
    )
    lines = ["", head]
    for code, values in conflicts:
        either = t(lang, " albo ", " or ").join(shown(card, code, v, None, lang) for v in values)
        lines.append(item(card, code, either, lang))
    return lines


def warning_lines(payload: dict[str, Any], lang: Lang) -> list[str]:
    """Consistency warnings and how to confirm them."""
    warnings = payload.get("warnings") or []
    if not warnings:
        return []
    head = t(
        lang,
        "Prosimy sprawdzić (to nie błędy, ale wartości wyglądają na niespójne):",
        "Please check (not errors, but the values look inconsistent):",
    )
    lines = ["", head] + [f"• {pl if lang == 'pl' else en}" for pl, en in warnings]
    if payload.get("needs_confirmation"):
        lines.append(
            t(
                lang,
                f"Jeśli wartości są poprawne, prosimy odpisać słowem {CONFIRM_WORD} – wtedy "
                "karta zostanie wysłana. Można też poprawić wartości w odpowiedzi.",
                f"If the values are right, reply with the word {CONFIRM_WORD} and the card will "
                "be submitted; or correct the values in your reply.",
            )
        )
    return lines


def missing_intro(missing: list[Question], lang: Lang) -> list[str]:
    """The line above the fresh template of the questions still missing."""
    if not missing:
        return []
    return [
        "",
        t(
            lang,
            f"Brakuje jeszcze odpowiedzi na pytania ({len(missing)}) – szablon "
            "poniżej zawiera tylko je.",
            f"Answers are still missing ({len(missing)}); the template below has only those.",
        ),
    ]


def nothing_new(lang: Lang) -> list[str]:
    """A reply whose values were all already recorded."""
    return [
        "",
        t(
            lang,
            "Wszystkie wartości z tej wiadomości były już zapisane – nic się nie zmieniło.",
            "Every value in this message was already recorded; nothing changed.",
        ),
    ]


NOTICES: dict[str, tuple[str, str]] = {
    "closed": (
        "Sesja {session} jest już zamknięta, więc odpowiedzi z tej wiadomości nie zostały "
        "zapisane. Wiadomość zachowaliśmy; w razie pytań prosimy o kontakt z Centrum.",
        "Session {session} is closed, so the answers in this message were not recorded. "
        "We kept the message; please contact the Centrum with any questions.",
    ),
    "baseline": (
        "Sesja {session} jest sesją bazową: jej karty są zamrożone i nie można ich zmieniać. "
        "Odpowiedzi z tej wiadomości nie zostały zapisane.",
        "Session {session} is the baseline: its cards are frozen. The answers were not recorded.",
    ),
    "not_open": (
        "Sesja {session} nie jest jeszcze otwarta – odpowiedzi będzie można przesłać od jej "
        "otwarcia. Wiadomość zachowaliśmy.",
        "Session {session} is not open yet; answers can be sent once it opens.",
    ),
    "empty": (
        "Otrzymaliśmy wiadomość bez odpowiedzi. Prosimy wpisać wartości po dwukropku w liniach "
        "szablonu, np. „[II.0.1] Liczba podmiotów…: 25”, i odesłać wiadomość.",
        "Your message had no answers. Please type each value after the colon in the template "
        "lines, e.g. „[II.0.1] …: 25”, and send it back.",
    ),
    "needs_template": (
        "Załącznik ({detail}) nie jest szablonem karty, więc nie mogliśmy go odczytać "
        "automatycznie; przekazaliśmy go pracownikom Centrum. Prosimy o odpowiedź w szablonie "
        "(linie „[KOD] pytanie: odpowiedź”, np. „[II.0.1] …: 25”) albo w załączonym pliku XLSX.",
        "The attachment ({detail}) is not the card template, so it could not be read; staff "
        "will look at it. Please answer in the template lines (e.g. „[II.0.1] …: 25”) or in "
        "the attached XLSX file.",
    ),
    "too_large": (
        "Wiadomość była za duża ({detail}) i nie została odczytana; przekazaliśmy ją "
        "pracownikom Centrum. Prosimy przesłać odpowiedzi w treści wiadomości albo w pliku XLSX.",
        "The message was too large ({detail}) and was not read; staff will look at it. "
        "Please send the answers in the message text or in the XLSX file.",
    ),
    "pending_review": (
        "Otrzymaliśmy odpowiedzi do Państwa karty z adresu {detail}, którego nie ma w naszym "
        "rejestrze. Zostaną zapisane po sprawdzeniu przez pracownika Centrum. Jeśli to nie "
        "Państwa współpracownik, prosimy o kontakt.",
        "We received answers for your card from {detail}, an address not in our registry. "
        "They will be recorded once staff have checked them. If you do not know this "
        "sender, please contact us.",
    ),
}


def notice_lines(reason: str, session: str, detail: str, lang: Lang) -> list[str]:
    """The one paragraph of a notice."""
    pl, en = NOTICES.get(reason, NOTICES["empty"])
    return [t(lang, pl, en).format(session=session, detail=detail)]
