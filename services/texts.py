"""Polish (and English) texts of the refusals the services raise."""

from __future__ import annotations

from domain.errors import NotAllowed, NotFound


def session_closed(name: str) -> NotAllowed:
    """The session no longer accepts anything."""
    return NotAllowed(
        f"Sesja monitorująca {name} jest już zamknięta – nie można w niej niczego zmieniać. "
        "Jeśli to pomyłka, prosimy o kontakt z Centrum Monitoringu.",
        f"The monitoring session {name} is closed; nothing can be changed in it. "
        "If this is a mistake, please contact the Centrum Monitoringu.",
    )


def baseline_frozen(name: str) -> NotAllowed:
    """The baseline session is frozen forever (Atlas ~975-980)."""
    return NotAllowed(
        f"Sesja {name} jest sesją bazową: jej karty i wartości są zamrożone i nie mogą "
        "być zmieniane.",
        f"Session {name} is the baseline: its cards and values are frozen for good.",
    )


def session_not_open(name: str) -> NotAllowed:
    """The session has not been opened yet."""
    return NotAllowed(
        f"Sesja {name} nie jest jeszcze otwarta – karty można wypełniać od jej otwarcia.",
        f"Session {name} is not open yet; cards can be filled once it opens.",
    )


def correction_after_deadline(deadline: str) -> NotAllowed:
    """Corrections of a submitted card end with the deadline."""
    return NotAllowed(
        f"Karta została już wysłana, a termin korekt minął {deadline}. "
        "W razie potrzeby prosimy o kontakt z Centrum Monitoringu.",
        f"The card was submitted and the correction period ended on {deadline}. "
        "Please contact the Centrum Monitoringu if needed.",
    )


def unknown_token() -> NotFound:
    """An unknown, revoked or expired invitation token (never say which)."""
    return NotFound(
        "Ten link zaproszenia jest nieważny albo wygasł. Prosimy użyć linku z najnowszej "
        "wiadomości od Centrum Monitoringu lub napisać do nas.",
        "This invitation link is invalid or has expired. Please use the link from the "
        "latest message from the Centrum Monitoringu, or write to us.",
    )


def unknown_code(code: str, example: str) -> NotFound:
    """A question code that is not on the card."""
    return NotFound(
        f"Nie ma pytania o kodzie „{code}” w tej karcie. Podaj kod z nawiasu, np. {example}.",
        f"There is no question with code '{code}' on this card. Use a code such as {example}.",
    )


def cannot_skip_required() -> NotAllowed:
    """Only optional questions can be skipped."""
    return NotAllowed(
        "To pytanie jest obowiązkowe i nie można go pominąć. Jeśli nic takiego nie było, "
        "wpisz 0 (np. 0).",
        "This question is required and cannot be skipped. If there was none, type 0.",
    )


def not_asked(code: str) -> NotAllowed:
    """An answer to a question that does not apply given the other answers."""
    return NotAllowed(
        f"Pytanie {code} nie dotyczy Państwa karty przy obecnych odpowiedziach "
        "(wynika to z wcześniejszych odpowiedzi).",
        f"Question {code} does not apply given your other answers.",
    )


def system_question(code: str) -> NotAllowed:
    """Fields the system sets itself."""
    return NotAllowed(
        f"Pole {code} uzupełnia system automatycznie przy wysłaniu karty.",
        f"Field {code} is set automatically when the card is submitted.",
    )
