"""`kartomat cards`: show the card definitions and check edited definition files.

Reads only the packaged YAML or the file given; no settings, no database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from domain.cards.catalog import CardCatalog, card_to_json
from domain.cards.loader import load_card
from domain.cards.model import CardDefinition, CardKind, Question
from domain.errors import DefinitionError

app = typer.Typer(
    help="Karty monitorujące: podgląd definicji i sprawdzanie plików YAML.",
    no_args_is_help=True,
)


@app.command(help="Pokaż pytania karty według części i sfer (albo JSON z --json).")
def show(
    kind: Annotated[CardKind, typer.Argument(help="Rodzaj karty: ngo albo izus.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Wypisz definicję jako JSON (dla narzędzi).")
    ] = False,
) -> None:
    """Show a card's questions, by section (or as JSON)."""
    card = CardCatalog.builtin().get(kind)
    if as_json:
        typer.echo(json.dumps(card_to_json(card), ensure_ascii=False, indent=2))
        return
    typer.echo("\n".join(render_listing(card)))


@app.command(help="Sprawdź plik definicji karty; przy błędzie kod wyjścia 1.")
def check(
    file: Annotated[Path, typer.Argument(help="Plik YAML z definicją karty.")],
) -> None:
    """Validate a card definition file; exit code 1 with the reason if it is broken."""
    try:
        card = load_card(file)
    except DefinitionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"OK: {card.card.value} {card.version}, {len(card.questions)} pytań")


def render_listing(card: CardDefinition) -> list[str]:
    """A readable Polish listing: per section, code, type, R/O, label, condition."""
    lines = [f"{card.title_pl} ({card.card.value}), wersja {card.version}"]
    for section in card.sections:
        questions = [q for q in card.questions if q.section == section.id]
        lines += ["", section.title_pl]
        lines += [_question_line(q) for q in questions]
    return lines


def _question_line(question: Question) -> str:
    kind = question.type.value + (f"({question.list})" if question.list else "")
    mark = "—" if question.system else ("R" if question.required else "O")
    line = f"  {question.code:<9} {kind:<17} {mark}  {question.label_pl}"
    if question.condition:
        line += f"  [jeśli {question.condition}]"
    if question.added:
        line += "  (dodane)"
    return line
