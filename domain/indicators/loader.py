"""Reading indicator definitions: YAML, then pydantic, then every formula against the cards.

Every problem becomes one DefinitionError naming the file, the indicator and the
reason (for a formula: the term, the card and the unknown question), so that
Centrum staff revising a definition can find the line to fix.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.cards.catalog import CardCatalog
from domain.cards.condition_types import check_expression
from domain.cards.conditions import ExpressionError, parse
from domain.cards.loader import _read_yaml as read_yaml  # one YAML reader: duplicate keys refused
from domain.errors import DefinitionError
from domain.indicators.model import Indicator, IndicatorSet, Term

_PACKAGE = "domain.indicators"
_FILE = "definitions/indicators.yaml"


def builtin_indicators(catalog: CardCatalog) -> IndicatorSet:
    """The definitions shipped with the package, checked against the catalog's cards."""
    resource = resources.files(_PACKAGE).joinpath(_FILE)
    return parse_indicators(resource.read_text(encoding="utf-8"), str(resource), catalog)


def load_indicators(path: str | Path, catalog: CardCatalog) -> IndicatorSet:
    """Load and validate an indicator definition file (DefinitionError on any problem)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), None, f"cannot read the file: {exc}") from exc
    return parse_indicators(text, str(path), catalog)


def parse_indicators(text: str, file: str, catalog: CardCatalog) -> IndicatorSet:
    """Validate indicator definitions given as YAML text; `file` names them in errors."""
    raw = read_yaml(text, file)
    try:
        definitions = IndicatorSet.model_validate(raw)
    except ValidationError as exc:
        raise _translate(exc, raw, file) from exc
    _check(definitions, catalog, file)
    return definitions


def _translate(exc: ValidationError, raw: dict[str, Any], file: str) -> DefinitionError:
    """The first pydantic error as file + indicator + reason."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    item = None
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        entries = raw.get("indicators")
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        item = str(entry.get("id")) if isinstance(entry, dict) else f"indicators[{loc[1]}]"
        loc = loc[2:]
    where = ".".join(str(p) for p in loc)
    reason = str(error["msg"]).removeprefix("Value error, ")
    return DefinitionError(file, item, f"{where}: {reason}" if where else reason)


def _check(definitions: IndicatorSet, catalog: CardCatalog, file: str) -> None:
    ids = [i.id for i in definitions.indicators]
    duplicates = [name for name, count in Counter(ids).items() if count > 1]
    if duplicates:
        raise DefinitionError(file, duplicates[0], "duplicate indicator id")
    spheres = {s.id for s in definitions.spheres}
    perspectives = {p.id for p in definitions.perspectives}
    for indicator in definitions.indicators:
        if indicator.sphere not in spheres:
            raise DefinitionError(file, indicator.id, f"unknown sphere {indicator.sphere!r}")
        if indicator.perspective not in perspectives:
            raise DefinitionError(
                file, indicator.id, f"unknown perspective {indicator.perspective!r}"
            )
        for side, term in zip(("numerator", "denominator"), indicator.terms, strict=False):
            _check_term(term, catalog, file, f"{indicator.id}: {side}")
    _check_gaps(definitions, file)


def _check_term(term: Term, catalog: CardCatalog, file: str, item: str) -> None:
    """Every code known on the term's card; count tests true/false, sum/izus a number."""
    card = catalog.get(term.source.card)
    source = term.expression
    # A number passes the type check of `(x) >= 0`; a test, an option or a text does not.
    test = source if term.source.value == "count" else f"({source}) >= 0"
    try:
        check_expression(parse(test, card.card.value), card)
    except ExpressionError as exc:
        raise DefinitionError(
            file, item, f"{term.source.value}({source}) on Karta {card.card.value}: {exc}"
        ) from exc
    for code in term.answered:
        if card.by_code(code) is None:
            raise DefinitionError(
                file, item, f"'answered' names an unknown question {card.card.value}.{code}"
            )


def _check_gaps(definitions: IndicatorSet, file: str) -> None:
    known = {i.id: i for i in definitions.indicators}
    for pair in definitions.gaps:
        for side, indicator_id in (("ngo", pair.ngo), ("izus", pair.izus)):
            indicator: Indicator | None = known.get(indicator_id)
            if indicator is None or indicator.perspective != side or not indicator.kind.additive:
                raise DefinitionError(
                    file,
                    f"gap {pair.ngo}~{pair.izus}",
                    f"{indicator_id} must be a count or sum of the {side} perspective",
                )
