"""Indicator definitions: the pydantic models the indicator YAML is validated against."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from domain.cards.conditions import CODE_PATTERN

_CODE_RE = re.compile(rf"(?<![\w.])({CODE_PATTERN})")


class Kind(StrEnum):
    """How a value is read: counts and sums add up, percentages and ratios are recomputed."""

    COUNT = "count"
    SUM = "sum"
    PERCENTAGE = "percentage"
    RATIO = "ratio"

    @property
    def additive(self) -> bool:
        """Counts and sums roll up by adding; percentages and ratios by num/den."""
        return self in (Kind.COUNT, Kind.SUM)

    @property
    def digits(self) -> int:
        """Rounding for reports: percentages to 0.1, ratios to 0.01, counts whole."""
        return {Kind.PERCENTAGE: 1, Kind.RATIO: 2}.get(self, 2)


class Level(StrEnum):
    """Territorial levels, from the gmina up; TERYT prefix lengths 7, 4, 2 and "PL"."""

    GMINA = "gmina"
    POWIAT = "powiat"
    WOJEWODZTWO = "wojewodztwo"
    KRAJ = "kraj"

    def of(self, gmina: str) -> str:
        """The TERYT code of the territory at this level containing the gmina."""
        width = _WIDTH[self]
        return gmina[:width] if width else "PL"


_WIDTH = {Level.GMINA: 7, Level.POWIAT: 4, Level.WOJEWODZTWO: 2, Level.KRAJ: 0}
LEVELS = tuple(Level)


class Source(StrEnum):
    """Where a term reads: NGO cards (count, sum) or the gmina's IZUS card."""

    COUNT = "count"
    SUM = "sum"
    IZUS = "izus"

    @property
    def card(self) -> str:
        """The card whose question codes the term's expression uses."""
        return "izus" if self is Source.IZUS else "ngo"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Term(_Frozen):
    """One side of a formula: count(EXPR), sum(EXPR) or izus(EXPR)."""

    count: str | None = None
    sum: str | None = None
    izus: str | None = None
    answered: tuple[str, ...] = ()  # only NGO cards answering these (optional) questions

    @model_validator(mode="after")
    def _one_source(self) -> Term:
        given = [s for s in Source if getattr(self, s.value) is not None]
        if len(given) != 1:
            raise ValueError("a term is exactly one of count, sum or izus")
        if self.answered and given[0] is Source.IZUS:
            raise ValueError("'answered' filters NGO cards; an izus term takes none")
        return self

    @property
    def source(self) -> Source:
        """The term's source."""
        return next(s for s in Source if getattr(self, s.value) is not None)

    @property
    def expression(self) -> str:
        """The term's expression text (codes relative to its card)."""
        return str(getattr(self, self.source.value))

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """Identity of the term: indicators sharing a term share its computation."""
        return (self.source.value, self.expression, self.answered)

    def describe(self) -> str:
        """The term as people read it, with full question ids: count(ngo.II.1.1 > 0)."""
        card = self.source.card
        text = _qualify(self.expression, card)
        where = " | ".join(f"{card}.{code}" for code in self.answered)
        suffix = f" wśród kart z odpowiedzią na {where}" if where else ""
        return f"{self.source.value}({text}){suffix}"


def _qualify(expression: str, card: str) -> str:
    return _CODE_RE.sub(rf"{card}.\1", expression)


class Sphere(_Frozen):
    """A sphere of participation (Sfera 1–6) or the efficiency block."""

    id: str
    name_pl: str


class Perspective(_Frozen):
    """The card a perspective reads: NGOs' or the managing institution's."""

    id: str
    name_pl: str


class Indicator(_Frozen):
    """One indicator of indicators.md."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9.]*$")
    name_pl: str
    reading_pl: str | None = None
    headline: bool = False  # shown among the headline figures of the Raport MP
    perspective: str
    sphere: str
    kind: Kind
    revision: int = 1
    numerator: Term
    denominator: Term | None = None

    @model_validator(mode="after")
    def _shape(self) -> Indicator:
        if self.kind.additive and self.denominator is not None:
            raise ValueError(f"a {self.kind.value} has no denominator")
        if not self.kind.additive and self.denominator is None:
            raise ValueError(f"a {self.kind.value} needs a denominator")
        return self

    @property
    def terms(self) -> tuple[Term, ...]:
        """Numerator, then the denominator if any."""
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    def formula(self) -> str:
        """The formula as people read it (methods section, snapshots)."""
        top = self.numerator.describe()
        if self.denominator is None:
            return top
        scale = "100 × " if self.kind is Kind.PERCENTAGE else ""
        return f"{scale}{top} / {self.denominator.describe()}"


class GapPair(_Frozen):
    """An NGO-side and an IZUS-side count of the same thing (the gap view)."""

    ngo: str
    izus: str


class IndicatorSet(_Frozen):
    """A whole, versioned set of indicator definitions."""

    version: str
    spheres: tuple[Sphere, ...]
    perspectives: tuple[Perspective, ...]
    indicators: tuple[Indicator, ...]
    gaps: tuple[GapPair, ...] = ()

    _by_id: dict[str, Indicator] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> IndicatorSet:
        self._by_id = {i.id: i for i in self.indicators}
        return self

    def get(self, indicator_id: str) -> Indicator:
        """The indicator with this id (KeyError if unknown)."""
        return self._by_id[indicator_id]

    def sphere(self, sphere_id: str) -> Sphere:
        """The sphere with this id."""
        return next(s for s in self.spheres if s.id == sphere_id)

    def in_sphere(self, sphere_id: str) -> list[Indicator]:
        """The sphere's indicators in file order."""
        return [i for i in self.indicators if i.sphere == sphere_id]

    def formulas(self) -> dict[str, dict[str, str | int]]:
        """What a snapshot records of each definition, to tell versions apart later."""
        return {
            i.id: {"name_pl": i.name_pl, "kind": i.kind.value, "formula": i.formula(),
                   "revision": i.revision}
            for i in self.indicators
        }  # fmt: skip
