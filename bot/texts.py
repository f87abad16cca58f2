"""What the bot says to respondents, in Polish (default) and English (/jezyk).

Kind and precise: every refusal says what was wrong and gives an example.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.cards.model import Lang

WARSAW = ZoneInfo("Europe/Warsaw")


def pick(lang: Lang, pl: str, en: str) -> str:
    """The text in the respondent's language."""
    return pl if lang == "pl" else en


def day(value: date, lang: Lang) -> str:
    """A date as people write it: 30.11.2026 / 30 Nov 2026."""
    return value.strftime("%d.%m.%Y") if lang == "pl" else value.strftime("%d %b %Y")


def moment(value: datetime) -> str:
    """A moment in Polish time: 02.11.2026 10:00."""
    return value.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M")


def several_cards(lang: Lang) -> str:
    """A contact with several open cards picks one."""
    return pick(
        lang,
        "Mają Państwo kilka kart do wypełnienia. Którą zajmiemy się teraz?",
        "You have several cards to fill in. Which one shall we do now?",
    )


def no_open_cards(lang: Lang) -> str:
    """A bound contact with nothing open."""
    return pick(
        lang,
        "Nie ma teraz otwartych kart do wypełnienia. Napiszemy, gdy rozpocznie się kolejna sesja.",
        "There are no open cards to fill in right now. We will write when the next session opens.",
    )


def resume(index: int, total: int, lang: Lang) -> str:
    """Back in the card after a pause or a restart."""
    return pick(
        lang, f"Wracamy do pytania {index} z {total}.", f"Back to question {index} of {total}."
    )


def later(lang: Lang) -> str:
    """ "Później": the card waits."""
    return pick(
        lang,
        "Dobrze, karta poczeka. Aby wrócić, wystarczy napisać dowolną wiadomość.",
        "All right, the card will wait. To come back, just send any message.",
    )


def paused(index: int, total: int, lang: Lang) -> str:
    """/przerwij."""
    return pick(
        lang,
        f"Przerwane – wszystkie odpowiedzi są zapisane. Aby wrócić, wystarczy napisać dowolną "
        f"wiadomość (wrócimy do pytania {index} z {total}).",
        f"Paused – every answer is saved. To come back, just send any message "
        f"(we will return to question {index} of {total}).",
    )


def stale(lang: Lang) -> str:
    """A button from an old message, a finished card or another question."""
    return pick(lang, "Ta odpowiedź jest nieaktualna.", "This answer is out of date.")


def not_text(lang: Lang) -> str:
    """Stickers, photos, voice, locations, files: nothing is recorded."""
    return pick(
        lang,
        "Niestety nie odczytujemy naklejek, zdjęć, nagrań, plików ani lokalizacji. "
        "Prosimy wpisać odpowiedź albo nacisnąć przycisk.",
        "Sorry, we cannot read stickers, photos, recordings, files or locations. "
        "Please type the answer or press a button.",
    )


def edited(lang: Lang) -> str:
    """An edited message changes nothing."""
    return pick(
        lang,
        "Zmiana wysłanej już wiadomości nie zmienia odpowiedzi. Aby poprawić odpowiedź, "
        "prosimy wpisać ją jeszcze raz z kodem pytania, np. II.3.4 = 5, albo użyć /wstecz.",
        "Editing a sent message does not change the answer. To correct an answer, type it "
        "again with the question code, e.g. II.3.4 = 5, or use /wstecz.",
    )


def status(card: str, org: str, answered: int, total: int, missing: int, lang: Lang) -> str:
    """/status."""
    return pick(
        lang,
        f"{card} – {org}\nOdpowiedzi: {answered} z {total}; brakuje obowiązkowych: {missing}.",
        f"{card} – {org}\nAnswered: {answered} of {total}; required still missing: {missing}.",
    )


def submitted_status(number: str, at: datetime, deadline: date, lang: Lang) -> str:
    """/status of a submitted card."""
    return pick(
        lang,
        f"Karta wysłana {moment(at)}, numer zgłoszenia {number}. Poprawki są możliwe do "
        f"{day(deadline, lang)} (/podsumowanie).",
        f"Card submitted on {moment(at)}, submission number {number}. Corrections are possible "
        f"until {day(deadline, lang)} (/podsumowanie).",
    )


def optional_note(lang: Lang) -> str:
    """Under an optional question."""
    return pick(lang, "Pytanie nieobowiązkowe – /pomin, aby pominąć.", "Optional – /pomin to skip.")


def prefilled(value: str, lang: Lang) -> str:
    """A value known from the registry, to confirm or change."""
    return pick(
        lang, f"Zapisane: {value} — Potwierdź / Zmień", f"Saved: {value} — Confirm / Change"
    )


def change_prompt(lang: Lang) -> str:
    """After "Zmień" on a prefilled value."""
    return pick(lang, "Proszę wpisać nową wartość.", "Please type the new value.")


def other_prompt(label: str, chosen: str, lang: Lang) -> str:
    """ "inny"/"inne" needs its free-text description."""
    example = f"{chosen}, {label}: pomoc prawna" if chosen else f"{label}: fundacja rodzinna"
    return pick(
        lang,
        f"Prosimy dopisać, jaki to „{label}”: wpisz odpowiedź z opisem, np. {example}",
        f"Please describe '{label}': type the answer with a description, e.g. {example}",
    )


def nothing_chosen(lang: Lang) -> str:
    """ "Gotowe" with no toggle on."""
    return pick(
        lang,
        "Nic nie zaznaczono – prosimy wybrać co najmniej jedną pozycję.",
        "Nothing is ticked – please choose at least one item.",
    )


def warning(message: str, lang: Lang) -> str:
    """A consistency warning to confirm or correct."""
    return pick(lang, f"⚠️ Czy to prawda? {message}", f"⚠️ Is this right? {message}")


def fix_prompt(lang: Lang) -> str:
    """ "Popraw" after a warning."""
    return pick(lang, "Proszę wpisać poprawną wartość.", "Please type the correct value.")


def saved(code: str, value: str, lang: Lang) -> str:
    """A correction typed as `II.3.4 = 5`."""
    return pick(lang, f"Zapisano: {code} = {value}.", f"Saved: {code} = {value}.")


def summary_intro(card: str, org: str, lang: Lang) -> str:
    """Above the summary."""
    return pick(lang, f"Podsumowanie: {card} – {org}", f"Summary: {card} – {org}")


def summary_outro(lang: Lang) -> str:
    """Under the summary, with the part/sphere and send buttons."""
    return pick(
        lang,
        "Prosimy sprawdzić odpowiedzi. Aby poprawić, wybierz część lub sferę albo wpisz np. "
        "II.3.4 = 5. Karta zostanie wysłana dopiero po naciśnięciu „Zatwierdź i wyślij”.",
        "Please check the answers. To correct one, choose a part or sphere, or type e.g. "
        "II.3.4 = 5. The card is sent only when you press 'Zatwierdź i wyślij'.",
    )


def no_answer(lang: Lang) -> str:
    """A question without an answer in the summary."""
    return pick(lang, "— brak odpowiedzi —", "— no answer —")


def section_pick(title: str, lang: Lang) -> str:
    """Which question of a part or sphere to correct."""
    return pick(lang, f"{title}\nKtóre pytanie poprawić?", f"{title}\nWhich question to correct?")


def confirm_warnings(messages: list[str], lang: Lang) -> str:
    """Submission waits for the warnings to be confirmed."""
    items = "\n".join(f"• {m}" for m in messages)
    return pick(
        lang,
        f"Przed wysłaniem prosimy sprawdzić:\n{items}\n\nCzy wszystko się zgadza?",
        f"Before sending, please check:\n{items}\n\nIs everything right?",
    )


def receipt(number: str, at: datetime, deadline: date, corrected: bool, lang: Lang) -> str:
    """After submission: number, time, corrections until the deadline."""
    head = pick(
        lang,
        "✅ Poprawiona karta została zapisana." if corrected else "✅ Karta została wysłana.",
        "✅ The corrected card is saved." if corrected else "✅ The card has been submitted.",
    )
    return head + pick(
        lang,
        f"\nNumer zgłoszenia: {number}\nCzas: {moment(at)}\nPoprawki są możliwe do "
        f"{day(deadline, lang)} – każda poprawka to nowa wersja karty (/podsumowanie). Dziękujemy!",
        f"\nSubmission number: {number}\nTime: {moment(at)}\nCorrections are possible until "
        f"{day(deadline, lang)} – each correction is a new version (/podsumowanie). Thank you!",
    )


def problem_prompt(lang: Lang) -> str:
    """/problem without a description."""
    return pick(
        lang,
        "Prosimy opisać problem w tej samej wiadomości, np. /problem Nie mogę otworzyć linku.",
        "Please describe the problem in the same message, e.g. /problem I cannot open the link.",
    )


def problem_sent(lang: Lang) -> str:
    """A problem forwarded to staff."""
    return pick(
        lang,
        "Dziękujemy – zgłoszenie przekazaliśmy pracownikom Centrum Monitoringu, którzy "
        "odpowiadają za Państwa gminę. Skontaktują się z Państwem w godzinach dyżuru.",
        "Thank you – we have passed your report to the Centrum Monitoringu staff for your "
        "gmina. They will contact you during duty hours.",
    )


def language_set(lang: Lang) -> str:
    """/jezyk."""
    return pick(
        lang, "Język: polski. (English: /jezyk en)", "Language: English. (Polski: /jezyk pl)"
    )


def unknown_command(lang: Lang) -> str:
    """A command the bot does not know."""
    return pick(
        lang,
        "Nie znam tej komendy. Lista komend: /pomoc.",
        "I do not know this command. All commands: /pomoc.",
    )


def failure(lang: Lang) -> str:
    """An unexpected error: nothing was lost, try again."""
    return pick(
        lang,
        "Przepraszamy, coś poszło nie tak po naszej stronie. Zapisane odpowiedzi są bezpieczne – "
        "prosimy spróbować jeszcze raz za chwilę.",
        "Sorry, something went wrong on our side. Saved answers are safe – please try again "
        "in a moment.",
    )


def all_answered(lang: Lang) -> str:
    """Nothing left to ask."""
    return pick(
        lang,
        "Wszystkie pytania mają odpowiedź.",
        "Every question has an answer.",
    )
