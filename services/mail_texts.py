"""The words of our emails to respondents (Polish, or English for `language=en`).

Lines that name a question in running text start with `• CODE (label)`: the reply
parser takes only `[CODE] …:` and `CODE:`/`CODE =`/`CODE –` lines as answers, so a
respondent who quotes our reply never "answers" with our own lists.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.cards.model import Lang
from services.card_state import WARSAW


def t(lang: Lang, pl: str, en: str) -> str:
    """The text in the contact's language."""
    return pl if lang == "pl" else en


def days(n: int, lang: Lang) -> str:
    """`1 dzień`, `3 dni`; `1 day`, `3 days`."""
    if lang == "en":
        return f"{n} day" if n == 1 else f"{n} days"
    return f"{n} dzień" if n == 1 else f"{n} dni"


def day(value: date) -> str:
    """Dates as Poles write them: 30.11.2026."""
    return f"{value:%d.%m.%Y}"


def moment(value: datetime) -> str:
    """A time in Warsaw: 22.11.2026, 10:15."""
    return f"{value.astimezone(WARSAW):%d.%m.%Y, %H:%M}"


def greeting(lang: Lang) -> str:
    """The salutation of every message."""
    return t(lang, "Szanowni Państwo,", "Dear Sir or Madam,")


def signature(name: str, lang: Lang) -> list[str]:
    """The closing lines (RFC 3676 4.3 signature separator "-- ")."""
    note = t(
        lang,
        "Wiadomość wysłana automatycznie. Odpowiedzi na nią czyta system kartomat "
        "i pracownicy Centrum.",
        "This message was sent automatically. Replies are read by kartomat and the Centrum staff.",
    )
    return ["", "-- ", name, note]


def how_to_reply(lang: Lang, telegram_link: str | None) -> list[str]:
    """The instructions above the template."""
    lines = [
        t(
            lang,
            "Jak odpowiedzieć: prosimy kliknąć „Odpowiedz” i wpisać odpowiedzi po dwukropku "
            "w liniach poniżej (można zostawić pozostałą treść). Można też wypełnić "
            "załączony plik XLSX (kolumna „Odpowiedź”) i odesłać go w odpowiedzi. "
            "Odpowiedzi można przesłać w kilku wiadomościach.",
            "How to reply: click Reply and type each answer after the colon in the lines "
            "below (the rest may stay). You may also fill in the attached XLSX file "
            "(column „Odpowiedź”) and send it back. Answers may come in several messages.",
        )
    ]
    if telegram_link:
        lines += [
            "",
            t(lang, "Kartę można też wypełnić w Telegramie: ", "Or fill it in Telegram: ")
            + telegram_link,
        ]
    return lines


def invitation_intro(
    org: str, card: str, session: str, deadline: date, count: int, lang: Lang
) -> list[str]:
    """What an invitation says before the template."""
    return [
        t(
            lang,
            f"Centrum Monitoringu MP prosi o wypełnienie karty monitoringu ({card}) za okres "
            f"{session} dla: {org}.",
            f"The Centrum Monitoringu MP asks you to fill in the {card} for {session} for: {org}.",
        ),
        t(
            lang,
            f"Termin: {day(deadline)}. Pytań: {count}; część danych z rejestru jest już "
            "wpisana – prosimy je sprawdzić.",
            f"Deadline: {day(deadline)}. Questions: {count}; registry data is filled in "
            "already, please check it.",
        ),
    ]


def reminder_intro(
    card: str, session: str, deadline: date, left: int, missing: int, lang: Lang
) -> list[str]:
    """What a reminder says: what is missing and how many days are left."""
    if left >= 0:
        when = t(
            lang,
            f"Do terminu ({day(deadline)}) zostało: {days(left, lang)}.",
            f"{days(left, lang)} left until the deadline ({day(deadline)}).",
        )
    else:
        when = t(
            lang,
            f"Termin ({day(deadline)}) minął {days(-left, lang)} temu.",
            f"The deadline ({day(deadline)}) passed {days(-left, lang)} ago.",
        )
    return [
        t(
            lang,
            f"Przypominamy o karcie {card} za okres {session}.",
            f"A reminder about the {card} for {session}.",
        )
        + " "
        + when,
        t(
            lang,
            f"Brakuje jeszcze odpowiedzi na pytania: {missing} – poniżej tylko one.",
            f"Answers are still missing for {missing} questions; only those are below.",
        ),
    ]


def receipt_lines(
    number: str, at: datetime, deadline: date, frozen: bool, corrected: bool, lang: Lang
) -> list[str]:
    """The receipt: submission number, time and whether corrections are possible."""
    first = t(
        lang,
        f"Karta została {'poprawiona' if corrected else 'przyjęta'}. Numer zgłoszenia: {number}, "
        f"czas: {moment(at)}.",
        f"The card was {'corrected' if corrected else 'received'}. Submission number: {number}, "
        f"time: {moment(at)}.",
    )
    if frozen:
        later = t(
            lang, "Karty tej sesji nie można już zmieniać.", "This card can no longer be changed."
        )
    else:
        later = t(
            lang,
            f"Korekty są możliwe do {day(deadline)} – wystarczy odpisać z nowymi wartościami "
            "(każda korekta to nowa wersja).",
            f"Corrections are possible until {day(deadline)}: reply with the new values "
            "(each correction is a new version).",
        )
    return [first, later]
