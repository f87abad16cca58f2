"""`email` and `phone` answers (also used by the registry import)."""

from __future__ import annotations

import re

from domain.cards.values.text import plural_pl, quoted, tidy
from domain.errors import InvalidAnswer

_EMAIL_EXAMPLE_PL = "Wpisz adres w postaci nazwa@domena.pl, np. jan.kowalski@gmina.pl."
_EMAIL_EXAMPLE_EN = "Type an address like name@domain.pl, e.g. jan.kowalski@gmina.pl."
_PHONE_EXAMPLE_PL = "Wpisz polski numer: 9 cyfr, z +48 lub bez, np. 601 234 567."
_PHONE_EXAMPLE_EN = "Type a Polish number: 9 digits, with or without +48, e.g. 601 234 567."

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")  # RFC 5321 dot-string, no quoted forms
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?:[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}})")
_ANGLED = re.compile(r"<\s*([^<>]*?)\s*>")
_PHONE_PREFIX = re.compile(r"^(?:tel(?:efon)?|kom(?:órka)?|mobile|phone)\.?\s*:?\s*", re.I)
_PHONE_CHARS = re.compile(r"\(?\+?[0-9 ()./-]+", re.ASCII)


def _email_error(pl: str, en: str) -> InvalidAnswer:
    return InvalidAnswer(f"{pl} {_EMAIL_EXAMPLE_PL}", f"{en} {_EMAIL_EXAMPLE_EN}")


def _email_shape(text: str) -> tuple[str, str]:
    """Local part and domain, or a rejection naming what is missing."""
    if not text:
        raise _email_error("Odpowiedź jest pusta.", "The answer is empty.")
    if any(c.isspace() for c in text):
        raise _email_error(
            f"Adres e-mail nie może zawierać spacji ({quoted(text)}).",
            f"An email address cannot contain spaces ({quoted(text)}).",
        )
    if text.count("@") != 1:
        missing = text.count("@") == 0
        raise _email_error(
            f"{quoted(text)} – adres musi zawierać "
            + ("znak @." if missing else "dokładnie jeden znak @."),
            f"{quoted(text)} – an address must contain "
            + ("an @." if missing else "exactly one @."),
        )
    local, domain = text.split("@")
    if "." not in domain:
        raise _email_error(
            f"W adresie {quoted(text)} brakuje domeny z kropką (np. gmina.pl).",
            f"The address {quoted(text)} lacks a domain with a dot (e.g. gmina.pl).",
        )
    return local, domain


def parse_email(raw: str) -> str:
    """An email address, domain lower-cased ("Jan.Kowalski@Gmina.PL" -> "Jan.Kowalski@gmina.pl")."""
    text = tidy(raw).replace("\n", " ")
    if m := _ANGLED.search(text):  # "Jan Kowalski <jan@gmina.pl>"
        text = m[1]
    text = re.sub(r"^mailto:", "", text, flags=re.I).strip()
    local, domain = _email_shape(text)
    domain = domain.lower()
    if (
        not _LOCAL.fullmatch(local)
        or len(local) > 64
        or not _DOMAIN.fullmatch(domain)
        or len(text) > 254
    ):
        raise _email_error(
            f"{quoted(text)} nie wygląda na poprawny adres e-mail.",
            f"{quoted(text)} does not look like a valid email address.",
        )
    return f"{local}@{domain}"


def _phone_error(pl: str, en: str) -> InvalidAnswer:
    return InvalidAnswer(f"{pl} {_PHONE_EXAMPLE_PL}", f"{en} {_PHONE_EXAMPLE_EN}")


def _national(digits: str, plus: bool, text: str) -> str:
    """The 9-digit national number, dropping +48 / 0048 / 48 / a trunk 0."""
    if plus or digits.startswith("00"):
        international = digits[2:] if digits.startswith("00") else digits
        if not international.startswith("48"):
            raise _phone_error(
                f"{quoted(text)} to numer zagraniczny – potrzebny jest polski numer (+48).",
                f"{quoted(text)} is a foreign number – a Polish (+48) number is needed.",
            )
        return international[2:]
    if len(digits) == 11 and digits.startswith("48"):
        return digits[2:]
    if len(digits) == 10 and digits.startswith("0"):  # old landline style "(0 22) 123 45 67"
        return digits[1:]
    return digits


def parse_phone(raw: str) -> str:
    """A Polish phone number, normalised to "+48XXXXXXXXX"."""
    text = _PHONE_PREFIX.sub("", tidy(raw).replace("\n", " "))
    if not text:
        raise _phone_error("Odpowiedź jest pusta.", "The answer is empty.")
    if not _PHONE_CHARS.fullmatch(text):
        raise _phone_error(
            f"{quoted(text)} – numer może zawierać tylko cyfry, spacje, myślniki i nawiasy.",
            f"{quoted(text)} – a number may contain only digits, spaces, dashes and brackets.",
        )
    digits = re.sub(r"[^0-9]", "", text)
    national = _national(digits, text.lstrip("(").startswith("+"), text)
    if len(national) != 9 or national[0] == "0":
        n = len(national)
        raise _phone_error(
            f"{quoted(text)} ma {n} {plural_pl(n, 'cyfrę', 'cyfry', 'cyfr')} numeru, "
            "a polski numer ma 9 cyfr i nie zaczyna się od 0.",
            f"{quoted(text)} has {n} digits, but a Polish number has 9 and does not start with 0.",
        )
    return "+48" + national
