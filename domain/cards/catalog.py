"""The packaged card definitions, and their JSON form for the CLI and tooling."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any

from domain.cards.loader import parse_card
from domain.cards.model import CardDefinition, CardKind, Question

_PACKAGE = "domain.cards"
_FOLDER = "definitions"


class CardCatalog:
    """The card definitions in use, by kind ("ngo", "izus")."""

    def __init__(self, cards: Iterable[CardDefinition]) -> None:
        self._cards = {card.card.value: card for card in cards}

    @classmethod
    def builtin(cls) -> CardCatalog:
        """The definitions shipped with the package (definitions/<kind>.yaml)."""
        folder = resources.files(_PACKAGE).joinpath(_FOLDER)
        cards = []
        for kind in CardKind:
            resource = folder.joinpath(f"{kind.value}.yaml")
            cards.append(parse_card(resource.read_text(encoding="utf-8"), str(resource)))
        return cls(cards)

    def get(self, kind: str | CardKind) -> CardDefinition:
        """The card of this kind (KeyError if the catalog has none)."""
        key = kind.value if isinstance(kind, CardKind) else kind
        try:
            return self._cards[key]
        except KeyError:
            raise KeyError(f"no card {key!r}; known: {', '.join(self.kinds)}") from None

    @property
    def kinds(self) -> tuple[str, ...]:
        """The card kinds available, in catalog order."""
        return tuple(self._cards)


def card_to_json(card: CardDefinition) -> dict[str, Any]:
    """The card in the JSON shape tooling depends on (cards.md: ids are public)."""
    return {
        "card": card.card.value,
        "version": card.version,
        "questions": [_question_json(card, q) for q in card.questions],
    }


def _question_json(card: CardDefinition, question: Question) -> dict[str, Any]:
    options = card.options_of(question)
    return {
        "id": question.id,
        "code": question.code,
        "type": question.type.value,
        "required": question.required,
        "condition": question.condition,
        "options": None
        if options is None
        else [{"code": o.code, "label_pl": o.label_pl} for o in options.options],
        "prefill": question.prefill is not None,
        "added": question.added,
        "label_pl": question.label_pl,
        "label_en": question.label_en,
    }
