"""Reading a card definition file: YAML, then pydantic, then the card's own rules.

Every problem becomes one DefinitionError naming the file, the question (or list,
section, check) when there is one, and the reason, so that Centrum staff editing
a card can find the line to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from domain.cards.integrity import check_integrity
from domain.cards.model import CardDefinition
from domain.errors import DefinitionError

# The key that names an entry of each top-level collection, for error messages.
_ENTRY_KEYS = {"questions": "id", "sections": "id", "lists": "name", "checks": "id"}


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_card(path: str | Path) -> CardDefinition:
    """Load and validate a card definition file (DefinitionError on any problem)."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(file, None, f"cannot read the file: {exc}") from exc
    return parse_card(text, file)


def parse_card(text: str, file: str) -> CardDefinition:
    """Validate a card definition given as YAML text; `file` names it in errors."""
    raw = _read_yaml(text, file)
    try:
        card = CardDefinition.model_validate(raw)
    except ValidationError as exc:
        raise _translate(exc, raw, file) from exc
    check_integrity(card, file)
    return card


def _read_yaml(text: str, file: str) -> dict[str, Any]:
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise DefinitionError(file, None, f"invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise DefinitionError(file, None, "the file must hold a mapping (card, version, ...)")
    return raw


def _translate(exc: ValidationError, raw: dict[str, Any], file: str) -> DefinitionError:
    """The first pydantic error as file + entry + reason."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    item = None
    if len(loc) >= 2 and loc[0] in _ENTRY_KEYS and isinstance(loc[1], int):
        item = _entry_name(raw, str(loc[0]), loc[1])
        loc = loc[2:]
    where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    reason = f"{where}: {error['msg']}" if where else str(error["msg"])
    return DefinitionError(file, item, reason)


def _entry_name(raw: dict[str, Any], collection: str, index: int) -> str:
    entries = raw.get(collection)
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    name = entry.get(_ENTRY_KEYS[collection]) if isinstance(entry, dict) else None
    return str(name) if name is not None else f"{collection}[{index}]"
