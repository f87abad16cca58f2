"""The value types every parser returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

AnswerValue = int | Decimal | bool | date | str | tuple[str, ...]


@dataclass(frozen=True)
class ParsedValue:
    """A parsed answer; `other_text` is the free text given with an "inny" option."""

    value: AnswerValue
    other_text: str | None = None
