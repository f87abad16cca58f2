"""`one(LIST)` and `many(LIST)` answers: items by number, code or label, plus "inny: …"."""

from __future__ import annotations

import re

from domain.cards.model import Option, OptionList
from domain.cards.values.base import ParsedValue
from domain.cards.values.options import find, label, numbered, other_names, other_option
from domain.cards.values.text import fold, quoted, tidy
from domain.errors import InvalidAnswer

MAX_OTHER_TEXT = 1000  # the follow-up text obeys the `text` type's limit
_SEPARATORS = re.compile(r"\s*[,;\n]+\s*")
_CONJUNCTIONS = re.compile(r"(\s+(?:i|oraz|and|&)\s+)", re.IGNORECASE)  # kept for re-joining
_MAX_PARTS = 40  # more pieces than any list has items: not worth searching


class _Unknown(ValueError):
    """A piece of the answer that names no option."""

    def __init__(self, piece: str) -> None:
        super().__init__(piece)
        self.piece = piece


def _menu(options: OptionList) -> tuple[str, str]:
    """The numbered list of options, in Polish and in English."""
    items = numbered(options)
    return (
        "\n".join(f"{n}. {label(o, 'pl')}" for n, o in items),
        "\n".join(f"{n}. {label(o, 'en')}" for n, o in items),
    )


def _how(options: OptionList, many: bool) -> tuple[str, str]:
    """How to answer, with an example, in Polish and in English."""
    items = numbered(options)
    first = items[0]
    if many and len(items) > 1:
        example = f"{first[0]}, {items[1][0]}"
        pl = f"Wpisz numery, kody lub nazwy, oddzielone przecinkami, np. {example}."
        en = f"Type numbers, codes or names separated by commas, e.g. {example}."
    else:
        pl = f"Wpisz numer, kod lub nazwę, np. {first[0]} albo {label(first[1], 'pl')}."
        en = f"Type a number, code or name, e.g. {first[0]} or {label(first[1], 'en')}."
    if other := other_option(options):
        pl += f" Przy „{other.label_pl}” możesz od razu dopisać opis: {other.label_pl}: …"
        en += f" With '{other.label_en}' you may add a description: {other.label_en}: …"
    return pl, en


def _error(options: OptionList, many: bool, pl: str, en: str) -> InvalidAnswer:
    """A rejection that repeats the list and how to answer."""
    menu_pl, menu_en = _menu(options)
    how_pl, how_en = _how(options, many)
    return InvalidAnswer(
        f"{pl} Możliwe odpowiedzi:\n{menu_pl}\n{how_pl}",
        f"{en} Possible answers:\n{menu_en}\n{how_en}",
    )


def _unknown(options: OptionList, many: bool, piece: str) -> InvalidAnswer:
    """The rejection for a piece that names no option."""
    token = fold(piece)
    if token.isdigit() and token.isascii():
        size = len(options.options)
        return _error(
            options,
            many,
            f"Na liście nie ma pozycji nr {piece} (lista ma {size} pozycji).",
            f"There is no item number {piece} in the list (it has {size} items).",
        )
    return _error(
        options,
        many,
        f"Nie rozpoznaję {quoted(piece)} na liście.",
        f"I do not recognise {quoted(piece)} in the list.",
    )


def _split_other(options: OptionList, text: str) -> tuple[str, str | None, Option | None]:
    """Separate "inne: pomoc prawna" (to the end of the answer) from the items before it."""
    other = other_option(options)
    if other is None:
        return text, None, None
    names = "|".join(re.escape(n) for n in other_names(other))
    pattern = rf"(?:^|(?<=[\s,;]))(?:{names})\s*(?P<sep>:|[-–—]|\()\s*(?P<text>.*)$"
    m = re.search(pattern, _fold_in_place(text), re.DOTALL)
    if m is None:
        return text, None, None
    detail = text[m.start("text") :].strip()
    if m["sep"] == "(" and detail.endswith(")"):
        detail = detail[:-1].rstrip()
    return text[: m.start()].strip(" ,;\n"), detail or None, other


def _fold_in_place(text: str) -> str:
    """Lower-case without diacritics, keeping every character at its position."""
    folded = (c if c.isspace() else fold(c) for c in text)
    return "".join(f if len(f) == 1 else "\0" for f in folded)


def _combine(options: OptionList, parts: list[str], seps: list[str]) -> list[Option] | None:
    """Options for parts joined by "i"/"oraz", where labels may contain "i" themselves."""
    memo: dict[int, list[Option] | None] = {}

    def best(i: int) -> list[Option] | None:
        if i == len(parts):
            return []
        if i not in memo:
            memo[i] = None
            for j in range(len(parts), i, -1):  # longest first: whole labels win
                candidate = parts[i] + "".join(seps[k] + parts[k + 1] for k in range(i, j - 1))
                found = find(options, candidate)
                rest = best(j) if found else None
                if found and rest is not None:
                    memo[i] = [found, *rest]
                    break
        return memo[i]

    return best(0)


def _segment(options: OptionList, segment: str) -> list[Option]:
    """The options one comma-separated piece names."""
    if found := find(options, segment):
        return [found]
    words = segment.split()
    if len(words) > 1 and all(w.isdigit() for w in words):  # "1 3 5"
        return [_one_piece(options, w) for w in words]
    pieces = _CONJUNCTIONS.split(segment)
    parts, seps = pieces[0::2], pieces[1::2]
    combined = _combine(options, parts, seps) if 1 < len(parts) <= _MAX_PARTS else None
    if combined is None:
        unknown = [p for p in parts if find(options, p) is None]
        raise _Unknown(unknown[0] if unknown and len(parts) > 1 else segment)
    return combined


def _one_piece(options: OptionList, piece: str) -> Option:
    if found := find(options, piece):
        return found
    raise _Unknown(piece)


def _chosen(options: OptionList, text: str, many: bool) -> list[Option]:
    """Every option the text names, in the order given; a rejection for unknown pieces."""
    if found := find(options, text):
        return [found]
    segments = [s for s in _SEPARATORS.split(text) if s]
    try:
        return [o for s in segments for o in _segment(options, s)]
    except _Unknown as e:
        raise _unknown(options, many, e.piece) from None


def _other_text(detail: str | None) -> str | None:
    if detail is not None and len(detail) > MAX_OTHER_TEXT:
        raise InvalidAnswer(
            f"Opis po „inny” ma {len(detail)} znaków – może mieć najwyżej {MAX_OTHER_TEXT}. "
            "Skróć go, np. do samej nazwy.",
            f"The description after 'other' has {len(detail)} characters – at most "
            f"{MAX_OTHER_TEXT} are allowed. Shorten it, e.g. to just a name.",
        )
    return detail


def _empty(options: OptionList, many: bool) -> InvalidAnswer:
    return _error(options, many, "Odpowiedź jest pusta.", "The answer is empty.")


def parse_one(options: OptionList, raw: str) -> ParsedValue:
    """One option of the list; "inny: …" carries its text."""
    text = tidy(raw)
    if not text:
        raise _empty(options, many=False)
    before, detail, other = _split_other(options, text)
    chosen = ([other] if other else []) + (_chosen(options, before, False) if before else [])
    if len({o.code for o in chosen}) > 1:
        raise _error(
            options,
            False,
            f"Można wybrać tylko jedną odpowiedź, a {quoted(text)} wskazuje kilka.",
            f"Only one answer can be chosen, but {quoted(text)} names several.",
        )
    return ParsedValue(chosen[0].code, _other_text(detail) if other else None)


def parse_many(options: OptionList, raw: str) -> ParsedValue:
    """One or more options, as codes in list order, duplicates removed."""
    text = tidy(raw)
    if not text:
        raise _empty(options, many=True)
    before, detail, other = _split_other(options, text)
    chosen = {o.code for o in (_chosen(options, before, True) if before else [])}
    if other:
        chosen.add(other.code)
    picked = [o for o in options.options if o.code in chosen]
    exclusive = next((o for o in picked if o.exclusive), None)
    if exclusive and len(picked) > 1:
        raise _error(
            options,
            True,
            f"„{exclusive.label_pl}” wyklucza pozostałe odpowiedzi – wybierz albo "
            f"„{exclusive.label_pl}”, albo inne pozycje.",
            f"'{exclusive.label_en}' excludes the other answers – choose either "
            f"'{exclusive.label_en}' or other items.",
        )
    return ParsedValue(tuple(o.code for o in picked), _other_text(detail) if other else None)
