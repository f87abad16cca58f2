"""The longer texts: the greeting, how to start, and /pomoc (Polish and English)."""

from __future__ import annotations

from datetime import date

from bot.texts import day, pick
from domain.cards.model import Lang


def greeting(org: str, card: str, session: str, deadline: date, count: int, lang: Lang) -> str:
    """Who the card is for, by when, how long, and how to pause."""
    minutes = max(5, round(count * 0.4))
    return pick(
        lang,
        f"Dzień dobry! Tu Centrum Monitoringu MP.\n\nOrganizacja: {org}\nKarta: {card}\n"
        f"Sesja: {session}\nTermin: {day(deadline, lang)}\nLiczba pytań: {count} "
        f"(ok. {minutes} min)\n\nPytania przychodzą po jednym. Odpowiedzi zapisujemy na bieżąco: "
        "w każdej chwili można przerwać (/przerwij) i wrócić dowolną wiadomością. "
        "Pomoc: /pomoc.",
        f"Hello! This is the Centrum Monitoringu MP.\n\nOrganisation: {org}\nCard: {card}\n"
        f"Session: {session}\nDeadline: {day(deadline, lang)}\nQuestions: {count} "
        f"(about {minutes} min)\n\nQuestions come one at a time. Every answer is saved at once: "
        "you can pause at any moment (/przerwij) and come back with any message. Help: /pomoc.",
    )


def not_bound(bot_username: str, lang: Lang) -> str:
    """/start without an invitation from an account not linked yet."""
    return pick(
        lang,
        "Dzień dobry! Aby wypełnić kartę, prosimy otworzyć osobisty link z zaproszenia od "
        f"Centrum Monitoringu MP (e-mail), np. https://t.me/{bot_username}?start=… "
        "Link łączy to konto Telegram z Państwa organizacją.",
        "Hello! To fill in your card, please open the personal link from the Centrum "
        f"Monitoringu MP invitation email, e.g. https://t.me/{bot_username}?start=…",
    )


def help_text(lang: Lang) -> str:
    """/pomoc."""
    return pick(
        lang,
        "Jak to działa: odpowiadamy na pytania po kolei – wpisując liczbę lub tekst albo "
        "naciskając przycisk.\n\n/wstecz – poprzednie pytanie\n/pomin – pomiń pytanie "
        "nieobowiązkowe\n/podsumowanie – wszystkie odpowiedzi i wysłanie karty\n/status – ile "
        "zostało\n/przerwij – przerwa (odpowiedzi zostają zapisane)\n/problem opis – zgłoszenie "
        "problemu do Centrum, np. /problem Nie widzę przycisków\n/jezyk – English\n\n"
        "Poprawka dowolnej odpowiedzi: wpisz kod i wartość, np. II.3.4 = 5.",
        "How it works: answer the questions one by one – type a number or text, or press a "
        "button.\n\n/wstecz – previous question\n/pomin – skip an optional question\n"
        "/podsumowanie – all answers and sending the card\n/status – what is left\n/przerwij – "
        "pause (answers stay saved)\n/problem text – report a problem to the Centrum, e.g. "
        "/problem I cannot see the buttons\n/jezyk – polski\n\n"
        "To correct any answer, type its code and value, e.g. II.3.4 = 5.",
    )
