"""Staff messages: late-submission alerts grouped by gmina, the daily digest, problems."""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import UTC, datetime, timedelta

import pytest

from domain.schedule import (
    LateAssignment,
    PlannedMessage,
    SentRecord,
    WorkCalendar,
    load_harmonogram,
    problem_alert_due_at,
    staff_alerts_due,
)
from tests.unit.schedule.support import WAW, at, day, sent_on

H = load_harmonogram(None)
CAL = WorkCalendar(H)
LUBLIN, CHELM = "0663011", "0662011"

# (assignment id, gmina, deadline, submitted at): deadline Wednesday 1 April 2026,
# so late from Thursday 2 April; Easter Monday (6 April) is a day off.
REGISTRY = [
    ("a1", LUBLIN, "2026-04-01", "2026-04-08 12:00"),
    ("a2", CHELM, "2026-04-01", "2026-04-09 10:00"),
    ("a3", LUBLIN, "2026-04-01", "2026-04-09 11:00"),
]


def late_at(
    now: datetime, registry: list[tuple[str, str, str, str]]
) -> dict[str, dict[str, list[LateAssignment]]]:
    """Staff s1's late assignments by gmina at `now`, as the storage would give them."""
    by_gmina: dict[str, list[LateAssignment]] = {}
    for assignment_id, gmina, deadline, submitted in registry:
        if now >= at(f"{deadline} 00:00") + timedelta(days=1) and now < at(submitted):
            by_gmina.setdefault(gmina, []).append(LateAssignment(assignment_id, day(deadline)))
    return {"s1": by_gmina}


def run_staff_clock(
    begin: datetime,
    end: datetime,
    registry: list[tuple[str, str, str, str]] = REGISTRY,
    down: tuple[datetime, datetime] | None = None,
    already: frozenset[SentRecord] = frozenset(),
) -> list[tuple[datetime, PlannedMessage]]:
    """Tick every 15 minutes; return what was enqueued and when."""
    sent: dict[str, set[SentRecord]] = {"s1": set(already)}
    log = []
    now = begin.astimezone(UTC)
    while now < end:
        if down is None or not down[0] <= now < down[1]:
            for message in staff_alerts_due(late_at(now, registry), now, CAL, H, sent):
                log.append((now.astimezone(WAW), message))
                sent.setdefault(message.recipient_id, set()).add(message.sent_record)
        now += timedelta(minutes=15)
    return log


def test_first_alert_at_the_first_duty_window_after_the_deadline() -> None:
    [alert] = staff_alerts_due(
        late_at(at("2026-04-02 08:00"), REGISTRY), at("2026-04-02 08:00"), CAL, H, {}
    )
    assert alert.kind == "staff_alert"
    assert alert.recipient_id == "s1"
    assert alert.due_at == at("2026-04-02 08:00")
    assert alert.dedupe_key == "staff_alert:s1:2026-04-02"
    assert alert.late_by_gmina == ((CHELM, ("a2",)), (LUBLIN, ("a1", "a3")))
    assert alert.reasons == ("new:a1", "new:a2", "new:a3")
    assert alert.for_staff


@pytest.mark.parametrize("now", ["2026-04-01 15:00", "2026-04-02 07:59", "2026-04-02 16:00"])
def test_no_alert_before_lateness_or_outside_duty_hours(now: str) -> None:
    late = {"s1": {LUBLIN: [LateAssignment("a1", day("2026-04-01"))]}}
    assert staff_alerts_due(late, at(now), CAL, H, {}) == []


def test_digest_cadence_over_easter_until_none_are_late() -> None:
    log = run_staff_clock(at("2026-04-01 00:00"), at("2026-04-16 00:00"))
    assert [(t.strftime("%a %d %H:%M"), m.kind, m.late_by_gmina) for t, m in log] == [
        ("Thu 02 08:00", "staff_alert", ((CHELM, ("a2",)), (LUBLIN, ("a1", "a3")))),
        ("Fri 03 09:00", "digest", ((CHELM, ("a2",)), (LUBLIN, ("a1", "a3")))),
        # Saturday, Sunday and Easter Monday: nothing.
        ("Tue 07 09:00", "digest", ((CHELM, ("a2",)), (LUBLIN, ("a1", "a3")))),
        ("Wed 08 09:00", "digest", ((CHELM, ("a2",)), (LUBLIN, ("a1", "a3")))),
        ("Thu 09 09:00", "digest", ((CHELM, ("a2",)), (LUBLIN, ("a3",)))),  # a1 submitted
        # a2 and a3 submitted on Thursday: no digest from Friday on.
    ]


@pytest.mark.parametrize(
    ("deadline", "first_alert"),
    [
        ("2026-04-03", "2026-04-07 08:00"),  # Friday before Easter → Tuesday
        ("2026-06-03", "2026-06-05 08:00"),  # late on Corpus Christi → Friday
        ("2025-12-23", "2025-12-29 08:00"),  # over Wigilia and Christmas
        ("2026-03-27", "2026-03-30 08:00"),  # over the DST change: 08:00 CEST
    ],
)
def test_first_alert_skips_days_off(deadline: str, first_alert: str) -> None:
    registry = [("a1", LUBLIN, deadline, "2027-01-01 00:00")]
    log = run_staff_clock(at(f"{deadline} 12:00"), at(first_alert) + timedelta(hours=1), registry)
    assert [(t, m.kind) for t, m in log] == [(at(first_alert), "staff_alert")]


def test_a_newly_late_assignment_brings_an_alert_instead_of_the_digest() -> None:
    registry = [*REGISTRY, ("a4", CHELM, "2026-04-07", "2026-04-30 00:00")]  # extended
    already = sent_on(("staff_alert", "2026-04-02"), ("digest", "2026-04-03"))
    log = run_staff_clock(at("2026-04-07 00:00"), at("2026-04-09 00:00"), registry, None, already)
    assert [(t.strftime("%d %H:%M"), m.kind, m.reasons, m.late_by_gmina) for t, m in log] == [
        ("07 09:00", "digest", (), ((CHELM, ("a2",)), (LUBLIN, ("a1", "a3")))),
        ("08 08:00", "staff_alert", ("new:a4",), ((CHELM, ("a2", "a4")), (LUBLIN, ("a1", "a3")))),
    ]


def test_a_missed_alert_goes_at_the_next_duty_moment_and_replaces_that_days_digest() -> None:
    log = run_staff_clock(
        at("2026-04-01 00:00"),
        at("2026-04-08 00:00"),
        down=(at("2026-04-01 00:00"), at("2026-04-03 10:10")),
    )
    assert [(t.strftime("%d %H:%M"), m.kind, m.due_at) for t, m in log] == [
        ("03 10:15", "staff_alert", at("2026-04-02 08:00")),
        ("07 09:00", "digest", at("2026-04-07 09:00")),
    ]


@pytest.mark.parametrize(
    ("down_until", "expected"),
    [
        ("2026-04-07 11:00", [("07 11:00", "digest"), ("08 09:00", "digest")]),  # still today
        ("2026-04-08 08:30", [("08 09:00", "digest")]),  # yesterday's is overtaken by today's
    ],
)
def test_a_missed_digest(down_until: str, expected: list[tuple[str, str]]) -> None:
    already = sent_on(("staff_alert", "2026-04-02"), ("digest", "2026-04-03"))
    log = run_staff_clock(
        at("2026-04-07 00:00"),
        at("2026-04-08 12:00"),
        down=(at("2026-04-07 00:00"), at(down_until)),
        already=already,
    )
    assert [(t.strftime("%d %H:%M"), m.kind) for t, m in log] == expected


def test_each_staff_member_gets_their_own_message() -> None:
    now = at("2026-04-03 09:30")
    late: Mapping[str, Mapping[str, list[LateAssignment]]] = {
        "s1": {LUBLIN: [LateAssignment("a1", day("2026-04-01"))]},
        "s2": {CHELM: [LateAssignment("a2", day("2026-04-01"))]},
        "s3": {CHELM: []},  # nothing late in their territories
    }
    sent: Mapping[str, Set[SentRecord]] = {"s1": {("staff_alert", day("2026-04-02"))}}
    found = staff_alerts_due(late, now, CAL, H, sent)
    assert [(m.recipient_id, m.kind, m.late_by_gmina) for m in found] == [
        ("s1", "digest", ((LUBLIN, ("a1",)),)),
        ("s2", "staff_alert", ((CHELM, ("a2",)),)),
    ]


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("2026-03-06 10:17", "2026-03-06 10:17"),  # within duty hours: at once
        ("2026-03-06 07:15", "2026-03-06 08:00"),
        ("2026-03-06 16:00", "2026-03-09 08:00"),  # Friday evening → Monday morning
        ("2026-04-05 12:00", "2026-04-07 08:00"),  # Easter Sunday → Tuesday
        ("2025-12-24 09:00", "2025-12-29 08:00"),  # Wigilia → after Christmas
    ],
)
def test_problem_alert_due_at(reported: str, expected: str) -> None:
    assert problem_alert_due_at(at(reported), CAL) == at(expected)
