"""The exception tree, handled in one place per entry point.

KartomatError
├── UserError            the respondent or staff member can fix it; carries Polish
│   │                    and English text (kind, precise, with an example)
│   ├── InvalidAnswer    a value that does not parse or validate
│   ├── NotAllowed       refused by a rule (closed session, baseline, deadline, ...)
│   └── NotFound         an unknown token, organisation, session, code ...
└── OperatorError        configuration or definition problems, for logs and staff
    └── DefinitionError  a broken card or indicator definition file
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["pl", "en"]


class KartomatError(Exception):
    """Root of every error kartomat raises on purpose."""


class UserError(KartomatError):
    """An error a person can act on; the text is shown to them as is."""

    def __init__(self, message_pl: str, message_en: str | None = None) -> None:
        super().__init__(message_pl)
        self.message_pl = message_pl
        self.message_en = message_en or message_pl

    def message(self, lang: Lang = "pl") -> str:
        """The message in the requested language."""
        return self.message_pl if lang == "pl" else self.message_en


class InvalidAnswer(UserError):
    """A value that does not parse or does not pass validation."""


class NotAllowed(UserError):
    """An action a rule refuses (closed session, frozen baseline, past deadline...)."""


class NotFound(UserError):
    """Something named by the user does not exist (or must not be revealed)."""


class OperatorError(KartomatError):
    """A problem for the operator: configuration, definitions, infrastructure."""


class DefinitionError(OperatorError):
    """A card or indicator definition that fails validation."""

    def __init__(self, file: str, item: str | None, reason: str) -> None:
        where = f"{file}: {item}: " if item else f"{file}: "
        super().__init__(where + reason)
        self.file = file
        self.item = item
        self.reason = reason
