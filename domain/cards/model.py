"""Card definitions: the pydantic models a card YAML file is validated against."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

Lang = Literal["pl", "en"]
T = TypeVar("T")


class QuestionType(StrEnum):
    """The value types of cards.md."""

    INT = "int"
    MONEY = "money"
    YESNO = "yesno"
    DATE = "date"
    ONE = "one"
    MANY = "many"
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"


class CardKind(StrEnum):
    """The two monitoring cards."""

    NGO = "ngo"
    IZUS = "izus"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(_Frozen):
    """One item of a list, with its stable code."""

    code: str
    label_pl: str
    label_en: str
    other: bool = False  # choosing it opens a free-text follow-up ("inny"/"other")
    exclusive: bool = False  # cannot be combined with other options ("brak")


class OptionList(_Frozen):
    """A named list of options (WOJ, NGO_TYPE, ...)."""

    name: str
    options: tuple[Option, ...]

    def by_code(self, code: str) -> Option | None:
        """The option with this code, if any."""
        return next((o for o in self.options if o.code == code), None)


class Section(_Frozen):
    """A part of the card (Część I) or a sphere of part II (Sfera 1)."""

    id: str
    title_pl: str
    title_en: str
    part: str  # "I", "II", "III": the part this section belongs to


class Question(_Frozen):
    """One question of a card; `id` is the stable public id (e.g. ngo.II.3.4)."""

    id: str
    type: QuestionType
    required: bool
    section: str
    label_pl: str
    label_en: str
    hint_pl: str
    hint_en: str
    list: str | None = None
    condition: str | None = None
    prefill: str | None = None  # registry source, e.g. "organisation.name"
    added: bool = False
    system: bool = False  # set by the system (date of submission), never asked

    @property
    def code(self) -> str:
        """The id without the card prefix, as used in the email template ([II.3.4])."""
        return self.id.split(".", 1)[1]

    @property
    def card(self) -> str:
        """The card prefix of the id."""
        return self.id.split(".", 1)[0]

    @property
    def asked(self) -> bool:
        """Whether a respondent is ever asked this question."""
        return not self.system

    def label(self, lang: Lang) -> str:
        """The label in the given language."""
        return self.label_pl if lang == "pl" else self.label_en

    def hint(self, lang: Lang) -> str:
        """The hint (with an example) in the given language."""
        return self.hint_pl if lang == "pl" else self.hint_en


class ConsistencyCheck(_Frozen):
    """A consistency rule (cards.md "Consistency checks"): a warning, not an error.

    `when` and `rule` are expressions of `domain.cards.conditions`; the respondent is
    warned when `when` holds (or is absent) and `rule` is false. Messages may quote
    answers as `{II.0.1}`.
    """

    id: str
    when: str | None = None
    rule: str
    about: tuple[str, ...]  # question codes the warning is about
    message_pl: str
    message_en: str

    def message(self, lang: Lang) -> str:
        """The message template in the given language."""
        return self.message_pl if lang == "pl" else self.message_en


class CardDefinition(_Frozen):
    """A whole card as loaded from its versioned YAML file."""

    card: CardKind
    version: str
    title_pl: str
    title_en: str
    lists: tuple[OptionList, ...] = Field(default=())
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    checks: tuple[ConsistencyCheck, ...] = ()

    _by_id: dict[str, Question] = PrivateAttr(default_factory=dict)
    _by_code: dict[str, Question] = PrivateAttr(default_factory=dict)
    _lists: dict[str, OptionList] = PrivateAttr(default_factory=dict)
    _sections: dict[str, Section] = PrivateAttr(default_factory=dict)
    _order: dict[str, int] = PrivateAttr(default_factory=dict)
    _asked: tuple[Question, ...] = PrivateAttr(default=())
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> CardDefinition:
        self._by_id = {q.id: q for q in self.questions}
        self._by_code = {q.code: q for q in self.questions}
        self._lists = {lst.name: lst for lst in self.lists}
        self._sections = {s.id: s for s in self.sections}
        self._order = {q.id: i for i, q in enumerate(self.questions)}
        self._asked = tuple(q for q in self.questions if q.asked)
        return self

    @property
    def _private(self) -> dict[str, Any]:
        # The private attributes themselves: `self._by_id` would go through pydantic's
        # __getattr__, a noticeable cost on the answering path.
        private: dict[str, Any] = self.__pydantic_private__  # type: ignore[assignment]
        return private

    @property
    def order(self) -> dict[str, int]:
        """Position of each question id in card order."""
        return self._private["_order"]  # type: ignore[no-any-return]

    def question(self, qid: str) -> Question:
        """The question with this id (KeyError if unknown)."""
        return self._private["_by_id"][qid]  # type: ignore[no-any-return]

    def by_code(self, code: str) -> Question | None:
        """The question with this code (id without card prefix), if any."""
        return self._private["_by_code"].get(code)  # type: ignore[no-any-return]

    def by_id(self, qid: str) -> Question | None:
        """The question with this id, if any."""
        return self._private["_by_id"].get(qid)  # type: ignore[no-any-return]

    def option_list(self, name: str) -> OptionList:
        """The named option list (KeyError if unknown)."""
        return self._lists[name]

    def options_of(self, question: Question) -> OptionList | None:
        """The option list of a one/many question, None for other types."""
        return self._lists[question.list] if question.list else None

    def section(self, sid: str) -> Section:
        """The section with this id."""
        return self._sections[sid]

    @property
    def asked_questions(self) -> tuple[Question, ...]:
        """Questions a respondent may be asked, in card order."""
        return self._asked

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A value worked out once from this (immutable) card, e.g. by the skip logic."""
        memo = self._private["_memo"]
        if key not in memo:
            memo[key] = compute()
        value: T = memo[key]
        return value

    def title(self, lang: Lang) -> str:
        """The card's title in the given language."""
        return self.title_pl if lang == "pl" else self.title_en


# Registry fields a question may be prefilled from (cards.md "prefill").
PREFILL_SOURCES = frozenset(
    {
        "organisation.name",
        "organisation.miejscowosc",
        "organisation.powiat",
        "organisation.wojewodztwo",
        "organisation.org_type",
        "organisation.territory",
        "contact.name",
        "contact.phone",
        "contact.email",
    }
)
