"""Indicator definitions are data: the shipped file loads, broken ones fail clearly."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from domain.cards.catalog import CardCatalog
from domain.errors import DefinitionError
from domain.indicators import Kind, builtin_indicators, load_indicators, parse_indicators

CATALOG = CardCatalog.builtin()
SHIPPED = resources.files("domain.indicators").joinpath("definitions/indicators.yaml")


def shipped() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def test_the_shipped_definitions_cover_indicators_md() -> None:
    definitions = builtin_indicators(CATALOG)
    ids = [i.id for i in definitions.indicators]
    assert ids[:3] == ["N1.1", "N1.2", "N1.3"] and len(ids) == 51
    assert [i for i in ids if i.startswith("N")][-1] == "N6.3"
    assert [i for i in ids if i.startswith("Z")][-1] == "Z6.2" and ids[-2:] == ["EZ", "EK"]
    n13 = definitions.get("N1.3")
    assert (n13.kind, n13.perspective, n13.sphere) == (Kind.PERCENTAGE, "ngo", "1")
    assert n13.formula() == (
        "100 × count(ngo.II.1.3a > 0 or ngo.II.1.3b > 0 or ngo.II.1.3c > 0 or ngo.II.1.3d > 0)"
        " / izus(izus.II.0.1)"
    )
    assert definitions.get("EK").kind is Kind.RATIO
    assert (definitions.gaps[0].ngo, definitions.gaps[0].izus) == ("N1.5", "Z1.1")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("numerator: {count: II.1.1 > 0}", "numerator: {count: II.9.9 > 0}",
         "N1.1: numerator: count(II.9.9 > 0) on Karta ngo: unknown question code II.9.9"),
        ("denominator: {izus: II.0.1}\n  - id: N1.4", "denominator: {izus: II.0.9}\n  - id: N1.4",
         "N1.3: denominator: izus(II.0.9) on Karta izus: unknown question code II.0.9"),
        ("numerator: {count: II.1.2 > 0}", "numerator: {count: II.1.2}",
         "N1.2: numerator: count(II.1.2) on Karta ngo: the expression must be true or false"),
        ("numerator: {sum: II.4.2}", "numerator: {sum: II.3.8}",
         "N4.2: numerator: sum(II.3.8) on Karta ngo: cannot order II.3.8 (bool)"),
        ("answered: [II.7.1]}\n    denominator", "answered: [II.7.9]}\n    denominator",
         "EZ: numerator: 'answered' names an unknown question ngo.II.7.9"),
        ("percentage\n    numerator: {count: II.1.3a", "count\n    numerator: {count: II.1.3a",
         "N1.3: a count has no denominator"),
        ("  - id: N1.2\n", "  - id: N1.1\n", "N1.1: duplicate indicator id"),
        ('"6"\n    kind: count\n    numerator: {count: II.6.1',
         '"9"\n    kind: count\n    numerator: {count: II.6.1', "N6.1: unknown sphere '9'"),
        ("{ngo: N1.5, izus: Z1.1}", "{ngo: Z1.1, izus: N1.5}", "gap Z1.1~N1.5"),
        ("numerator: {count: II.1.1 > 0}", "numerator: {count: II.1.1 > 0, izus: II.0.1}",
         "N1.1: numerator: a term is exactly one of count, sum or izus"),
    ],
)  # fmt: skip
def test_a_broken_definition_names_the_file_the_indicator_and_the_reason(
    old: str, new: str, message: str, tmp_path: Path
) -> None:
    text = shipped()
    assert text.count(old) >= 1, old
    path = tmp_path / "indicators.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_indicators(path, CATALOG)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read the file"):
        load_indicators(tmp_path / "missing.yaml", CATALOG)
    with pytest.raises(DefinitionError, match="duplicate key 'version'"):
        parse_indicators('version: "1"\nversion: "2"\n', "twice.yaml", CATALOG)
