"""The context entities' direct copy (storage.repositories._copy)."""

from domain.entities import Assignment
from storage import repositories as r


def test_context_entities_are_copied_as_pydantic_copies_them() -> None:
    """repositories._copy skips pydantic's generic copy: it holds only for entities
    without extra fields or private attributes."""
    for cls, _ in r._CONTEXT_ENTITIES:
        assert not cls.__private_attributes__ and cls.model_config.get("extra") != "allow"
    assignment = Assignment.model_construct(id=1, session_id=2, organisation_id=3, card="ngo")
    update = {"cursor": "ngo.I.1"}
    copied, theirs = r._copy(assignment, update), assignment.model_copy(update=update)
    assert copied == theirs and copied.model_fields_set == theirs.model_fields_set
    assert copied is not assignment and assignment.cursor is None
