"""UtcDateTime's one-step SQLite bind processor stores what SQLAlchemy's two steps store."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite

from storage.tables import UtcDateTime

SQLITE = sqlite.dialect()
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30))]
)


def ours_on(dialect: Any) -> Any:
    """The processor SQLAlchemy uses for the column on this dialect."""
    return UtcDateTime().dialect_impl(dialect).bind_processor(dialect)


def generic(dialect: Any) -> Any:
    """SQLAlchemy's composition: process_bind_param, then the dialect type's processor."""
    return TypeDecorator.bind_processor(UtcDateTime().dialect_impl(dialect), dialect)


@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)), ZONES)
def test_sqlite_text_is_sqlalchemys(moment: datetime, zone: timezone) -> None:
    aware = moment.replace(tzinfo=zone)
    assert isinstance(ours_on(SQLITE)(aware), str)
    assert ours_on(SQLITE)(aware) == generic(SQLITE)(aware)


def test_none_and_naive_values() -> None:
    ours = ours_on(SQLITE)
    assert ours(None) is None
    assert ours(datetime(2026, 11, 10, 9, tzinfo=UTC)) == "2026-11-10 09:00:00.000000"
    with pytest.raises(ValueError, match="naive"):
        ours(datetime(2026, 11, 10, 9))


def test_postgresql_keeps_sqlalchemys_processor() -> None:
    pg = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
    moment = datetime(2026, 11, 10, 9, tzinfo=timezone(timedelta(hours=1)))
    ours, theirs = ours_on(pg), generic(pg)
    assert (ours(moment) if ours else moment) == (theirs(moment) if theirs else moment)
