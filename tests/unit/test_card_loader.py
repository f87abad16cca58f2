"""Broken card definitions fail with the file, the question (or entry) and the reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.cards.loader import load_card
from domain.errors import DefinitionError

Card = dict[str, Any]


def question(qid: str, qtype: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid, "type": qtype, "required": True, "section": "I",
        "label_pl": "Pytanie", "label_en": "Question",
        "hint_pl": "Wpisz, np. 3.", "hint_en": "Enter, e.g. 3.", **extra,
    }  # fmt: skip


def valid_card() -> Card:
    return {
        "card": "ngo",
        "version": "test",
        "title_pl": "Karta NGO",
        "title_en": "NGO card",
        "lists": [
            {
                "name": "FORM",
                "options": [
                    {"code": "inst", "label_pl": "zinstytucjonalizowana", "label_en": "inst"},
                    {"code": "noninst", "label_pl": "niezinstytucjonalizowana", "label_en": "non"},
                ],
            }
        ],
        "sections": [{"id": "I", "part": "I", "title_pl": "Część I", "title_en": "Part I"}],
        "questions": [
            question("ngo.I.1", "many", list="FORM"),
            question("ngo.I.2", "text", condition="I.1 has inst"),
            question("ngo.I.3", "int"),
            question("ngo.I.4", "date", required=False, system=True),
        ],
        "checks": [
            {"id": "small", "rule": "I.3 <= 5", "about": ["I.3"],
             "message_pl": "I.3 = {I.3}. Czy to się zgadza?",
             "message_en": "I.3 = {I.3}. Is that right?"},
        ],
    }  # fmt: skip


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def q(card: Card, index: int) -> dict[str, Any]:
    question_: dict[str, Any] = card["questions"][index]
    return question_


Mutation = Callable[[Card], None]

CASES: list[tuple[str, Mutation, str | None, str]] = [
    ("missing field", lambda c: q(c, 2).pop("label_en"), "ngo.I.3", "label_en: Field required"),
    ("bad type", lambda c: q(c, 2).update(type="integer"), "ngo.I.3", "type: Input should be"),
    ("typo key", lambda c: q(c, 2).update(lable_pl="x"), "ngo.I.3",
     "lable_pl: Extra inputs are not permitted"),
    ("no id", lambda c: q(c, 1).pop("id"), "questions[1]", "id: Field required"),
    ("bad card", lambda c: c.update(card="xyz"), None, "card: Input should be 'ngo' or 'izus'"),
    ("float version", lambda c: c.update(version=2026.1), None, "version: Input should be"),
    ("no questions", lambda c: c.pop("questions"), None, "questions: Field required"),
    ("option without code", lambda c: c["lists"][0]["options"][0].pop("code"), "FORM",
     "options[0].code: Field required"),
    ("section without title", lambda c: c["sections"][0].pop("title_en"), "I",
     "title_en: Field required"),
    ("check without rule", lambda c: c["checks"][0].pop("rule"), "small", "rule: Field required"),
    ("duplicate id", lambda c: q(c, 2).update(id="ngo.I.2"), "ngo.I.2", "duplicate question id"),
    ("wrong prefix", lambda c: q(c, 2).update(id="izus.I.3"), "izus.I.3",
     "the id must start with 'ngo.'"),
    ("bad code", lambda c: q(c, 2).update(id="ngo.A.3"), "ngo.A.3", "the code must look like"),
    ("unknown section", lambda c: q(c, 2).update(section="II.9"), "ngo.I.3",
     "unknown section 'II.9'"),
    ("unknown list", lambda c: q(c, 0).update(list="FROM"), "ngo.I.1", "unknown list 'FROM'"),
    ("list on int", lambda c: q(c, 2).update(list="FORM"), "ngo.I.3",
     "a question of type 'int' takes no list"),
    ("choice without list", lambda c: q(c, 0).pop("list"), "ngo.I.1",
     "a question of type 'many' needs a list"),
    ("unknown prefill", lambda c: q(c, 2).update(prefill="organisation.nip"), "ngo.I.3",
     "unknown prefill source 'organisation.nip'"),
    ("condition syntax", lambda c: q(c, 1).update(condition="I.1 has"), "ngo.I.2",
     "expected a value"),
    ("condition unknown code", lambda c: q(c, 1).update(condition="I.9 > 0"), "ngo.I.2",
     "unknown question code I.9"),
    ("condition unknown option", lambda c: q(c, 1).update(condition="I.1 has foo"), "ngo.I.2",
     "'foo' is not an option of list FORM"),
    ("condition not boolean", lambda c: q(c, 1).update(condition="I.3 + 1"), "ngo.I.2",
     "must be true or false"),
    ("condition looks ahead", lambda c: q(c, 1).update(condition="I.3 > 0"), "ngo.I.2",
     "refers to I.3, which does not come before this question"),
    ("condition on itself", lambda c: q(c, 2).update(condition="I.3 > 0"), "ngo.I.3",
     "refers to I.3, which does not come before"),
    ("system required", lambda c: q(c, 3).update(required=True), "ngo.I.4",
     "a system question is never asked"),
    ("check bad rule", lambda c: c["checks"][0].update(rule="I.3 <= inst"), "small",
     "cannot order"),
    ("check bad when", lambda c: c["checks"][0].update(when="I.1 = inst"), "small",
     "use 'has'"),
    ("check unknown about", lambda c: c["checks"][0].update(about=["I.8"]), "small",
     "unknown question code I.8"),
    ("check empty about", lambda c: c["checks"][0].update(about=[]), "small", "'about' names no"),
    ("check unknown placeholder", lambda c: c["checks"][0].update(message_en="{II.1.1}?"),
     "small", "unknown question code II.1.1"),
    ("duplicate check", lambda c: c["checks"].append(dict(c["checks"][0])), "small",
     "duplicate check id"),
    ("duplicate section", lambda c: c["sections"].append(dict(c["sections"][0])), "I",
     "duplicate section id"),
    ("duplicate list", lambda c: c["lists"].append(dict(c["lists"][0])), "FORM",
     "duplicate list name"),
    ("duplicate option", lambda c: c["lists"][0]["options"].append({"code": "inst",
     "label_pl": "x", "label_en": "x"}), "inst", "duplicate option code in list FORM"),
    ("empty list", lambda c: c["lists"][0].update(options=[]), "FORM", "the list has no options"),
]  # fmt: skip


def test_the_valid_card_loads(tmp_path: Path) -> None:
    card = load_card(write(tmp_path, valid_card()))
    assert [q.id for q in card.questions] == ["ngo.I.1", "ngo.I.2", "ngo.I.3", "ngo.I.4"]
    assert card.checks[0].rule == "I.3 <= 5"


@pytest.mark.parametrize(("mutate", "item", "reason"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_broken_definition(tmp_path: Path, mutate: Mutation, item: str | None, reason: str) -> None:
    data = valid_card()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(DefinitionError) as caught:
        load_card(path)
    error = caught.value
    assert error.file == str(path)
    assert error.item == item
    assert reason in error.reason
    assert str(error).startswith(f"{path}: ")


def test_condition_on_a_system_question(tmp_path: Path) -> None:
    data = valid_card()
    data["questions"].insert(0, data["questions"].pop(3))  # system question first
    q(data, 3).update(condition="I.4 = I.4")
    with pytest.raises(DefinitionError) as caught:
        load_card(write(tmp_path, data))
    assert caught.value.item == "ngo.I.3"
    assert "system question I.4" in caught.value.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("card: ngo\nversion: [unclosed\n", "invalid YAML"),
        ("- a\n- b\n", "the file must hold a mapping"),
        ("", "the file must hold a mapping"),
        ("card: ngo\ncard: izus\n", "duplicate key 'card'"),
    ],
)
def test_unreadable_yaml(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_card(path)
    assert caught.value.file == str(path)
    assert caught.value.item is None
    assert reason in caught.value.reason


def test_duplicate_key_inside_a_question(tmp_path: Path) -> None:
    text = write(tmp_path, valid_card()).read_text(encoding="utf-8")
    path = tmp_path / "dup.yaml"
    path.write_text(text.replace("  label_pl: Pytanie\n", "  label_pl: A\n  label_pl: B\n", 1))
    with pytest.raises(DefinitionError, match="duplicate key 'label_pl'"):
        load_card(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(DefinitionError) as caught:
        load_card(path)
    assert caught.value.file == str(path)
    assert "cannot read the file" in caught.value.reason


def test_builtin_files_load_from_disk() -> None:
    folder = Path(__file__).parents[2] / "domain" / "cards" / "definitions"
    assert load_card(folder / "ngo.yaml").card == "ngo"
    assert load_card(folder / "izus.yaml").card == "izus"
